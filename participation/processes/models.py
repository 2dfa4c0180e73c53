"""A participation process (traject), its rounds (rondes) and themes (thema's)."""
from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.extensions import db
from ..core.mixins import VersionedMixin
from ..core.timeutil import utcnow


class RoundKind(enum.Enum):
    input = "input"  #: round 1: open input on themes
    feedback = "feedback"  #: round 2: comments on the draft's sections


class ModerationMode(enum.Enum):
    pre = "pre"  #: new contributions wait for the team
    post = "post"  #: published at once; the team can hide them later


class Audience(enum.Enum):
    registered = "registered"  #: anyone with a confirmed account
    invited = "invited"  #: members of the process and those who took part in round 1


class RoundState(enum.Enum):
    upcoming = "upcoming"
    open = "open"
    closed = "closed"


class Process(VersionedMixin, db.Model):
    __tablename__ = "process"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(80), unique=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    summary: Mapped[str] = mapped_column(sa.String(500), default="")
    intro_md: Mapped[str] = mapped_column(sa.Text, default="")
    #: intro_md rendered and cleaned on save; the only form shown.
    intro_html: Mapped[str] = mapped_column(sa.Text, default="")
    contact: Mapped[str] = mapped_column(sa.String(300), default="")
    #: False: invite-only; only members and the team can see it.
    is_public: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    rounds: Mapped[list[Round]] = relationship(back_populates="process", order_by="Round.opens_at",
                                               cascade="all, delete-orphan")
    themes: Mapped[list[Theme]] = relationship(back_populates="process",
                                               order_by="Theme.position",
                                               cascade="all, delete-orphan")

    def round_of(self, kind: RoundKind) -> Round | None:
        return next((r for r in self.rounds if r.kind is kind), None)


class Round(VersionedMixin, db.Model):
    __tablename__ = "round"
    __table_args__ = (sa.UniqueConstraint("process_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    process_id: Mapped[int] = mapped_column(sa.ForeignKey("process.id"), index=True)
    kind: Mapped[RoundKind] = mapped_column(
        sa.Enum(RoundKind, native_enum=False, length=10, validate_strings=True))
    #: UTC; shown in Europe/Amsterdam.
    opens_at: Mapped[datetime]
    closes_at: Mapped[datetime]
    moderation: Mapped[ModerationMode] = mapped_column(
        sa.Enum(ModerationMode, native_enum=False, length=10, validate_strings=True),
        default=ModerationMode.post)
    audience: Mapped[Audience] = mapped_column(
        sa.Enum(Audience, native_enum=False, length=12, validate_strings=True),
        default=Audience.registered)

    process: Mapped[Process] = relationship(back_populates="rounds")

    def state(self, now: datetime | None = None) -> RoundState:
        now = now or utcnow()
        if now < self.opens_at:
            return RoundState.upcoming
        if now >= self.closes_at:
            return RoundState.closed
        return RoundState.open


class Theme(VersionedMixin, db.Model):
    __tablename__ = "theme"

    id: Mapped[int] = mapped_column(primary_key=True)
    process_id: Mapped[int] = mapped_column(sa.ForeignKey("process.id"), index=True)
    #: Order on the page; the team reorders by swapping positions.
    position: Mapped[int] = mapped_column(default=0)
    title: Mapped[str] = mapped_column(sa.String(200))
    description: Mapped[str] = mapped_column(sa.String(1000), default="")
    #: Retired themes take no new input but keep (and show) what they have.
    retired_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    process: Mapped[Process] = relationship(back_populates="themes")

    @property
    def is_retired(self) -> bool:
        return self.retired_at is not None


class ProcessMember(db.Model):
    """A person admitted to an invite-only process or to an 'invited' round's audience."""
    __tablename__ = "process_member"
    __table_args__ = (sa.UniqueConstraint("process_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    process_id: Mapped[int] = mapped_column(sa.ForeignKey("process.id"), index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"), index=True)
    #: How they came in, e.g. "invitation" or "team".
    source: Mapped[str] = mapped_column(sa.String(40), default="team")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
