"""The analysis as stored for the team: groups of similar input per process and round, the
team's own codes (tags) on items, and the near-duplicate pairs of the last run.

The analysis suggests; the team decides. A group remembers what the team did to it (renamed,
made by hand) and an item remembers whether the team placed it (`pinned`), so that running
the analysis again after new input keeps those choices (services.refresh_groups).

An item is a contribution (round 1) or a comment (round 2), named by `item_kind` and `item_id`
(moderation.models.TargetType, as responses and flags name them).
"""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.extensions import db
from ..core.mixins import VersionedMixin
from ..core.timeutil import utcnow
from ..moderation.models import TargetType
from ..processes.models import RoundKind

#: The kind of item (contribution or comment), as responses and flags name it.
ItemKind = TargetType

_item_kind = sa.Enum(TargetType, native_enum=False, length=14, validate_strings=True)
_round_kind = sa.Enum(RoundKind, native_enum=False, length=10, validate_strings=True)


class GroupSet(VersionedMixin, db.Model):
    """The stored groups of one round of one process as a whole: when the analysis last ran,
    on how many items. Every change to the round's groups raises its version first (an UPDATE
    of this row), which holds the round's groups for that change until the commit on both
    databases: two team members merging at once, or a re-run meeting a rename, wait for each
    other instead of overwriting each other."""
    __tablename__ = "analysis_group_set"
    __table_args__ = (sa.UniqueConstraint("process_id", "round_kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    process_id: Mapped[int] = mapped_column(sa.ForeignKey("process.id"))
    round_kind: Mapped[RoundKind] = mapped_column(_round_kind)
    #: None: the analysis never ran (the groups are all the team's, or there are none).
    analysed_at: Mapped[datetime | None]
    #: The number of items the last run read.
    items_analysed: Mapped[int] = mapped_column(default=0)


class AnalysisGroup(VersionedMixin, db.Model):
    """A group of items about one concern: suggested by the analysis or made by the team."""
    __tablename__ = "analysis_group"
    __table_args__ = (sa.Index("ix_analysis_group_round", "process_id", "round_kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    process_id: Mapped[int] = mapped_column(sa.ForeignKey("process.id"))
    round_kind: Mapped[RoundKind] = mapped_column(_round_kind)
    #: What the group is called: the team's name once it renamed it, else the suggested one.
    label: Mapped[str] = mapped_column(sa.String(200))
    #: What the analysis called it the last time it matched this group ("" for a group the team
    #: made and the analysis never matched).
    suggested_label: Mapped[str] = mapped_column(sa.String(200), default="")
    #: The words that weigh most in the group (from the last run that matched it).
    key_phrases: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    #: True: made by the analysis; False: made by the team (a split).
    is_suggested: Mapped[bool] = mapped_column(default=True)
    #: The team named it: a re-run keeps `label` and updates only `suggested_label`.
    is_renamed: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    items: Mapped[list[AnalysisGroupItem]] = relationship(
        back_populates="group", cascade="all, delete-orphan", order_by="AnalysisGroupItem.id")

    @property
    def name(self) -> str:
        return self.label


class AnalysisGroupItem(db.Model):
    """One item in one group; an item is in at most one group (of its round)."""
    __tablename__ = "analysis_group_item"
    __table_args__ = (sa.UniqueConstraint("item_kind", "item_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(
        sa.ForeignKey("analysis_group.id", ondelete="CASCADE"), index=True)
    item_kind: Mapped[TargetType] = mapped_column(_item_kind)
    item_id: Mapped[int]
    #: The team placed it here (moved, merged or split): a re-run leaves it where it is.
    pinned: Mapped[bool] = mapped_column(default=False)

    group: Mapped[AnalysisGroup] = relationship(back_populates="items")


class Code(VersionedMixin, db.Model):
    """One of the team's own tags for items of a process ("wonen", "netcongestie")."""
    __tablename__ = "analysis_code"
    __table_args__ = (sa.UniqueConstraint("process_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    process_id: Mapped[int] = mapped_column(sa.ForeignKey("process.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(60))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    items: Mapped[list[ItemCode]] = relationship(back_populates="code",
                                                 cascade="all, delete-orphan")


class ItemCode(db.Model):
    """A code given to an item, once per item."""
    __tablename__ = "analysis_item_code"
    __table_args__ = (sa.UniqueConstraint("code_id", "item_kind", "item_id"),
                      sa.Index("ix_analysis_item_code_item", "item_kind", "item_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    code_id: Mapped[int] = mapped_column(sa.ForeignKey("analysis_code.id", ondelete="CASCADE"))
    item_kind: Mapped[TargetType] = mapped_column(_item_kind)
    item_id: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))

    code: Mapped[Code] = relationship(back_populates="items")


class NearDuplicate(db.Model):
    """Two items of a round whose texts are almost the same (the last run's finding)."""
    __tablename__ = "analysis_near_duplicate"
    __table_args__ = (sa.UniqueConstraint("item_kind", "first_id", "second_id"),
                      sa.Index("ix_analysis_near_duplicate_round", "process_id", "round_kind"))

    id: Mapped[int] = mapped_column(primary_key=True)
    process_id: Mapped[int] = mapped_column(sa.ForeignKey("process.id"))
    round_kind: Mapped[RoundKind] = mapped_column(_round_kind)
    item_kind: Mapped[TargetType] = mapped_column(_item_kind)
    #: The smaller id first.
    first_id: Mapped[int]
    second_id: Mapped[int]
