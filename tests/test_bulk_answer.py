"""One response for many items (moderation.services.save_responses): each item gets a response
of its own, recorded and mailed as one answered alone, editable on its own afterwards; bad input
writes nothing; an item someone else answered meanwhile is reported, not overwritten; a fixed
number of queries; and two moderators answering the same items at once lose nothing."""
from __future__ import annotations

import collections
import re
import uuid
from html import unescape
from urllib.parse import urlencode

import pytest
import sqlalchemy as sa

from participation.accounts.models import User
from participation.audit.models import AuditEvent
from participation.contributions.models import Contribution
from participation.core.extensions import db
from participation.mail.models import OutboxMessage
from participation.moderation.models import Disposition, Response, ResponseSection, TargetType
from participation.moderation.services import save_response
from participation.processes.models import Process

from .factories import (csrf_token, field_errors, login, make_comment, make_contribution,
                        make_process, make_user, open_feedback_round, publish_draft, submit)

QUEUE = "/p/economie/moderation"
ANSWER = "/p/economie/moderation/answer"
PASSWORD = "lange-wachtzin-42"


@pytest.fixture
def world(app):
    """Round 2 open on a published draft; 45 published contributions by three residents and
    five comments; two moderators who read the site in English."""
    with app.app_context():
        process = make_process()
        open_feedback_round(process)
        mod = make_user("mod@example.nl", role="moderator", name="Mod", locale="en")
        make_user("mod2@example.nl", role="moderator", name="Mila", locale="en")
        authors = [make_user(f"inwoner{n}@example.nl", name=f"Inwoner {n}") for n in range(3)]
        version = publish_draft(process, mod)
        sections = {s.number: s for s in version.sections}
        for n in range(45):
            make_contribution(process, process.themes[n % 3], authors[n % 3],
                              title=f"Netcongestie {n:02d}")
        for n in range(5):
            make_comment(sections["2.2"], authors[n % 3], f"Meer stroom {n}.")
        db.session.commit()
        return {"lineages": [sections["2.1"].lineage_id, sections["2.2"].lineage_id]}


def _keys(app, n: int, kind: str = "contribution") -> list[str]:
    with app.app_context():
        return [f"{kind}:{i}" for i in db.session.scalars(
            sa.select(Contribution.id).order_by(Contribution.id).limit(n))]


def _answer_page(client, keys: list[str]) -> tuple[str, list[str]]:
    """The page of one answer for the ticked `keys`, reached from the queue's button."""
    queue = client.get(QUEUE + "?state=all").get_data(as_text=True)
    to_page = client.post(QUEUE + "/bulk?state=all", data={
        "csrf_token": csrf_token(queue), "action": "answer", "items": keys})
    assert to_page.status_code == 302, to_page.status_code
    page = client.get(to_page.location)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    return html, re.findall(r'name="items" value="([a-z]+:\d+:-?\d+)"', html)


def _send(client, html: str, items: list[str], **fields):
    data = {"csrf_token": csrf_token(html), "items": items, "disposition": "partly",
            "body": "Wij zoeken met Enexis naar **meer netcapaciteit**.", "action": "publish",
            **fields}
    return client.post(ANSWER + "?state=all", data=data)


def _responses(app) -> dict[int, Response]:
    with app.app_context():
        return {r.target_id: r for r in db.session.scalars(sa.select(Response).where(
            Response.target_type == TargetType.contribution))}


def test_forty_items_get_one_answer_each_their_own_audited_mailed_and_editable(
        client, app, world):
    login(client, "mod@example.nl")
    keys = _keys(app, 40)
    html, items = _answer_page(client, keys)
    assert "One response for 40 items" in html and len(items) == 40
    assert all(item.endswith(":0") for item in items)  # none had a response yet
    lineages = [str(lid) for lid in world["lineages"]]
    answer = _send(client, html, items, sections=lineages)
    assert answer.status_code == 302, field_errors(answer.get_data(as_text=True))
    page = client.get(answer.location).get_data(as_text=True)
    assert "The response has been published for 40 items; each author gets an e-mail." in page
    responses = _responses(app)
    ids = sorted(int(key.split(":")[1]) for key in keys)
    assert sorted(responses) == ids
    with app.app_context():
        assert {r.disposition for r in responses.values()} == {Disposition.partly}
        assert all(r.published_at and "<strong>meer netcapaciteit</strong>" in r.body_html
                   for r in responses.values())
        linked = collections.Counter(db.session.scalars(sa.select(ResponseSection.response_id)))
        assert set(linked.values()) == {2} and len(linked) == 40
        events = collections.Counter((e.action, e.target_id) for e in db.session.scalars(
            sa.select(AuditEvent).where(AuditEvent.action.like("response.%"))))
        assert events == {**{("response.save", i): 1 for i in ids},
                          **{("response.publish", i): 1 for i in ids}}
        mails = collections.Counter(db.session.scalars(sa.select(OutboxMessage.recipient).where(
            OutboxMessage.kind == "response")))
        # One mail per answered item to its author, as for a response given alone.
        assert sum(mails.values()) == 40 and set(mails) == {f"inwoner{n}@example.nl"
                                                            for n in range(3)}
    # One of them changed on its own: the other 39 keep the shared answer.
    one = ids[7]
    url = f"/p/economie/moderation/contribution/{one}"
    changed = submit(client, url + "/response", {
        "disposition": "adopted", "body": "Hier nemen we het letterlijk over.",
        "action": "publish"}, page_url=url)
    assert changed.status_code == 302
    responses = _responses(app)
    assert responses[one].body_md == "Hier nemen we het letterlijk over."
    assert responses[one].version == 2
    assert {r.body_md for i, r in responses.items() if i != one} == {
        "Wij zoeken met Enexis naar **meer netcapaciteit**."}


def test_bad_input_keeps_the_text_next_to_a_message_and_writes_nothing(client, app, world):
    login(client, "mod@example.nl")
    html, items = _answer_page(client, _keys(app, 5))
    answer = _send(client, html, items, disposition="", body="Mijn halve antwoord <b>")
    assert answer.status_code == 400
    page = answer.get_data(as_text=True)
    assert field_errors(page) == ["disposition: Choose what the municipality does with it."]
    assert "Mijn halve antwoord &lt;b&gt;</textarea>" in page
    assert re.findall(r'name="items" value="([a-z]+:\d+:-?\d+)"', page) == items
    too_long = _send(client, html, items, body="x" * 10_001)
    assert too_long.status_code == 400
    assert field_errors(too_long.get_data(as_text=True)) == ["body: Use at most 10000 characters."]
    nothing = _send(client, html, [])
    assert nothing.status_code == 400
    assert "No items were chosen" in nothing.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Response)) == 0
        assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent).where(
            AuditEvent.action.like("response.%"))) == 0


def test_an_item_answered_meanwhile_is_listed_and_keeps_its_answer(client, app, world):
    """A colleague answers one of the items after the page was opened, another one already had
    a response (kept, as the page offered): both are left as they are; sending it again
    changes nothing and is not an error."""
    login(client, "mod@example.nl")
    keys = _keys(app, 6)
    ids = [int(key.split(":")[1]) for key in keys]
    with app.test_request_context():
        process = db.session.scalar(sa.select(Process))
        colleague = db.session.scalar(sa.select(User).where(User.email == "mod2@example.nl"))
        save_response(process, TargetType.contribution, db.session.get(Contribution, ids[0]),
                      colleague, disposition=Disposition.noted, body_md="Eigen antwoord.",
                      lineage_ids=[], publish=True)
        db.session.commit()
    html, items = _answer_page(client, keys)
    assert "1 of these items already has a response" in html
    with app.test_request_context():
        process = db.session.scalar(sa.select(Process))
        colleague = db.session.scalar(sa.select(User).where(User.email == "mod2@example.nl"))
        save_response(process, TargetType.contribution, db.session.get(Contribution, ids[3]),
                      colleague, disposition=Disposition.adopted, body_md="Van Mila.",
                      lineage_ids=[], publish=False, seen_version=0)
        db.session.commit()
    answer = _send(client, html, items)
    assert answer.status_code == 409
    page = unescape(answer.get_data(as_text=True))
    assert "The response has been published for 4 items" in page
    assert "1 item kept the response it had." in page
    assert "Answered by someone else meanwhile" in page and "Netcongestie 03" in page
    assert page.count("<tr>") == 2  # the header and the one item
    responses = _responses(app)
    assert responses[ids[0]].body_md == "Eigen antwoord." and responses[ids[0]].version == 1
    assert responses[ids[3]].body_md == "Van Mila." and responses[ids[3]].published_at is None
    assert {responses[i].body_md for i in ids[1:3] + ids[4:]} == {
        "Wij zoeken met Enexis naar **meer netcapaciteit**."}
    # Sent again (a double click): nothing more is saved, recorded or mailed.
    with app.app_context():
        before = db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent))
    again = _send(client, html, items)
    assert again.status_code == 409
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)) == before
    # Replacing the existing responses knowingly, from a page made now.
    html, items = _answer_page(client, keys)
    assert _send(client, html, items, replace_existing="y").status_code == 302
    assert {r.body_md for r in _responses(app).values()} == {
        "Wij zoeken met Enexis naar **meer netcapaciteit**."}


def test_all_items_of_a_filtered_list_on_every_page(client, app, world):
    """"Answer all N items of this list": the 45 contributions of round 1 over the queue's
    pages of 50 items with the comments, not the comments, not one page only."""
    login(client, "mod@example.nl")
    with app.app_context():
        make_contribution(db.session.scalar(sa.select(Process)),
                          db.session.scalar(sa.select(Process)).themes[0],
                          db.session.scalar(sa.select(User).where(User.email ==
                                                                  "inwoner0@example.nl")),
                          title="Nog in de wacht", state="pending")
    queue = client.get(QUEUE + "?state=unanswered&round=input").get_data(as_text=True)
    assert "Answer all 45 items of this list" in queue
    to_page = client.post(QUEUE + "/bulk?state=unanswered&round=input", data={
        "csrf_token": csrf_token(queue), "action": "answer_all"})
    page = client.get(to_page.location).get_data(as_text=True)
    items = re.findall(r'name="items" value="([a-z]+:\d+:-?\d+)"', page)
    assert len(items) == 45 and all(i.startswith("contribution:") for i in items)
    assert "Nog in de wacht" not in page


def test_a_bulk_answer_takes_the_same_number_of_queries_for_40_items_as_for_5(
        app, world, count_queries):
    counts = {}
    for n, moderator in ((5, "mod@example.nl"), (40, "mod2@example.nl")):
        client = app.test_client()
        login(client, moderator)
        with app.app_context():
            keys = [f"contribution:{i}" for i in db.session.scalars(
                sa.select(Contribution.id).where(Contribution.id.not_in(
                    sa.select(Response.target_id))).order_by(Contribution.id).limit(n))]
        html, items = _answer_page(client, keys)
        with count_queries() as counter:
            answer = _send(client, html, items, sections=[str(world["lineages"][0])])
        assert answer.status_code == 302
        counts[n] = collections.Counter(statement.split(None, 1)[0].upper()
                                        for statement in counter.statements)
    assert len(_responses(app)) == 45
    reads = {n: sum(c for word, c in found.items() if word != "INSERT")
             for n, found in counts.items()}
    assert reads[40] == reads[5] <= 16, counts
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        # One INSERT per table (responses, their sections, audit events, mail), however many.
        assert counts[40]["INSERT"] == counts[5]["INSERT"] == 4, counts
    else:
        # SQLite cannot give back the ids of many new rows in the order given, so SQLAlchemy
        # inserts them one by one (in-process calls, no round trip): 2 audit events, 1
        # response, 1 section and 1 mail per item.
        assert counts[40]["INSERT"] - counts[5]["INSERT"] == 35 * 5, counts
    print(f"\nbulk answer: {sum(counts[5].values())} statements for 5 items, "
          f"{sum(counts[40].values())} for 40 ({reads[40]} reads)")


# --- the real thing: two gunicorn workers, two bulk answers at the same moment ------------

ROUNDS = 10


def test_two_moderators_answering_overlapping_items_at_once_lose_nothing(
        app, world, served):  # noqa: F811
    """Ten times both open the page for the same five new items and send their answer at the
    same moment: every item has one response, that of the moderator whose answer was saved
    for it; the other is told which ones (409), never a 5xx, nothing written over."""
    from .instances import Person
    from .test_concurrent_edits import two_at_once

    with app.app_context():
        process = db.session.scalar(sa.select(Process))
        author = db.session.scalar(sa.select(User).where(User.email == "inwoner0@example.nl"))
        made = [[make_contribution(process, process.themes[0], author, title=f"Samen {n}-{k}")
                 for k in range(5)] for n in range(ROUNDS)]
        db.session.commit()
        rounds = [[item.id for item in items] for items in made]
    moderators = [Person(), Person()]
    for moderator, email in zip(moderators, ("mod@example.nl", "mod2@example.nl"), strict=True):
        moderator.log_in(served.url, email, PASSWORD)

    def load(who, n):
        query = "&".join(f"items=contribution:{i}" for i in rounds[n])
        page = moderators[who].get(f"{served.url}{ANSWER}?{query}")
        assert page.status == 200, page.status
        return {"csrf_token": csrf_token(page.text),
                "items": re.findall(r'name="items" value="([a-z]+:\d+:-?\d+)"', page.text)}

    def send(who, n, fields):
        text = f"Antwoord {n}-{'AB'[who]} {uuid.uuid4().hex[:8]}"
        body = urlencode([("csrf_token", fields["csrf_token"]), ("disposition", "noted"),
                          ("body", text), ("action", "publish"),
                          *(("items", item) for item in fields["items"])])
        return text, moderators[who].request(
            "POST", served.url + ANSWER, body.encode(),
            {"Content-Type": "application/x-www-form-urlencoded"})
    results = two_at_once(load, send, ROUNDS)
    with app.app_context():
        rows = collections.Counter(db.session.scalars(sa.select(Response.target_id)))
        texts = {r.target_id: r.body_md for r in db.session.scalars(sa.select(Response))}
    by_round = collections.defaultdict(list)
    for n, _who, text, answer in results:
        by_round[n].append((text, answer))
    for n, pair in sorted(by_round.items()):
        (winner, first), (loser, second) = sorted(pair, key=lambda p: p[1].status)
        assert (first.status, second.status) == (302, 409), (n, first.status, second.status)
        # Every item has the text of the one whose answer was saved; the other is told, item
        # by item, that someone else answered it meanwhile.
        assert {texts[i] for i in rounds[n]} == {winner}, n
        assert "No item was answered." in second.text
        assert second.text.count("Answered by someone else meanwhile") == 5, n
    assert all(rows[i] == 1 for items in rounds for i in items)
