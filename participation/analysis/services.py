"""The analysis of a round: its shown items loaded in one query, grouped (grouping.py), and
the result as the plain data of the `analyse` command's JSON."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from ..comments.models import Comment
from ..contributions.models import Contribution
from ..audit.services import record
from ..core.conflicts import check_version, for_change
from ..core.extensions import db
from ..core.timeutil import utcnow
from ..drafts.models import Section
from ..processes.models import Process, Round, RoundKind, Theme
from .items import Analysis, Group, Item
from .models import AnalysisGroup, AnalysisGroupItem, GroupSet, ItemKind, NearDuplicate

#: How much of a comment's text stands for its title in the result (comments have none).
EXCERPT = 80


def round_items(process: Process, kind: RoundKind, *, theme_id: int | None = None,
                lineage_id: int | None = None) -> list[Item]:
    """The round's items that everyone may read (ModeratedMixin.is_shown), oldest first, in one
    query: round 1's contributions (of one theme, if given), or round 2's comments by
    participants (on one section across its versions, if given); the team's own comments are
    answers, not input."""
    if kind is RoundKind.input:
        query = (sa.select(Contribution.id, Contribution.title, Contribution.body_md)
                 .join(Round, Round.id == Contribution.round_id)
                 .where(Round.process_id == process.id, Round.kind == RoundKind.input,
                        Contribution.is_shown)
                 .order_by(Contribution.id))
        if theme_id is not None:
            query = query.where(Contribution.theme_id == theme_id)
        return [Item(row.id, "contribution", row.title, row.body_md)
                for row in db.session.execute(query)]
    query = (sa.select(Comment.id, Comment.body_md)
             .join(Round, Round.id == Comment.round_id)
             .where(Round.process_id == process.id, Round.kind == RoundKind.feedback,
                    Comment.is_shown, Comment.by_team.is_(False))
             .order_by(Comment.id))
    if lineage_id is not None:
        query = query.where(Comment.lineage_id == lineage_id)
    return [Item(row.id, "comment", "", row.body_md) for row in db.session.execute(query)]


def analyse_round(process: Process, kind: RoundKind, *, theme_id: int | None = None,
                  lineage_id: int | None = None) -> Analysis:
    from .grouping import analyse  # here: the numerical libraries load when an analysis runs

    return analyse(round_items(process, kind, theme_id=theme_id, lineage_id=lineage_id))


def shown_title(item: Item) -> str:
    """The title, or for a comment the start of its text."""
    if item.title:
        return item.title
    text = " ".join(item.text.split())
    return text if len(text) <= EXCERPT else text[:EXCERPT - 1].rstrip() + "…"


def as_json(analysis: Analysis) -> dict:
    """The shape of issue 17: groups with label, key phrases and items; near-duplicate pairs."""
    return {
        "groups": [{"label": group.label, "key_phrases": list(group.key_phrases),
                    "items": [{"id": item.id, "kind": item.kind, "title": shown_title(item)}
                              for item in group.items]}
                   for group in analysis.groups],
        "near_duplicates": [list(pair) for pair in analysis.near_duplicates],
    }


# --- the stored groups: the analysis's suggestion, the team's choices kept ------------------

@dataclass(frozen=True)
class Refreshed:
    """What a run changed: for the team's message and the job's log."""
    items: int
    groups: int
    new_groups: int
    near_duplicates: int


def refresh_groups(process: Process, kind: RoundKind, *, actor=None) -> Refreshed:
    """Run the analysis of the round again and store it, keeping what the team decided.

    A plain function (no request needed): the page calls it, and so can a background job.
    The analysis runs first, on what everyone may read; only then are the round's groups held
    (hold_groups) while the result is stored, so that the team is held up for the storing
    only. Flushes; the caller commits."""
    analysis = analyse_round(process, kind)
    return store_analysis(process, kind, analysis, actor=actor)


def store_analysis(process: Process, kind: RoundKind, analysis: Analysis, *,
                   actor=None) -> Refreshed:
    """Store `analysis` as the round's groups, keeping the team's choices:

    - an item the team placed (moved, merged, split: `pinned`) stays where it is;
    - a new group of the analysis whose items, as far as they were grouped before, are mostly
      (more than half) in one stored group continues that group: the group keeps its id, its
      name when the team renamed it, and everything merged into it; its other items follow;
    - the other new groups are stored as new suggestions; a stored group left empty goes;
    - items no longer shown to everyone (hidden, withdrawn) leave their groups.
    """
    item_kind = ItemKind.contribution if kind is RoundKind.input else ItemKind.comment
    group_set = hold_groups(process, kind)
    groups = {group.id: group for group in db.session.scalars(
        _round_groups(process, kind).options(selectinload(AnalysisGroup.items))
        .execution_options(populate_existing=True))}
    rows = {row.item_id: row for group in groups.values() for row in group.items}
    analysed = {item.id for group in analysis.groups for item in group.items}
    for item_id in [i for i in rows if i not in analysed]:
        row = rows.pop(item_id)
        groups[row.group_id].items.remove(row)
    continued: dict[int, Group] = {}  # stored group id -> the largest new group it continues
    new_groups = 0
    for found in analysis.groups:
        before = Counter(rows[item.id].group_id for item in found.items if item.id in rows)
        target = None
        if before:
            group_id, overlap = before.most_common(1)[0]
            if overlap * 2 > sum(before.values()):
                target = groups[group_id]
                if group_id not in continued or len(continued[group_id].items) < len(found.items):
                    continued[group_id] = found
        if target is None:
            target = AnalysisGroup(process_id=process.id, round_kind=kind, label=found.label[:200],
                                   suggested_label=found.label[:200],
                                   key_phrases=list(found.key_phrases), is_suggested=True)
            db.session.add(target)
            new_groups += 1
        for item in found.items:
            row = rows.get(item.id)
            if row is None:
                row = AnalysisGroupItem(item_kind=item_kind, item_id=item.id)
                target.items.append(row)
                rows[item.id] = row
            elif not row.pinned and row.group is not target:
                row.group = target  # out of its old group's items, into the target's
    for group_id, found in continued.items():
        group = groups[group_id]
        label, phrases = found.label[:200], list(found.key_phrases)
        if (group.suggested_label, group.key_phrases) != (label, phrases) or (
                not group.is_renamed and group.label != label):
            group.suggested_label, group.key_phrases = label, phrases
            if not group.is_renamed:
                group.label = label
            group.updated_at = utcnow()
            group.raise_version()
    for group in groups.values():
        if not group.items:
            db.session.delete(group)
    _store_near_duplicates(process, kind, item_kind, analysis.near_duplicates)
    group_set.analysed_at, group_set.items_analysed = utcnow(), len(analysed)
    db.session.flush()
    kept = sum(1 for group in groups.values() if group.items)
    record("analysis.refresh", actor=actor, target_type="process", target_id=process.id,
           process_id=process.id, after={"round_kind": kind.value, "analysed": len(analysed),
                                         "group_count": kept + new_groups,
                                         "new_groups": new_groups})
    return Refreshed(len(analysed), kept + new_groups, new_groups,
                     len(analysis.near_duplicates))


def _store_near_duplicates(process: Process, kind: RoundKind, item_kind: ItemKind,
                           pairs: list[tuple[int, int]]) -> None:
    """The run's pairs, changing only what changed: a network's letter sent by 100 members is
    about 5,000 pairs, and a run after a little new input finds nearly the same ones."""
    stored = {(row.first_id, row.second_id): row.id for row in db.session.execute(
        sa.select(NearDuplicate.id, NearDuplicate.first_id, NearDuplicate.second_id)
        .where(NearDuplicate.process_id == process.id, NearDuplicate.round_kind == kind))}
    wanted = set(pairs)
    gone = [row_id for pair, row_id in stored.items() if pair not in wanted]
    for start in range(0, len(gone), 500):
        db.session.execute(sa.delete(NearDuplicate).where(
            NearDuplicate.id.in_(gone[start:start + 500])))
    new = [{"process_id": process.id, "round_kind": kind, "item_kind": item_kind,
            "first_id": first, "second_id": second}
           for first, second in sorted(wanted - set(stored))]
    if new:
        db.session.execute(sa.insert(NearDuplicate), new)


def _round_groups(process: Process, kind: RoundKind):
    return sa.select(AnalysisGroup).where(AnalysisGroup.process_id == process.id,
                                          AnalysisGroup.round_kind == kind)


def hold_groups(process: Process, kind: RoundKind) -> GroupSet:
    """Hold the round's groups for a change until the commit, and raise their set's version.

    Every change to a round's groups (a run, a rename, a merge, a move) comes here first and
    updates the one GroupSet row of the round: on PostgreSQL a second change waits for the
    first's commit (conflicts.for_change) and then reads the groups as the first left them; on
    SQLite a writing request holds the database from its start. So two team members merging at
    once, or a run meeting a rename, never overwrite each other; a form made before the other
    change is then refused by its group's version (EditConflict), not applied to what changed."""
    stmt = for_change(sa.select(GroupSet).where(GroupSet.process_id == process.id,
                                                GroupSet.round_kind == kind))
    group_set = db.session.scalar(stmt)
    if group_set is None:
        try:
            with db.session.begin_nested():
                group_set = GroupSet(process_id=process.id, round_kind=kind)
                db.session.add(group_set)
        except sa.exc.IntegrityError:  # made by someone else at the same moment
            group_set = db.session.scalar(stmt)
    group_set.raise_version()
    db.session.flush()
    return group_set


# --- the team's choices ------------------------------------------------------------------

class GroupGone(LookupError):
    """The group is no longer there (merged into another, or emptied) since the page was made."""


def get_group(process: Process, group_id: int, *, kind: RoundKind | None = None
              ) -> AnalysisGroup | None:
    stmt = sa.select(AnalysisGroup).where(AnalysisGroup.id == group_id,
                                          AnalysisGroup.process_id == process.id)
    if kind is not None:
        stmt = stmt.where(AnalysisGroup.round_kind == kind)
    return db.session.scalar(stmt)


def _held(process: Process, kind: RoundKind, group_ids) -> dict[int, AnalysisGroup]:
    """The groups, read again after holding the round (hold_groups): as the last change left
    them. A group that is gone meanwhile raises GroupGone."""
    hold_groups(process, kind)
    wanted = set(group_ids)
    found = {group.id: group for group in db.session.scalars(
        _round_groups(process, kind).where(AnalysisGroup.id.in_(wanted))
        .options(selectinload(AnalysisGroup.items)).execution_options(populate_existing=True))}
    if set(found) != wanted:
        raise GroupGone(sorted(wanted - set(found)))
    return found


def rename_group(group: AnalysisGroup, label: str, actor, *, seen_version: int | None = None
                 ) -> bool:
    """The team's name for the group, kept by later runs; False when it is the name already.
    Naming a group accepts it as it is: its items are pinned, so that a later run cannot
    empty it (new items still join it when the analysis puts them with its items).
    From a form of an older version: EditConflict (participation.core.conflicts)."""
    process_id, kind, group_id = group.process_id, group.round_kind, group.id
    group = _held(db.session.get(Process, process_id), kind, [group_id])[group_id]
    label = " ".join(label.split())[:200]
    if label == group.label and group.is_renamed:
        return False
    check_version(group, seen_version)
    before = group.label
    group.label, group.is_renamed, group.updated_at = label, True, utcnow()
    for row in group.items:
        row.pinned = True
    group.raise_version()
    db.session.flush()
    record("group.rename", actor=actor, target_type="analysis_group", target_id=group.id,
           process_id=process_id, before={"title": before}, after={"title": label})
    return True


def merge_groups(process: Process, kind: RoundKind, into_id: int, other_ids: list[int], actor,
                 *, seen_versions: dict[int, int] | None = None) -> AnalysisGroup:
    """Every item of the other groups into `into_id`'s, placed there by the team (kept by later
    runs); the other groups go. `seen_versions`: group id -> the version the page showed; a
    group changed since (renamed, or given items by a run) refuses the merge (EditConflict)."""
    ids = [into_id] + [i for i in dict.fromkeys(other_ids) if i != into_id]
    groups = _held(process, kind, ids)
    for group_id, seen in (seen_versions or {}).items():
        if group_id in groups:
            check_version(groups[group_id], seen)
    target = groups[into_id]
    merged = [groups[i] for i in ids[1:]]
    for other in merged:
        for row in list(other.items):
            row.group, row.pinned = target, True
    for row in target.items:
        row.pinned = True  # the merged group as a whole is the team's choice
    target.updated_at = utcnow()
    target.raise_version()
    db.session.flush()
    for other in merged:
        db.session.delete(other)
    db.session.flush()
    record("group.merge", actor=actor, target_type="analysis_group", target_id=target.id,
           process_id=process.id, before={"merged": [g.label for g in merged]},
           after={"title": target.label, "moved": len(target.items)})
    return target


def move_items(process: Process, kind: RoundKind, keys: list[tuple[ItemKind, int]],
               to_group_id: int | None, actor, *, new_label: str = "",
               seen_versions: dict[int, int] | None = None) -> AnalysisGroup:
    """Items into another group (`to_group_id`) or, None, into a new group of the team's
    named `new_label` (a split). Each item is placed there by the team: later runs keep it.
    Items of other rounds or of no group of this round are left out."""
    wanted = {item_id for item_kind, item_id in keys
              if item_kind is (ItemKind.contribution if kind is RoundKind.input
                               else ItemKind.comment)}
    hold_groups(process, kind)
    rows = list(db.session.scalars(
        sa.select(AnalysisGroupItem).join(AnalysisGroup)
        .where(AnalysisGroup.process_id == process.id, AnalysisGroup.round_kind == kind,
               AnalysisGroupItem.item_id.in_(wanted or {-1}))
        .options(selectinload(AnalysisGroupItem.group).selectinload(AnalysisGroup.items))
        .execution_options(populate_existing=True)))
    sources = {row.group_id: row.group for row in rows}
    if to_group_id is None:
        target = AnalysisGroup(process_id=process.id, round_kind=kind,
                               label=" ".join(new_label.split())[:200], is_suggested=False,
                               is_renamed=True, key_phrases=[])
        db.session.add(target)
    else:
        target = _held(process, kind, [to_group_id])[to_group_id]
    for group_id, seen in (seen_versions or {}).items():
        group = sources.get(group_id) or (target if target.id == group_id else None)
        if group is not None:
            check_version(group, seen)
    for row in rows:
        row.group, row.pinned = target, True
    target.updated_at = utcnow()
    if target.id is not None:
        target.raise_version()
    for source in sources.values():
        if source is not target:
            source.raise_version()
    db.session.flush()
    for source in sources.values():
        if source is not target and not source.items:
            db.session.delete(source)
    db.session.flush()
    record("group.split" if to_group_id is None else "group.move", actor=actor,
           target_type="analysis_group", target_id=target.id, process_id=process.id,
           before={"merged": sorted({g.label for g in sources.values()})},
           after={"title": target.label, "moved": len(rows)})
    return target


# --- the groups as the team's pages show them ----------------------------------------------

@dataclass
class ShownItem:
    kind: ItemKind
    id: int
    title: str
    #: The theme's title (round 1) or the section's number and heading (round 2).
    where: str
    #: Who it counts as (stakeholder_key): an organisation it is listed under, else a person.
    stakeholder: str
    pinned: bool
    group_id: int | None = None


@dataclass
class ShownGroup:
    group: AnalysisGroup
    items: list[ShownItem]

    @property
    def stakeholders(self) -> int:
        return len({item.stakeholder for item in self.items})


@dataclass
class RoundGroups:
    group_set: GroupSet | None
    groups: list[ShownGroup]
    #: Pairs of near-duplicate items (both still shown), as the last run found them.
    near_duplicates: list[tuple[ShownItem, ShownItem]]
    #: Items shown to everyone that no group holds yet (new since the last run).
    ungrouped: int


def stakeholder_key(item) -> str:
    """Who an item counts as, the rule of the document (export.builder.stakeholder_for): the
    organisation it is listed under, else its author (or, for offline input by no account, the
    name it came in under). The item needs `listed_under_organisation` loaded."""
    if item.organisation_kind is not None and item.listed_under_organisation:
        return f"org:{item.organisation_id or item.organisation_name}"
    return f"person:{item.author_id or 'offline:' + (item.organisation_name or '')}"


def round_groups(process: Process, kind: RoundKind, *, theme_id: int | None = None,
                 lineage_id: int | None = None, group_id: int | None = None) -> RoundGroups:
    """The round's stored groups with their items shown to everyone (of one theme or section,
    if given; of one group, if given), largest first, in a fixed number of queries (six)."""
    group_set = db.session.scalar(sa.select(GroupSet).where(
        GroupSet.process_id == process.id, GroupSet.round_kind == kind))
    stmt = _round_groups(process, kind)
    if group_id is not None:
        stmt = stmt.where(AnalysisGroup.id == group_id)
    groups = {group.id: group for group in db.session.scalars(stmt)}
    rows = _grouped_items(process, kind, theme_id=theme_id, lineage_id=lineage_id,
                          group_ids=[group_id] if group_id is not None else None)
    members: dict[int, list[ShownItem]] = {gid: [] for gid in groups}
    for item in rows:
        if item.group_id in members:
            members[item.group_id].append(item)
    shown = [ShownGroup(groups[gid], items) for gid, items in members.items()
             if items or (theme_id is None and lineage_id is None)]
    shown.sort(key=lambda g: (-len(g.items), g.group.label.lower(), g.group.id))
    by_id = {item.id: item for item in rows}
    pairs = []
    if group_id is None:
        pairs = [(by_id[first], by_id[second]) for first, second in db.session.execute(
            sa.select(NearDuplicate.first_id, NearDuplicate.second_id)
            .where(NearDuplicate.process_id == process.id, NearDuplicate.round_kind == kind)
            .order_by(NearDuplicate.first_id, NearDuplicate.second_id))
            if first in by_id and second in by_id]
    ungrouped = 0
    if group_id is None:
        ungrouped = _ungrouped_count(process, kind, theme_id=theme_id, lineage_id=lineage_id)
    return RoundGroups(group_set, shown, pairs, ungrouped)


def _item_model(kind: RoundKind):
    return Contribution if kind is RoundKind.input else Comment


def _grouped_items(process: Process, kind: RoundKind, *, theme_id=None, lineage_id=None,
                   group_ids=None) -> list[ShownItem]:
    """The grouped items of the round shown to everyone, oldest first, in two queries (the
    items with their group, then the titles of their themes or sections)."""
    model = _item_model(kind)
    item_kind = ItemKind.contribution if kind is RoundKind.input else ItemKind.comment
    place = model.theme_id if kind is RoundKind.input else model.section_id
    title = model.title if kind is RoundKind.input else model.body_md
    stmt = (sa.select(AnalysisGroupItem.group_id, AnalysisGroupItem.pinned, model.id,
                      title.label("title"), place.label("place"), model.author_id,
                      model.organisation_id, model.organisation_name, model.organisation_kind,
                      model.listed_under_organisation.label("listed"))
            .join(AnalysisGroupItem, sa.and_(AnalysisGroupItem.item_kind == item_kind,
                                             AnalysisGroupItem.item_id == model.id))
            .join(AnalysisGroup, AnalysisGroup.id == AnalysisGroupItem.group_id)
            .where(AnalysisGroup.process_id == process.id, AnalysisGroup.round_kind == kind,
                   model.is_shown)
            .order_by(model.id))
    if group_ids is not None:
        stmt = stmt.where(AnalysisGroupItem.group_id.in_(group_ids))
    if theme_id is not None and kind is RoundKind.input:
        stmt = stmt.where(model.theme_id == theme_id)
    if lineage_id is not None and kind is RoundKind.feedback:
        stmt = stmt.where(model.lineage_id == lineage_id)
    rows = db.session.execute(stmt).all()
    places = _place_names(kind, {row.place for row in rows})
    items = []
    for row in rows:
        row_item = _RowItem(row.author_id, row.organisation_id, row.organisation_name,
                            row.organisation_kind, row.listed)
        shown = (row.title if kind is RoundKind.input
                 else shown_title(Item(row.id, item_kind.value, "", row.title)))
        items.append(ShownItem(item_kind, row.id, shown, places.get(row.place, ""),
                               stakeholder_key(row_item), row.pinned, row.group_id))
    return items


@dataclass(frozen=True)
class _RowItem:
    author_id: int | None
    organisation_id: int | None
    organisation_name: str | None
    organisation_kind: object
    listed_under_organisation: bool


def _place_names(kind: RoundKind, ids: set) -> dict[int, str]:
    if not ids:
        return {}
    if kind is RoundKind.input:
        return dict(db.session.execute(sa.select(Theme.id, Theme.title)
                                       .where(Theme.id.in_(ids))).all())
    return {row.id: f"{row.number} {row.heading}" for row in db.session.execute(
        sa.select(Section.id, Section.number, Section.heading).where(Section.id.in_(ids)))}


def _ungrouped_count(process: Process, kind: RoundKind, *, theme_id=None,
                     lineage_id=None) -> int:
    model = _item_model(kind)
    item_kind = ItemKind.contribution if kind is RoundKind.input else ItemKind.comment
    stmt = (sa.select(sa.func.count()).select_from(model)
            .join(Round, Round.id == model.round_id)
            .where(Round.process_id == process.id, Round.kind == kind, model.is_shown,
                   ~sa.exists().where(AnalysisGroupItem.item_kind == item_kind,
                                      AnalysisGroupItem.item_id == model.id)))
    if kind is RoundKind.feedback:
        stmt = stmt.where(Comment.by_team.is_(False))
        if lineage_id is not None:
            stmt = stmt.where(Comment.lineage_id == lineage_id)
    elif theme_id is not None:
        stmt = stmt.where(Contribution.theme_id == theme_id)
    return db.session.scalar(stmt)


def group_choices(process: Process, kind: RoundKind) -> list[AnalysisGroup]:
    """The round's groups by name, for a choice of where to move or merge (one query)."""
    return list(db.session.scalars(_round_groups(process, kind)
                                   .order_by(sa.func.lower(AnalysisGroup.label),
                                             AnalysisGroup.id)))


def group_of_item(kind: ItemKind, item_id: int) -> AnalysisGroup | None:
    return db.session.scalar(sa.select(AnalysisGroup).join(AnalysisGroupItem).where(
        AnalysisGroupItem.item_kind == kind, AnalysisGroupItem.item_id == item_id))


def process_groups(process: Process) -> list[AnalysisGroup]:
    """Every group of the process, round 1's first, by name (one query): the queue's filter."""
    return list(db.session.scalars(
        sa.select(AnalysisGroup).where(AnalysisGroup.process_id == process.id)
        .order_by(AnalysisGroup.round_kind.desc(), sa.func.lower(AnalysisGroup.label),
                  AnalysisGroup.id)))
