"""The team's mark that a process's participation document is final."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..core.extensions import db
from ..core.timeutil import utcnow


class FinalDocument(db.Model):
    """Once per process (unique): the mark, and with it the one mail to every participant,
    happens once even when two team members press the button at the same moment."""
    __tablename__ = "final_document"

    id: Mapped[int] = mapped_column(primary_key=True)
    process_id: Mapped[int] = mapped_column(sa.ForeignKey("process.id"), unique=True)
    marked_at: Mapped[datetime] = mapped_column(default=utcnow)
    marked_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    #: How many participants were mailed the page's link (the rest had unsubscribed).
    mailed: Mapped[int] = mapped_column(default=0)
