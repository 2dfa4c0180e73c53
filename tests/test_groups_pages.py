"""The team's pages of the stored groups and codes (issue 17): the groups of a round, rename,
merge, split, move, code a group; codes made, renamed, removed and given from the item page
and the queue's selection; the queue's filters by group, code, theme, section and state
together; pages in a fixed number of queries; two team members at once over HTTP."""
from __future__ import annotations

import re
import uuid
from html import unescape

import pytest
import sqlalchemy as sa

from participation.analysis import codes, services
from participation.analysis.grouping import Analysis, Group, Item
from participation.analysis.models import AnalysisGroup, AnalysisGroupItem, Code, ItemCode, ItemKind
from participation.contributions.models import Contribution
from participation.core.extensions import db
from participation.processes.models import Process, RoundKind

from .factories import (csrf_token, field_errors, login, make_contribution, make_organisation,
                        make_process, make_user, submit)

INPUT = RoundKind.input


def _store(process, clusters, pairs=()):
    services.store_analysis(process, INPUT, Analysis(
        [Group(label, tuple(label.split(", ")), tuple(
            Item(c.id, "contribution", c.title, c.body_md) for c in items))
         for label, items in clusters], list(pairs)))
    db.session.commit()


@pytest.fixture
def groups_world(app):
    """Twelve contributions of three stakeholders on three themes, in three stored groups;
    a moderator (English), a participant."""
    with app.app_context():
        process = make_process("economie")
        bakery = make_organisation("Bakkerij Bolk")
        baker = make_user("bakker@example.nl", organisation=bakery, name="Bram")
        anna = make_user("anna@example.nl", name="Anna")
        make_user("mod@example.nl", role="moderator", name="Mo", locale="en")
        make_user("mod2@example.nl", role="moderator", name="Mila", locale="en")
        items = [make_contribution(process, process.themes[n % 3], baker if n % 2 else anna,
                                   title=f"Inbreng {n}", body=f"Tekst over onderwerp {n}.")
                 for n in range(12)]
        db.session.commit()
        _store(process, [("bus, station", items[0:5]), ("parkeren, tarief", items[5:9]),
                         ("netcongestie", items[9:12])], pairs=[(items[0].id, items[1].id)])
        groups = {g.label: g.id for g in services.group_choices(process, INPUT)}
        return {"process": process.id, "items": [c.id for c in items], "groups": groups,
                "themes": [t.id for t in process.themes]}


def _group_ids(app, label):
    """The items of the group with this name (or id)."""
    with app.app_context():
        group = (db.session.get(AnalysisGroup, label) if isinstance(label, int) else
                 db.session.scalar(sa.select(AnalysisGroup).where(AnalysisGroup.label == label)))
        return {row.item_id for row in group.items} if group else None


def test_the_groups_page_shows_groups_key_phrases_counts_and_near_duplicates(client, groups_world):
    login(client, "mod@example.nl")
    html = unescape(client.get("/p/economie/groups?round=input").get_data(as_text=True))
    assert "3 groups" in html
    assert re.search(r"bus, station</a>.*?<td>bus, station</td>\s*<td>5</td>\s*<td>2</td>",
                     html, re.S)
    assert "1 pair of near-duplicates" in html
    first = groups_world["items"][0]
    assert f'href="/p/economie/moderation/contribution/{first}"' in html
    # One theme: only its items count, and groups without any are left out.
    theme = groups_world["themes"][0]
    html = unescape(client.get(f"/p/economie/groups?round=input&theme={theme}")
                    .get_data(as_text=True))
    assert re.search(r"bus, station</a>.*?<td>2</td>", html, re.S)


def test_participants_and_staff_cannot_see_or_change_groups(app, client, groups_world):
    with app.app_context():
        make_user("staff@example.nl", role="staff")
    for email in ("anna@example.nl", "staff@example.nl"):
        other = app.test_client()
        login(other, email)
        assert other.get("/p/economie/groups").status_code == 403
        group_id = groups_world["groups"]["netcongestie"]
        token = csrf_token(other.get("/").get_data(as_text=True))
        answer = other.post(f"/p/economie/groups/{group_id}/rename",
                            data={"csrf_token": token, "label": "Fred", "version": "1"})
        assert answer.status_code == 403
    assert _group_ids(app, "Fred") is None


def test_rename_merge_split_and_move_on_the_pages_and_a_rerun_keeps_them(app, client,
                                                                         groups_world):
    login(client, "mod@example.nl")
    g, items = groups_world["groups"], groups_world["items"]
    page = f"/p/economie/groups/{g['bus, station']}"
    answer = submit(client, f"{page}/rename", {"label": "  Busverbinding   station "},
                    page_url=page)
    assert answer.status_code == 302
    html = unescape(client.get(page).get_data(as_text=True))
    assert "<h1>Busverbinding station</h1>" in html and "bus, station" in html  # suggested
    # Merge netcongestie into parkeren.
    merge_page = f"/p/economie/groups/{g['parkeren, tarief']}"
    answer = submit(client, f"{merge_page}/merge", {"other": g["netcongestie"]},
                    page_url=merge_page)
    assert answer.status_code == 302
    assert _group_ids(app, "parkeren, tarief") == set(items[5:12])
    assert _group_ids(app, "netcongestie") is None
    # Split two bus items off into a new group; move one to parking.
    answer = submit(client, f"{page}/items", {
        "items": [f"contribution:{items[3]}", f"contribution:{items[4]}"], "action": "split",
        "new_label": "Nachtbus"}, page_url=page)
    assert answer.status_code == 302
    answer = submit(client, f"{page}/items", {"items": [f"contribution:{items[2]}"],
                                              "action": "move", "to": g["parkeren, tarief"]},
                    page_url=page)
    assert answer.status_code == 302
    assert _group_ids(app, "Busverbinding station") == set(items[0:2])
    assert _group_ids(app, "Nachtbus") == set(items[3:5])
    # New input; the analysis runs again from the page (the real one).
    with app.app_context():
        process = db.session.get(Process, groups_world["process"])
        made = make_contribution(process, process.themes[0], None, title="Nieuw",
                                 body="Tekst over onderwerp 1.")
        db.session.commit()
        new = made.id
    html = unescape(client.get("/p/economie/groups").get_data(as_text=True))
    assert "1 item is in no group yet." in html
    answer = submit(client, "/p/economie/groups/refresh?round=input", {},
                    page_url="/p/economie/groups")
    assert answer.status_code == 302
    # The team's split stays; new input may join a group the team made, nothing else moves in.
    assert set(items[3:5]) <= _group_ids(app, "Nachtbus") <= {*items[3:5], new}
    # The merged group was not renamed: its name follows the analysis, its items stay.
    assert set(items[2:3] + items[5:12]) <= _group_ids(app, g["parkeren, tarief"])
    html = unescape(client.get("/p/economie/groups").get_data(as_text=True))
    assert "Busverbinding station" in html and "no group yet" not in html
    with app.app_context():
        trail = client.get("/p/economie/audit?action=group").get_data(as_text=True)
    assert "Mo named a group of the analysis “Busverbinding station”" in unescape(trail)


def test_bad_input_is_told_next_to_the_field_and_the_text_kept(app, client, groups_world):
    login(client, "mod@example.nl")
    page = f"/p/economie/groups/{groups_world['groups']['netcongestie']}"
    answer = submit(client, f"{page}/rename", {"label": "   "}, page_url=page)
    assert answer.status_code == 400
    assert field_errors(answer.get_data(as_text=True)) == ["label: Give the group a name."]
    long = "x" * 201
    answer = submit(client, f"{page}/rename", {"label": long}, page_url=page)
    assert answer.status_code == 400 and f'value="{long}"' in answer.get_data(as_text=True)
    item = groups_world["items"][9]
    answer = submit(client, f"{page}/items", {"items": [f"contribution:{item}"],
                                              "action": "split", "new_label": ""},
                    page_url=page)
    assert answer.status_code == 400
    assert field_errors(answer.get_data(as_text=True)) == [
        "new_label: Give the new group a name."]
    answer = submit(client, f"{page}/items", {"action": "split", "new_label": "Leeg"},
                    page_url=page)
    assert answer.status_code == 400 and "Select one or more items first" in unescape(
        answer.get_data(as_text=True))
    assert _group_ids(app, "netcongestie") == set(groups_world["items"][9:12])
    # A group of another process: not found.
    with app.app_context():
        make_process("ander")
    assert client.get(f"/p/ander/groups/{groups_world['groups']['netcongestie']}"
                      ).status_code == 404


def test_codes_are_made_given_from_the_item_page_and_the_queue_and_filter_the_queue(
        app, client, groups_world):
    login(client, "mod@example.nl")
    items, g = groups_world["items"], groups_world["groups"]
    assert submit(client, "/p/economie/codes", {"name": "wonen"}).status_code == 302
    answer = submit(client, "/p/economie/codes", {"name": " Wonen "})
    assert answer.status_code == 400
    assert field_errors(answer.get_data(as_text=True)) == [
        "name: The process has this code already."]
    assert 'value="Wonen"' in answer.get_data(as_text=True)
    assert submit(client, "/p/economie/codes", {"name": "netcongestie"}).status_code == 302
    with app.app_context():
        wonen, net = (db.session.scalar(sa.select(Code.id).where(Code.name == n))
                      for n in ("wonen", "netcongestie"))
    # From the item page.
    item_page = f"/p/economie/moderation/contribution/{items[0]}"
    answer = submit(client, f"{item_page}/codes", {"code": wonen, "action": "add"},
                    page_url=item_page)
    assert answer.status_code == 302
    html = unescape(client.get(item_page).get_data(as_text=True))
    assert "In the group" in html and "bus, station</a>" in html
    assert re.search(r"<li>wonen\s*<form", html)
    # From the queue's selection, to items of both groups.
    queue = "/p/economie/moderation?state=all"
    answer = submit(client, "/p/economie/codes/tag?state=all", {
        "items": [f"contribution:{items[1]}", f"contribution:{items[6]}"], "code": wonen},
        page_url=queue)
    assert answer.status_code == 302 and answer.headers["Location"].endswith(
        "/p/economie/moderation?state=all")
    # A whole group.
    group_page = f"/p/economie/groups/{g['netcongestie']}"
    assert submit(client, f"{group_page}/code", {"code": net},
                  page_url=group_page).status_code == 302
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(ItemCode)) == 6

    def listed(url):
        html = client.get(url).get_data(as_text=True)
        return {int(i) for i in re.findall(r'name="items" value="contribution:(\d+)"', html)}
    assert listed(f"{queue}&code={wonen}") == {items[0], items[1], items[6]}
    assert listed(f"{queue}&code={wonen}&group={g['bus, station']}") == {items[0], items[1]}
    theme = groups_world["themes"][1]  # items 1, 4, 7, 10
    assert listed(f"{queue}&code={wonen}&theme={theme}") == {items[1]}
    assert listed(f"{queue}&group={g['netcongestie']}") == set(items[9:12])
    assert listed(f"{queue}&group={g['netcongestie']}&round=feedback") == set()
    assert listed(f"/p/economie/moderation?state=unanswered&code={net}") == set(items[9:12])
    assert listed("/p/economie/moderation?state=pending&code=" + str(net)) == set()
    # Take it off again; rename; remove.
    answer = submit(client, f"{item_page}/codes", {"code": wonen, "action": "remove"},
                    page_url=item_page)
    assert listed(f"{queue}&code={wonen}") == {items[1], items[6]}
    rename = f"/p/economie/codes/{wonen}/rename"
    assert submit(client, rename, {"name": "Wonen en zorg"}).status_code == 302
    html = unescape(client.get("/p/economie/codes").get_data(as_text=True))
    assert "Wonen en zorg" in html and "2 items" in html
    assert submit(client, f"/p/economie/codes/{wonen}/delete", {},
                  page_url="/p/economie/codes").status_code == 302
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(ItemCode)) == 3
        assert db.session.get(Code, wonen) is None


def test_the_pages_take_a_fixed_number_of_queries(app, client, groups_world, count_queries):
    login(client, "mod@example.nl")

    def measure():
        with app.app_context():
            group_id = db.session.scalar(sa.select(AnalysisGroup.id).where(
                AnalysisGroup.label == "bus, station"))
            code_id = db.session.scalar(sa.select(Code.id))
        found = {}
        for name, url in (("groups", "/p/economie/groups?round=input"),
                          ("theme", f"/p/economie/groups?theme={groups_world['themes'][0]}"),
                          ("group", f"/p/economie/groups/{group_id}"),
                          ("codes", "/p/economie/codes"),
                          ("queue", f"/p/economie/moderation?state=all&group={group_id}"
                                    f"&code={code_id}"),
                          ("item", f"/p/economie/moderation/contribution/"
                                   f"{groups_world['items'][0]}")):
            with count_queries() as counter:
                assert client.get(url).status_code == 200, url
            found[name] = counter.count
        return found
    with app.app_context():
        process = db.session.get(Process, groups_world["process"])
        codes.add_code(process, "wonen", None)
        db.session.commit()
    small = measure()
    with app.app_context():
        process = db.session.get(Process, groups_world["process"])
        more = [make_contribution(process, process.themes[n % 3], None, title=f"Meer {n}",
                                  body=f"Meer tekst {n}.") for n in range(60)]
        db.session.commit()
        old = list(db.session.scalars(sa.select(Contribution).order_by(Contribution.id)))[:12]
        _store(process, [("bus, station", old[0:5] + more[:30]),
                         ("parkeren, tarief", old[5:9] + more[30:45]),
                         ("netcongestie", old[9:12])] + [(f"klein {n}", [more[45 + n]])
                                                         for n in range(15)],
               pairs=[(more[n].id, more[n + 1].id) for n in range(0, 20, 2)])
        for n in range(5):
            extra = codes.add_code(process, f"code {n}", None)
            codes.tag_items(process, extra, [(ItemKind.contribution, c.id) for c in more], None)
        db.session.commit()
    large = measure()
    assert small == large, (small, large)
    assert max(large.values()) <= 20, large
    print(f"\nqueries per page, 12 and 72 items: {large}")


# --- two team members at once, over HTTP (two gunicorn workers) ------------------------------

from .instances import Person  # noqa: E402
from .test_concurrent_edits import PASSWORD, conflict_region, fields_of, two_at_once  # noqa: E402

ROUNDS = 20


def _fresh_groups(app, process_id: int, n: int) -> tuple[int, int, int]:
    """Three new groups of one item each (X, G, H) for round `n`."""
    with app.app_context():
        process = db.session.get(Process, process_id)
        made = []
        for name in ("X", "G", "H"):
            item = make_contribution(process, process.themes[0], None, title=f"{name} {n}",
                                     body=f"Tekst {name} {n}.")
            db.session.flush()
            group = AnalysisGroup(process_id=process.id, round_kind=INPUT, label=f"{name} {n}")
            group.items.append(AnalysisGroupItem(item_kind=ItemKind.contribution,
                                                 item_id=item.id))
            db.session.add(group)
            db.session.flush()
            made.append(group.id)
        db.session.commit()
        return tuple(made)


def test_two_team_members_renaming_or_merging_at_once_lose_nothing(app, groups_world,
                                                                   served):  # noqa: F811
    people = [Person(), Person()]
    for who, email in enumerate(("mod@example.nl", "mod2@example.nl")):
        people[who].log_in(served.url, email, PASSWORD)
    group_id = groups_world["groups"]["netcongestie"]
    page = f"/p/economie/groups/{group_id}"

    # 1. The same group renamed by both from the same page: one name is saved, the other
    # comes back with the saved one beside it; never a 5xx.
    def load(who, n):
        answer = people[who].get(served.url + page)
        assert answer.status == 200, answer.status
        return fields_of(answer.text, f"{page}/rename", page)

    def send(who, n, fields):
        name = f"Naam {n}-{'AB'[who]} {uuid.uuid4().hex[:6]}"
        return name, people[who].post(served.url + f"{page}/rename", {**fields, "label": name})
    results = two_at_once(load, send, ROUNDS)
    by_round: dict[int, dict] = {}
    for n, who, name, answer in results:
        by_round.setdefault(n, {})[who] = (name, answer)
    with app.app_context():
        stored = db.session.get(AnalysisGroup, group_id).label
    for n, pair in by_round.items():
        assert sorted(a.status for _, a in pair.values()) == [302, 409], n
        winner = next(name for name, a in pair.values() if a.status == 302)
        loser, answer = next((name, a) for name, a in pair.values() if a.status == 409)
        assert winner in conflict_region(answer.text)
        assert f'value="{loser}"' in unescape(answer.text)  # their own text kept
    assert stored == next(name for name, a in by_round[ROUNDS - 1].values() if a.status == 302)

    # 2. One group merged into two others at once: it goes into one of them, the other merge
    # is told the group is gone; nothing is lost or split.
    rounds = {n: _fresh_groups(app, groups_world["process"], n) for n in range(ROUNDS)}

    def load_merge(who, n):
        x, g, h = rounds[n]
        target = (g, h)[who]
        answer = people[who].get(served.url + f"/p/economie/groups/{target}")
        assert answer.status == 200, answer.status
        return {**fields_of(answer.text, f"/p/economie/groups/{target}/merge",
                            f"/p/economie/groups/{target}"), "other": str(x)}

    def send_merge(who, n, fields):
        target = rounds[n][1 + who]
        return target, people[who].post(served.url + f"/p/economie/groups/{target}/merge",
                                        fields)
    results = two_at_once(load_merge, send_merge, ROUNDS)
    statuses = {}
    for n, _who, _target, answer in results:
        statuses.setdefault(n, []).append(answer.status)
        if answer.status == 409:
            assert "This group is no longer there" in unescape(answer.text)
    assert all(sorted(s) == [302, 409] for s in statuses.values()), statuses
    with app.app_context():
        for n, (x, g, h) in rounds.items():
            assert db.session.get(AnalysisGroup, x) is None
            sizes = sorted(len(db.session.get(AnalysisGroup, i).items) for i in (g, h))
            assert sizes == [1, 2], (n, sizes)
    print(f"\ngroups: {ROUNDS} pairs of renames and {ROUNDS} pairs of merges at once: "
          f"one saved, one told each time, 0 lost, 0 5xx")
