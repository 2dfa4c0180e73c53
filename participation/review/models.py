"""The member check (meeleesronde op het verslag): the review window, the personal links, and
what each participant said about how their input is represented."""
from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..core.extensions import db
from ..core.mixins import VersionedMixin
from ..core.timeutil import utcnow


class MemberCheck(db.Model):
    """The review window of a process: one per process (the unique key makes a second opening,
    also by two team members at once, a message instead of a second round of mail)."""
    __tablename__ = "member_check"

    id: Mapped[int] = mapped_column(primary_key=True)
    process_id: Mapped[int] = mapped_column(sa.ForeignKey("process.id"), unique=True)
    opens_at: Mapped[datetime]
    closes_at: Mapped[datetime]
    opened_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: Items without a published response when the window was opened (the team was warned).
    unanswered_at_opening: Mapped[int] = mapped_column(default=0)

    def is_open(self, now: datetime | None = None) -> bool:
        now = now or utcnow()
        return self.opens_at <= now < self.closes_at


class ReviewLink(db.Model):
    """One participant's personal link into the member check; only its hash is stored."""
    __tablename__ = "review_link"
    __table_args__ = (sa.UniqueConstraint("check_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    check_id: Mapped[int] = mapped_column(sa.ForeignKey("member_check.id"))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"), index=True)
    #: sha256 of the token in the mailed link; the token itself is only ever in the e-mail.
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    sent_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    #: The link was followed (and so can no longer be used); a new one clears it.
    used_at: Mapped[datetime | None]
    #: The one reminder before the window closes went out.
    reminded_at: Mapped[datetime | None]


class Verdict(enum.Enum):
    confirmed = "confirmed"  #: "this is how I meant it"
    reaction = "reaction"  #: a correction or a reaction, with text


class ReviewSubject(enum.Enum):
    contribution = "contribution"
    comment = "comment"
    document = "document"  #: on the whole: the person's part of the document


class ReviewReply(VersionedMixin, db.Model):
    """A participant's confirmation of, or reaction to, one of their items or their whole part;
    one per person per subject (a second confirmation or an edit changes this row)."""
    __tablename__ = "review_reply"
    __table_args__ = (sa.UniqueConstraint("check_id", "user_id", "subject", "subject_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    check_id: Mapped[int] = mapped_column(sa.ForeignKey("member_check.id"))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"), index=True)
    subject: Mapped[ReviewSubject] = mapped_column(
        sa.Enum(ReviewSubject, native_enum=False, length=14, validate_strings=True))
    #: The contribution's or comment's id; 0 for the whole document (a NULL would not be unique).
    subject_id: Mapped[int] = mapped_column(default=0)
    verdict: Mapped[Verdict] = mapped_column(
        sa.Enum(Verdict, native_enum=False, length=10, validate_strings=True))
    body_md: Mapped[str] = mapped_column(sa.Text, default="")
    body_html: Mapped[str] = mapped_column(sa.Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: The last change by the participant: an answer older than this answers an earlier text.
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)
    answer_md: Mapped[str] = mapped_column(sa.Text, default="")
    answer_html: Mapped[str] = mapped_column(sa.Text, default="")
    answered_at: Mapped[datetime | None]
    answered_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))

    @property
    def needs_answer(self) -> bool:
        return self.verdict is Verdict.reaction and (
            self.answered_at is None or self.answered_at < self.changed_at)
