"""Model pieces shared by features.

ModeratedMixin: the state of every item the team moderates (contributions and comments), the
team's decision and hiding, and the one rule of what everyone may read (`is_shown`), in Python
and in SQL alike. Moderation hides, it does not delete; history matters in a public process.
VersionedMixin: the version of anything two people can edit at the same moment, checked by
every UPDATE of the row (participation.core.conflicts says what a form does with it).
"""
from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.hybrid import hybrid_method, hybrid_property
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

from .timeutil import utcnow


class ModerationState(enum.Enum):
    """Where a contribution or comment stands; the same four for both."""
    pending = "pending"  #: waiting for the team (pre-moderation)
    published = "published"
    rejected = "rejected"  #: by the team in pre-moderation; its author hears why
    #: By its author; kept for the record, shown to nobody else (a withdrawn comment's replies
    #: keep their place under "comment withdrawn").
    withdrawn = "withdrawn"


def shown_to_everyone(state: ModerationState, hidden: bool) -> bool:
    """The one rule of what everyone may read: published and not hidden. ModeratedMixin.is_shown
    is this for a model and its SQL form; plain data (the document's items) calls it."""
    return state is ModerationState.published and not hidden


class ModeratedMixin:
    """The columns and the visibility rule of an item the team moderates.

    The model also has `author_id` (who wrote it), which `is_shown_to` reads.
    """
    #: The length and the stored values are those of the migrations (a VARCHAR, no native enum).
    state: Mapped[ModerationState] = mapped_column(
        sa.Enum(ModerationState, native_enum=False, length=12, validate_strings=True))
    #: The team's decision in pre-moderation (approve or reject), by whom and why.
    moderated_at: Mapped[datetime | None]
    moderated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    rejection_reason: Mapped[str | None] = mapped_column(sa.Text)
    #: Hidden by the team: kept, but shown to nobody but the team and the author.
    hidden_at: Mapped[datetime | None]
    hidden_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    hidden_reason: Mapped[str | None] = mapped_column(sa.Text)

    # --- the one rule: what everyone may read ---------------------------------------------

    @hybrid_property
    def is_shown(self) -> bool:
        """Published and not hidden: what every page, count, search and the public document
        show to everyone. In SQL (`Model.is_shown` in a WHERE) the same rule."""
        return shown_to_everyone(self.state, self.hidden_at is not None)

    @is_shown.inplace.expression
    @classmethod
    def _is_shown_expression(cls):
        # state first, then hidden_at: the order of the reading pages' partial indexes, whose
        # condition (hidden_at IS NULL) this must contain for the database to use them.
        return sa.and_(cls.state == ModerationState.published, cls.hidden_at.is_(None))

    @hybrid_property
    def is_hidden(self) -> bool:
        """Hidden by the team (whatever its state)."""
        return self.hidden_at is not None

    @is_hidden.inplace.expression
    @classmethod
    def _is_hidden_expression(cls):
        return cls.hidden_at.is_not(None)

    @hybrid_method
    def is_shown_to(self, user_id: int | None) -> bool:
        """Shown to everyone, or waiting for the team and written by this reader: an author
        sees their own pending item among the others (a thread, its count). Hiding wins."""
        return self.is_shown or (user_id is not None and self.author_id == user_id
                                 and self.state is ModerationState.pending
                                 and self.hidden_at is None)

    @is_shown_to.inplace.expression
    @classmethod
    def _is_shown_to_expression(cls, user_id: int | None):
        if user_id is None:
            return cls.is_shown
        return sa.or_(cls.is_shown, sa.and_(cls.hidden_at.is_(None),
                                            cls.state == ModerationState.pending,
                                            cls.author_id == user_id))

    # --- the behaviour ---------------------------------------------------------------------

    def hide(self, user, reason: str) -> None:
        """Hidden by `user` of the team, for `reason` (shown to the team and the author)."""
        self.hidden_at, self.hidden_by_id, self.hidden_reason = utcnow(), user.id, reason

    def unhide(self) -> None:
        self.hidden_at = self.hidden_by_id = self.hidden_reason = None


class VersionedMixin:
    #: Raised by every save of the text or settings; a form carries the version it was made
    #: from, and a save from an older version is refused (nothing is overwritten silently).
    version: Mapped[int] = mapped_column(default=1, server_default="1")

    @declared_attr.directive
    def __mapper_args__(cls) -> dict:
        # Every UPDATE of the row says WHERE version = <the version loaded>: a change saved by
        # someone else between loading and saving fails the flush (StaleDataError) instead of
        # being overwritten. Not a generator: only saves of the text or settings raise the
        # version (raise_version), so that the team approving or hiding an item does not
        # refuse its author's edit form.
        return {"version_id_col": cls.version, "version_id_generator": False}

    def raise_version(self) -> None:
        """Called by the services that change what an edit form shows."""
        self.version = self.version + 1


class RedactableMixin:
    """The text as the public reads it: the author's words with personal data replaced
    ("[naam]"), once found (participation.redaction sets the two columns), else as written.

    `published_md` / `published_html` are the one choice every public page, the public
    document and mails to others make; the team's pages, the internal document and the
    author's own data download read `body_md` / `body_html`, the original.
    """
    #: The author's text with the redaction applied; None when nothing is redacted.
    redacted_md: Mapped[str | None] = mapped_column(sa.Text)
    #: redacted_md rendered and cleaned like body_html.
    redacted_html: Mapped[str | None] = mapped_column(sa.Text)

    @hybrid_property
    def published_md(self) -> str:
        return self.redacted_md if self.redacted_md is not None else self.body_md

    @published_md.inplace.expression
    @classmethod
    def _published_md_expression(cls):
        return sa.func.coalesce(cls.redacted_md, cls.body_md)

    @hybrid_property
    def published_html(self) -> str:
        return self.redacted_html if self.redacted_html is not None else self.body_html

    @published_html.inplace.expression
    @classmethod
    def _published_html_expression(cls):
        return sa.func.coalesce(cls.redacted_html, cls.body_html)
