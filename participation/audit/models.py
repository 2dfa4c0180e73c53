"""One recorded action of the team (or of the system on its behalf)."""
from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.extensions import db
from ..core.timeutil import utcnow

if TYPE_CHECKING:
    # Only for the annotation: importing the accounts package here would load its views, and
    # account services record actions (organisations.services), which needs this module.
    from ..accounts.models import User


class AuditEvent(db.Model):
    __tablename__ = "audit_event"
    __table_args__ = (sa.Index("ix_audit_event_process_at", "process_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    process_id: Mapped[int | None] = mapped_column(sa.ForeignKey("process.id"))
    #: What happened, e.g. "contribution.approve", "response.publish", "role.change".
    action: Mapped[str] = mapped_column(sa.String(60), index=True)
    #: What it happened to: "contribution", "comment", "round", "user", ...
    target_type: Mapped[str] = mapped_column(sa.String(40))
    target_id: Mapped[int | None]
    #: Values before and after (JSON), and the reason given, where they apply.
    before: Mapped[dict | None] = mapped_column(sa.JSON)
    after: Mapped[dict | None] = mapped_column(sa.JSON)
    reason: Mapped[str | None] = mapped_column(sa.Text)

    actor: Mapped[User | None] = relationship()
