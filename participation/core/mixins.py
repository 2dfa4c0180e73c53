"""Model pieces shared by features.

ModeratedMixin: the columns of every item the team moderates: its decision and hiding.
Moderation hides, it does not delete; history matters in a public process.
VersionedMixin: the version of anything two people can edit at the same moment, checked by
every UPDATE of the row (participation.core.conflicts says what a form does with it).
"""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, declared_attr, mapped_column


class ModeratedMixin:
    #: The team's decision in pre-moderation (approve or reject), by whom and why.
    moderated_at: Mapped[datetime | None]
    moderated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    rejection_reason: Mapped[str | None] = mapped_column(sa.Text)
    #: Hidden by the team: kept, but shown to nobody but the team and the author.
    hidden_at: Mapped[datetime | None]
    hidden_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    hidden_reason: Mapped[str | None] = mapped_column(sa.Text)


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
