"""Flags, the municipality's responses, and response templates."""
from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..accounts.models import User
from ..core.extensions import db
from ..core.mixins import VersionedMixin
from ..core.timeutil import utcnow


class TargetType(enum.Enum):
    contribution = "contribution"
    comment = "comment"


class FlagReason(enum.Enum):
    offensive = "offensive"
    personal_data = "personal_data"
    spam = "spam"
    off_topic = "off_topic"
    other = "other"


class Flag(db.Model):
    """A participant's report that an item needs the team's attention; once per person."""
    __tablename__ = "flag"
    __table_args__ = (sa.UniqueConstraint("target_type", "target_id", "user_id"),
                      sa.Index("ix_flag_target", "target_type", "target_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    target_type: Mapped[TargetType] = mapped_column(
        sa.Enum(TargetType, native_enum=False, length=14, validate_strings=True))
    target_id: Mapped[int]
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"))
    reason: Mapped[FlagReason] = mapped_column(
        sa.Enum(FlagReason, native_enum=False, length=14, validate_strings=True))
    note: Mapped[str] = mapped_column(sa.String(1000), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: Set when the team has dealt with it (hid the item, or decided it may stay).
    handled_at: Mapped[datetime | None]


class Disposition(enum.Enum):
    adopted = "adopted"  #: overgenomen
    partly = "partly"  #: deels overgenomen
    not_adopted = "not_adopted"  #: niet overgenomen
    noted = "noted"  #: ter kennisgeving
    already = "already"  #: al opgenomen


class Response(VersionedMixin, db.Model):
    """The municipality's answer to one contribution or comment."""
    __tablename__ = "response"
    __table_args__ = (sa.UniqueConstraint("target_type", "target_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    process_id: Mapped[int] = mapped_column(sa.ForeignKey("process.id"), index=True)
    target_type: Mapped[TargetType] = mapped_column(
        sa.Enum(TargetType, native_enum=False, length=14, validate_strings=True))
    target_id: Mapped[int]
    disposition: Mapped[Disposition] = mapped_column(
        sa.Enum(Disposition, native_enum=False, length=14, validate_strings=True))
    body_md: Mapped[str] = mapped_column(sa.Text)
    body_html: Mapped[str] = mapped_column(sa.Text)
    #: None: a draft the team can still change, not shown to the author.
    published_at: Mapped[datetime | None]
    written_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    written_by: Mapped[User | None] = relationship()
    sections: Mapped[list[ResponseSection]] = relationship(cascade="all, delete-orphan")


class ResponseSection(db.Model):
    """Where the input was taken up: a section (lineage) of the draft."""
    __tablename__ = "response_section"
    __table_args__ = (sa.UniqueConstraint("response_id", "lineage_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(sa.ForeignKey("response.id"), index=True)
    lineage_id: Mapped[int] = mapped_column(sa.ForeignKey("section_lineage.id"))


class ResponseTemplate(VersionedMixin, db.Model):
    """A reusable answer for many similar items."""
    __tablename__ = "response_template"

    id: Mapped[int] = mapped_column(primary_key=True)
    process_id: Mapped[int] = mapped_column(sa.ForeignKey("process.id"), index=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    disposition: Mapped[Disposition] = mapped_column(
        sa.Enum(Disposition, native_enum=False, length=14, validate_strings=True))
    body_md: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
