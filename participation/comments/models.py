"""Comments (reacties) on a section, in threads, with their history and support."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, column_property, mapped_column, relationship

from ..accounts.models import OrganisationKind, User, listed_under_organisation
from ..core.extensions import db
from ..core.mixins import ModeratedMixin, VersionedMixin
from ..core.timeutil import utcnow


class Comment(ModeratedMixin, VersionedMixin, db.Model):
    """Its state and visibility (`state`, `is_shown`, `hide()`) come from ModeratedMixin."""
    __tablename__ = "comment"
    # Counting what a thread shows (state, hidden) reads only the index.
    __table_args__ = (sa.Index("ix_comment_lineage_visible", "lineage_id", "state", "hidden_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(sa.ForeignKey("round.id"), index=True)
    #: The section across versions: the thread follows the text into later versions.
    lineage_id: Mapped[int] = mapped_column(sa.ForeignKey("section_lineage.id"))
    #: The section as it was read when the comment was written (which version).
    section_id: Mapped[int] = mapped_column(sa.ForeignKey("section.id"), index=True)
    parent_id: Mapped[int | None] = mapped_column(sa.ForeignKey("comment.id"), index=True)
    #: 0 for a comment on the section, parent's depth + 1 for a reply.
    depth: Mapped[int] = mapped_column(default=0)
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"), index=True)
    organisation_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organisation.id"))
    #: As it was when written, as for round-1 input.
    organisation_name: Mapped[str | None] = mapped_column(sa.String(200))
    organisation_kind: Mapped[OrganisationKind | None] = mapped_column(
        sa.Enum(OrganisationKind, native_enum=False, length=20, validate_strings=True))
    #: Written by the project team: shown as the municipality's.
    by_team: Mapped[bool] = mapped_column(default=False)
    body_md: Mapped[str] = mapped_column(sa.Text)
    body_html: Mapped[str] = mapped_column(sa.Text)
    submission_key: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    withdrawn_at: Mapped[datetime | None]
    #: Removed at the author's request when they deleted their account: the text is erased and
    #: the row stays only as a placeholder (replies keep their place under "comment removed").
    removed_at: Mapped[datetime | None]

    author: Mapped[User | None] = relationship(foreign_keys=[author_id])
    parent: Mapped[Comment | None] = relationship(remote_side=[id])


#: Listed under its organisation, as for round-1 input (Contribution.listed_under_organisation).
Comment.listed_under_organisation = column_property(
    listed_under_organisation(Comment.__table__.c.author_id, Comment.__table__.c.organisation_id,
                              Comment.__table__.c.organisation_kind), deferred=True)


class CommentRevision(db.Model):
    __tablename__ = "comment_revision"

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int] = mapped_column(sa.ForeignKey("comment.id"), index=True)
    body_md: Mapped[str] = mapped_column(sa.Text)
    body_html: Mapped[str] = mapped_column(sa.Text)
    written_at: Mapped[datetime]
    replaced_at: Mapped[datetime] = mapped_column(default=utcnow)


class CommentSupport(db.Model):
    """"I agree": once per person and comment."""
    __tablename__ = "comment_support"
    __table_args__ = (sa.UniqueConstraint("comment_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int] = mapped_column(sa.ForeignKey("comment.id"), index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
