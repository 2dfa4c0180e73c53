"""Stored groups (issue 17): the analysis's suggestion stored per process and round, the team's
renames, merges, splits and moves kept when the analysis runs again after new input; codes."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from participation.analysis import codes, services
from participation.analysis.grouping import Analysis, Group, Item
from participation.analysis.models import AnalysisGroup, AnalysisGroupItem, ItemCode, ItemKind
from participation.core.conflicts import EditConflict
from participation.core.extensions import db
from participation.core.timeutil import utcnow
from participation.processes.models import RoundKind

from . import analysis_set
from .factories import count, make_contribution, make_process, make_user

INPUT = RoundKind.input


def _analysis(*clusters: tuple[str, list], pairs=()) -> Analysis:
    """An analysis's result by hand: (label, [contribution, ...]) per group."""
    return Analysis([Group(label, tuple(label.split(", ")), tuple(
        Item(c.id, "contribution", c.title, c.body_md) for c in items))
        for label, items in clusters], list(pairs))


def _members(process) -> dict[str, set[int]]:
    db.session.expire_all()
    return {group.label: {row.item_id for row in group.items} for group in db.session.scalars(
        sa.select(AnalysisGroup).where(AnalysisGroup.process_id == process.id))}


@pytest.fixture
def round_one(app_ctx):
    process = make_process("economie")
    author = make_user("inbreng@example.nl")
    team = make_user("team@example.nl", role="moderator")
    items = [make_contribution(process, process.themes[n % 3], author, title=f"Inbreng {n}",
                               body=f"Tekst {n}.") for n in range(12)]
    db.session.commit()
    return process, team, items


def test_a_run_stores_its_groups_and_near_duplicates(round_one):
    process, team, c = round_one
    result = services.store_analysis(process, INPUT, _analysis(
        ("bus, station", c[0:4]), ("parkeren", c[4:8]), ("netcongestie", c[8:12]),
        pairs=[(c[0].id, c[1].id)]), actor=team)
    db.session.commit()
    assert (result.groups, result.new_groups, result.near_duplicates) == (3, 3, 1)
    assert _members(process) == {"bus, station": {x.id for x in c[0:4]},
                                 "parkeren": {x.id for x in c[4:8]},
                                 "netcongestie": {x.id for x in c[8:12]}}
    page = services.round_groups(process, INPUT)
    assert [len(g.items) for g in page.groups] == [4, 4, 4]
    assert [(a.id, b.id) for a, b in page.near_duplicates] == [(c[0].id, c[1].id)]
    assert page.groups[0].stakeholders == 1 and page.ungrouped == 0


def test_renames_merges_and_moves_stay_when_the_analysis_runs_after_new_input(round_one):
    process, team, c = round_one
    services.store_analysis(process, INPUT, _analysis(
        ("bus", c[0:3]), ("parkeren", c[3:6]), ("fiets", c[6:8]), ("stroom", c[8:10]),
        ("wonen", c[10:12])))
    db.session.commit()
    groups = {g.label: g for g in services.group_choices(process, INPUT)}
    services.rename_group(groups["bus"], "Busverbinding station", team,
                          seen_version=groups["bus"].version)
    services.merge_groups(process, INPUT, groups["fiets"].id, [groups["stroom"].id], team)
    services.move_items(process, INPUT, [(ItemKind.contribution, c[3].id)], groups["wonen"].id,
                        team)
    db.session.commit()
    # New input arrives; the analysis now sees other groups: it puts the bus items with one
    # new item and the moved item back with parking, splits the merged group, and a new
    # suggestion of its own.
    author = c[0].author
    new = [make_contribution(process, process.themes[0], author, title=f"Nieuw {n}",
                             body=f"Nieuw {n}.") for n in range(3)]
    db.session.commit()
    services.store_analysis(process, INPUT, _analysis(
        ("bus, halte", c[0:3] + [new[0]]), ("parkeren, tarief", c[3:6]),
        ("fiets, stalling", c[6:8] + [new[1]]), ("stroom, net", c[8:10]), ("wonen", c[10:12]),
        ("zonnepanelen", [new[2]])))
    db.session.commit()
    members = _members(process)
    # The renamed group keeps the team's name, gets the new bus item; the suggestion is kept.
    assert members["Busverbinding station"] == {c[0].id, c[1].id, c[2].id, new[0].id}
    renamed = db.session.scalar(sa.select(AnalysisGroup).where(
        AnalysisGroup.label == "Busverbinding station"))
    assert renamed.is_renamed and renamed.suggested_label == "bus, halte"
    # The merged group stays merged, and takes the new item the analysis puts with it.
    assert members["fiets, stalling"] == {c[6].id, c[7].id, c[8].id, c[9].id, new[1].id}
    # The moved item stays where the team put it; the untouched group follows the analysis.
    assert c[3].id in members["wonen"] and c[3].id not in members["parkeren, tarief"]
    assert members["zonnepanelen"] == {new[2].id}
    assert "stroom" not in members and "stroom, net" not in members


def test_a_split_makes_a_group_of_the_teams_and_an_emptied_group_goes(round_one):
    process, team, c = round_one
    services.store_analysis(process, INPUT, _analysis(("bus", c[0:4]), ("parkeren", c[4:6])))
    db.session.commit()
    bus = next(g for g in services.group_choices(process, INPUT) if g.label == "bus")
    parking = next(g for g in services.group_choices(process, INPUT) if g.label == "parkeren")
    split = services.move_items(process, INPUT, [(ItemKind.contribution, c[2].id),
                                                 (ItemKind.contribution, c[3].id)], None, team,
                                new_label="Nachtbus")
    db.session.commit()
    assert (split.is_suggested, split.is_renamed) == (False, True)
    services.move_items(process, INPUT, [(ItemKind.contribution, x.id) for x in c[4:6]],
                        bus.id, team)
    db.session.commit()
    members = _members(process)
    assert members == {"bus": {c[0].id, c[1].id, c[4].id, c[5].id},
                       "Nachtbus": {c[2].id, c[3].id}}
    assert db.session.get(AnalysisGroup, parking.id) is None


def test_hidden_items_leave_their_groups_and_empty_groups_go(round_one):
    process, team, c = round_one
    services.store_analysis(process, INPUT, _analysis(("bus", c[0:2]), ("parkeren", c[2:4])))
    db.session.commit()
    for item in c[2:4]:
        item.hidden_at = utcnow()
    db.session.commit()
    services.store_analysis(process, INPUT, _analysis(("bus", c[0:2])))
    db.session.commit()
    assert _members(process) == {"bus": {c[0].id, c[1].id}}


def test_a_rename_from_an_older_page_is_refused_and_a_merged_group_is_gone(round_one):
    process, team, c = round_one
    services.store_analysis(process, INPUT, _analysis(("bus", c[0:2]), ("parkeren", c[2:4])))
    db.session.commit()
    bus, parking = sorted(services.group_choices(process, INPUT), key=lambda g: g.label)
    seen = bus.version
    services.rename_group(bus, "Bus", team, seen_version=seen)
    db.session.commit()
    with pytest.raises(EditConflict):
        services.rename_group(bus, "Busverbinding", team, seen_version=seen)
    db.session.rollback()
    services.merge_groups(process, INPUT, bus.id, [parking.id], team)
    db.session.commit()
    with pytest.raises(services.GroupGone):
        services.rename_group(parking, "Parkeren", team)
    db.session.rollback()
    assert _members(process) == {"Bus": {x.id for x in c[0:4]}}


def test_the_real_analysis_keeps_a_rename_after_new_input(app_ctx):
    """The whole path on the labelled set: run, rename the largest group, run again with ten
    new items: the group keeps its name and most of its items."""
    labelled = analysis_set.load()
    process = make_process("economie")
    author = make_user("inbreng@example.nl")
    team = make_user("team@example.nl", role="moderator")
    first, later = labelled[:120], labelled[120:130]
    for x in first:
        make_contribution(process, process.themes[0], author, title=x.item.title or "Inbreng",
                          body=x.item.text)
    db.session.commit()
    services.refresh_groups(process, INPUT, actor=team)
    db.session.commit()
    largest = services.round_groups(process, INPUT).groups[0]
    before = {item.id for item in largest.items}
    services.rename_group(largest.group, "Ons eigen groepje", team)
    db.session.commit()
    for x in later:
        make_contribution(process, process.themes[1], author, title=x.item.title or "Inbreng",
                          body=x.item.text)
    db.session.commit()
    assert services.round_groups(process, INPUT).ungrouped == 10
    result = services.refresh_groups(process, INPUT, actor=team)
    db.session.commit()
    assert result.items == 130
    after = _members(process)["Ons eigen groepje"]
    assert len(before & after) * 2 > len(before)
    assert services.round_groups(process, INPUT).ungrouped == 0


# --- codes -----------------------------------------------------------------------------------

def test_codes_are_made_renamed_given_and_removed(round_one):
    process, team, c = round_one
    wonen = codes.add_code(process, "  wonen ", team)
    db.session.commit()
    with pytest.raises(codes.NameTaken):
        codes.add_code(process, "Wonen", team)
    db.session.rollback()
    keys = [(ItemKind.contribution, c[0].id), (ItemKind.contribution, c[1].id),
            (ItemKind.comment, 999_999)]
    assert codes.tag_items(process, wonen, keys, team) == 2
    assert codes.tag_items(process, wonen, keys, team) == 0  # a second time changes nothing
    db.session.commit()
    services.store_analysis(process, INPUT, _analysis(("bus", c[0:5])))
    group = services.group_choices(process, INPUT)[0]
    assert codes.tag_group(process, wonen, group, team) == 3
    db.session.commit()
    assert count(ItemCode) == 5
    assert codes.rename_code(wonen, "Wonen en zorg", team, seen_version=wonen.version)
    db.session.commit()
    assert [(code.name, code.item_count) for code in codes.codes_of(process)] == [
        ("Wonen en zorg", 5)]
    assert [code.name for code in codes.codes_for_items(
        [(ItemKind.contribution, c[0].id)])[(ItemKind.contribution, c[0].id)]] == [
        "Wonen en zorg"]
    codes.delete_code(wonen, team)
    db.session.commit()
    assert count(ItemCode) == 0 and count(AnalysisGroupItem) == 5
