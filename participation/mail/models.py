"""The outbox: every mail the site sends, with its delivery state."""
from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..core.extensions import db
from ..core.timeutil import utcnow


class OutboxState(enum.Enum):
    pending = "pending"  #: waiting for its (next) attempt at due_at
    sent = "sent"
    failed = "failed"  #: gave up after MAIL_MAX_ATTEMPTS; kept with its error for the team


class OutboxMessage(db.Model):
    __tablename__ = "outbox_message"
    __table_args__ = (sa.Index("ix_outbox_message_state_due_at", "state", "due_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient: Mapped[str] = mapped_column(sa.String(254))
    subject: Mapped[str] = mapped_column(sa.String(255))
    body_text: Mapped[str] = mapped_column(sa.Text)
    body_html: Mapped[str] = mapped_column(sa.Text)
    #: Which template made it, for the team's overview and for tests.
    kind: Mapped[str] = mapped_column(sa.String(60))
    state: Mapped[OutboxState] = mapped_column(
        sa.Enum(OutboxState, native_enum=False, length=10, validate_strings=True),
        default=OutboxState.pending)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: Earliest moment of the next attempt; pushed back after every failure.
    due_at: Mapped[datetime] = mapped_column(default=utcnow)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(sa.Text)
    sent_at: Mapped[datetime | None]
