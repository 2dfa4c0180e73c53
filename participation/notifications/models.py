"""Notification choices and the replies waiting to be reported."""
from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..core.extensions import db
from ..core.timeutil import utcnow


class NotifyMode(enum.Enum):
    each = "each"  #: an e-mail for every reply (the default)
    daily = "daily"  #: one digest a day
    none = "none"


class NotificationPreference(db.Model):
    __tablename__ = "notification_preference"
    __table_args__ = (sa.UniqueConstraint("user_id", "process_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"))
    process_id: Mapped[int] = mapped_column(sa.ForeignKey("process.id"))
    mode: Mapped[NotifyMode] = mapped_column(
        sa.Enum(NotifyMode, native_enum=False, length=8, validate_strings=True))


class ReplyNotice(db.Model):
    """A reply someone should hear about; for the daily digest until it is mailed."""
    __tablename__ = "reply_notice"
    __table_args__ = (sa.Index("ix_reply_notice_pending", "sent_at", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"))
    process_id: Mapped[int] = mapped_column(sa.ForeignKey("process.id"))
    comment_id: Mapped[int] = mapped_column(sa.ForeignKey("comment.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]
