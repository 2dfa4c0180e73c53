"""An invitation: an e-mailed, single-use, expiring link, stored only as a hash."""
from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..core.extensions import db
from ..core.timeutil import utcnow


class InvitationKind(enum.Enum):
    read_along = "read_along"  #: read the draft and comment in round 2 (meelezen)
    full = "full"  #: take part in both rounds


class Invitation(db.Model):
    __tablename__ = "invitation"
    __table_args__ = (sa.Index("ix_invitation_process_email", "process_id", "email"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    process_id: Mapped[int] = mapped_column(sa.ForeignKey("process.id"))
    email: Mapped[str] = mapped_column(sa.String(254))
    name: Mapped[str] = mapped_column(sa.String(120))
    organisation_name: Mapped[str] = mapped_column(sa.String(200), default="")
    kind: Mapped[InvitationKind] = mapped_column(
        sa.Enum(InvitationKind, native_enum=False, length=12, validate_strings=True))
    #: sha256 of the token in the link; the token itself is only ever in the e-mail.
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    invited_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_sent_at: Mapped[datetime] = mapped_column(default=utcnow)
    times_sent: Mapped[int] = mapped_column(default=1)
    expires_at: Mapped[datetime]
    accepted_at: Mapped[datetime | None]
    accepted_user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    revoked_at: Mapped[datetime | None]

    def status(self, now: datetime | None = None) -> str:
        if self.accepted_at:
            return "accepted"
        if self.revoked_at:
            return "revoked"
        if (now or utcnow()) >= self.expires_at:
            return "expired"
        return "open"
