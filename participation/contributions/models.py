"""A contribution (inbreng) to round 1, its edit history and its position paper."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, column_property, mapped_column, relationship

from ..accounts.models import Organisation, OrganisationKind, User, listed_under_organisation
from ..core.extensions import db
from ..core.mixins import ModeratedMixin, RedactableMixin, VersionedMixin
from ..processes.models import Round, Theme
from ..core.timeutil import utcnow


class Contribution(ModeratedMixin, VersionedMixin, RedactableMixin, db.Model):
    """Its state and visibility (`state`, `is_shown`, `hide()`) come from ModeratedMixin."""
    __tablename__ = "contribution"
    # The reading pages: shown (ModeratedMixin.is_shown), newest first, per theme or all. Partial
    # indexes (only rows not hidden) because PostgreSQL does not take "hidden_at IS NULL" as
    # an equality, so an index with hidden_at in the middle could not give the order; the
    # trailing hidden_at lets SQLite count from the index alone. The index gives the page
    # (backwards, LIMIT 20), its count and the counts per theme without reading the table.
    __table_args__ = (
        sa.Index("ix_contribution_round_state", "round_id", "state"),
        sa.Index("ix_contribution_reading", "round_id", "state", "theme_id", "created_at", "id",
                 "hidden_at", sqlite_where=sa.text("hidden_at IS NULL"),
                 postgresql_where=sa.text("hidden_at IS NULL")),
        sa.Index("ix_contribution_recent", "round_id", "state", "created_at", "id", "hidden_at",
                 sqlite_where=sa.text("hidden_at IS NULL"),
                 postgresql_where=sa.text("hidden_at IS NULL")),
        # An export's content version (export/jobs.py) from the index alone (migration 0015).
        sa.Index("ix_contribution_content_version", "round_id", "version", "updated_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(sa.ForeignKey("round.id"))
    theme_id: Mapped[int] = mapped_column(sa.ForeignKey("theme.id"), index=True)
    #: The stakeholder; None for offline input given on behalf of an organisation.
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"), index=True)
    organisation_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organisation.id"),
                                                        index=True)
    #: The organisation as it was when submitted: a later rename or move does not rewrite it.
    organisation_name: Mapped[str | None] = mapped_column(sa.String(200))
    organisation_kind: Mapped[OrganisationKind | None] = mapped_column(
        sa.Enum(OrganisationKind, native_enum=False, length=20, validate_strings=True))
    title: Mapped[str] = mapped_column(sa.String(200))
    body_md: Mapped[str] = mapped_column(sa.Text)
    #: body_md rendered and cleaned with bleach on save; the only form ever shown.
    body_html: Mapped[str] = mapped_column(sa.Text)
    #: Offline input: how it reached the team ("e-mail of 3 March"); entered_by is the moderator.
    offline_source: Mapped[str | None] = mapped_column(sa.String(300))
    entered_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    #: A random key from the form: the same form sent twice makes one contribution.
    submission_key: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    withdrawn_at: Mapped[datetime | None]
    #: Removed at the author's request when they deleted their account: text, revisions and
    #: paper are erased; the row stays (state withdrawn) so the audit trail still points at it.
    removed_at: Mapped[datetime | None]

    round: Mapped[Round] = relationship()
    theme: Mapped[Theme] = relationship()
    author: Mapped[User | None] = relationship(foreign_keys=[author_id])
    entered_by: Mapped[User | None] = relationship(foreign_keys=[entered_by_id])
    organisation: Mapped[Organisation | None] = relationship()
    attachment: Mapped[Attachment | None] = relationship(back_populates="contribution",
                                                         uselist=False)
    revisions: Mapped[list[ContributionRevision]] = relationship(
        back_populates="contribution", order_by="ContributionRevision.id")

    @property
    def is_offline(self) -> bool:
        return self.offline_source is not None


class ThemeTally(db.Model):
    """How many contributions of a round's theme everyone may read (`is_shown`): the reading
    page's counts per theme from one row each, instead of counting every shown contribution of
    the round on each request. Kept by the database's triggers on `contribution` (migration
    0016_theme_tally), so every way of writing keeps it right; the application only reads it."""
    __tablename__ = "theme_tally"

    round_id: Mapped[int] = mapped_column(sa.ForeignKey("round.id", ondelete="CASCADE"),
                                          primary_key=True)
    theme_id: Mapped[int] = mapped_column(sa.ForeignKey("theme.id", ondelete="CASCADE"),
                                          primary_key=True)
    shown: Mapped[int]


#: Listed under its organisation (accounts.models.listed_under_organisation), computed by the
#: database. Deferred: lists load it with undefer() in their one query; a single item loads it
#: when asked.
Contribution.listed_under_organisation = column_property(
    listed_under_organisation(Contribution.__table__.c.author_id,
                              Contribution.__table__.c.organisation_id,
                              Contribution.__table__.c.organisation_kind), deferred=True)


class ContributionRevision(db.Model):
    """The text as it was before an edit: edits never lose what was said."""
    __tablename__ = "contribution_revision"

    id: Mapped[int] = mapped_column(primary_key=True)
    contribution_id: Mapped[int] = mapped_column(sa.ForeignKey("contribution.id"), index=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    body_md: Mapped[str] = mapped_column(sa.Text)
    body_html: Mapped[str] = mapped_column(sa.Text)
    #: When this version was written (the created or previous updated time).
    written_at: Mapped[datetime]
    replaced_at: Mapped[datetime] = mapped_column(default=utcnow)
    replaced_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))

    contribution: Mapped[Contribution] = relationship(back_populates="revisions")


class Attachment(db.Model):
    """A position paper (PDF) stored under instance/uploads; served only to who may see it."""
    __tablename__ = "attachment"

    id: Mapped[int] = mapped_column(primary_key=True)
    contribution_id: Mapped[int] = mapped_column(sa.ForeignKey("contribution.id"), unique=True)
    #: Random name on disk; the original name is only shown, never used as a path.
    stored_name: Mapped[str] = mapped_column(sa.String(80), unique=True)
    original_name: Mapped[str] = mapped_column(sa.String(200))
    size: Mapped[int]
    pages: Mapped[int]
    sha256: Mapped[str] = mapped_column(sa.String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    contribution: Mapped[Contribution] = relationship(back_populates="attachment")
