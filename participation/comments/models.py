"""Comments (reacties) on a section, in threads, with their history and support."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, column_property, mapped_column, relationship

from ..accounts.models import OrganisationKind, User, listed_under_organisation
from ..core.extensions import db
from ..core.mixins import ModeratedMixin, RedactableMixin, VersionedMixin
from ..core.timeutil import utcnow


class Comment(ModeratedMixin, VersionedMixin, RedactableMixin, db.Model):
    """Its state and visibility (`state`, `is_shown`, `hide()`) come from ModeratedMixin."""
    __tablename__ = "comment"
    __table_args__ = (
        # An export's content version (export/jobs.py) from the index alone (migration 0015).
        sa.Index("ix_comment_content_version", "round_id", "version", "updated_at"),
        # Counting what a thread shows (state, hidden) reads only the index.
        sa.Index("ix_comment_lineage_visible", "lineage_id", "state", "hidden_at"),
        # A thread's page: its conversations in order and who may see their first comments,
        # from the index alone (partial, as the reading indexes of migration 0006: PostgreSQL
        # does not take "IS NULL" as an equality that gives the order of the columns after
        # it; parent_id in it too, as SQLite reads the index alone only when it holds every
        # column the query names)...
        sa.Index("ix_comment_conversations", "lineage_id", "created_at", "id", "state",
                 "hidden_at", "author_id", "parent_id", sqlite_where=sa.text("parent_id IS NULL"),
                 postgresql_where=sa.text("parent_id IS NULL")),
        # ...whether a conversation holds anything this reader may see, and its replies.
        sa.Index("ix_comment_root_visible", "root_id", "state", "hidden_at", "author_id"),
        # Every reply knows its conversation; what writes one without it fails here.
        sa.CheckConstraint("(parent_id IS NULL) = (root_id IS NULL)", name="root_with_parent"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(sa.ForeignKey("round.id"), index=True)
    #: The section across versions: the thread follows the text into later versions.
    lineage_id: Mapped[int] = mapped_column(sa.ForeignKey("section_lineage.id"))
    #: The section as it was read when the comment was written (which version).
    section_id: Mapped[int] = mapped_column(sa.ForeignKey("section.id"), index=True)
    parent_id: Mapped[int | None] = mapped_column(sa.ForeignKey("comment.id"), index=True)
    #: 0 for a comment on the section, parent's depth + 1 for a reply.
    depth: Mapped[int] = mapped_column(default=0)
    #: For a reply, the conversation's first comment (the one on the section, at depth 0);
    #: None for that comment itself. Set once, when the reply is written (`place_under`), and
    #: never changed: moderation, withdrawal and erasure keep every row in its place. A
    #: thread's page loads its conversations by it (comments.services.thread_page).
    root_id: Mapped[int | None] = mapped_column(sa.ForeignKey("comment.id"))
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
    parent: Mapped[Comment | None] = relationship(remote_side=[id], foreign_keys=[parent_id])

    @staticmethod
    def place_under(parent) -> dict:
        """The columns that place a new comment in its thread: under `parent` (a Comment, or a
        row with its id, depth and root_id), or on the section for None. The services, the
        demo and the tests' make_comment take them from here; bulk inserts (the tests'
        make_many_comments, bench/seed.py) set the same three columns, and the check
        constraint refuses a reply without its root."""
        if parent is None:
            return {"parent_id": None, "depth": 0, "root_id": None}
        return {"parent_id": parent.id, "depth": parent.depth + 1,
                "root_id": parent.root_id if parent.root_id is not None else parent.id}


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
