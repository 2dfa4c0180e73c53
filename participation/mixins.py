"""Model pieces shared by features.

ModeratedMixin: the columns of every item the team moderates: its decision and hiding.
Moderation hides, it does not delete; history matters in a public process.
"""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column


class ModeratedMixin:
    #: The team's decision in pre-moderation (approve or reject), by whom and why.
    moderated_at: Mapped[datetime | None]
    moderated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    rejection_reason: Mapped[str | None] = mapped_column(sa.Text)
    #: Hidden by the team: kept, but shown to nobody but the team and the author.
    hidden_at: Mapped[datetime | None]
    hidden_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    hidden_reason: Mapped[str | None] = mapped_column(sa.Text)
