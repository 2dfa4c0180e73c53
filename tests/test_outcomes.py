""""You said, we did" (participation.outcomes): the page's figures are the public document's,
it takes a fixed number of queries, and marking the document final mails its link once to
every participant, not to those who stopped this process's e-mail."""
from __future__ import annotations

import functools
import json
import re
from collections import Counter
from html import unescape

import pytest
import sqlalchemy as sa

from participation.accounts.models import User
from participation.audit.models import AuditEvent
from participation.comments.models import Comment
from participation.contributions.models import Contribution
from participation.core.extensions import db
from participation.core.mixins import ModerationState
from participation.drafts.services import latest_published
from participation.export import services as export_services
from participation.mail.models import OutboxMessage
from participation.moderation.models import Disposition, TargetType
from participation.moderation.services import hide, save_response
from participation.outcomes.models import FinalDocument
from participation.processes.models import Process, Round

from .factories import (count, csrf_token, login, make_contribution, make_process, make_user,
                        submit)
from .instances import Person
from .test_ratings import at_once

DEMO = "economische-agenda-2026-2030"
PAGE = f"/p/{DEMO}/you-said-we-did"
DISPOSITION_NAMES = {"Adopted": "adopted", "Partly adopted": "partly",
                     "Not adopted": "not_adopted", "Noted": "noted",
                     "Already in the draft": "already", "No published response yet": None}


@pytest.fixture
def demo(app):
    """The demo process with hidden, pending and withdrawn input, a draft response and
    published ones that take input up in sections of the draft (as tests/test_api.py)."""
    assert app.test_cli_runner().invoke(args=["demo"]).exit_code == 0
    with app.test_request_context():
        process = db.session.scalar(sa.select(Process).where(Process.slug == DEMO))
        moderator = db.session.scalar(sa.select(User).where(User.role == "moderator"))
        moderator.locale = "en"
        contributions = list(db.session.scalars(
            sa.select(Contribution).join(Round, Round.id == Contribution.round_id)
            .where(Contribution.state == ModerationState.published,
                   Round.process_id == process.id).order_by(Contribution.id)))
        comments = list(db.session.scalars(
            sa.select(Comment).join(Round, Round.id == Comment.round_id)
            .where(Comment.state == ModerationState.published, Comment.by_team.is_(False),
                   Comment.parent_id.is_(None), Round.process_id == process.id)
            .order_by(Comment.id)))
        lineages = [s.lineage_id for s in latest_published(process).sections]
        hidden, pending, withdrawn = contributions[:3]
        hide(process, TargetType.contribution, hidden, moderator, "Persoonsgegevens")
        pending.state = ModerationState.pending
        withdrawn.state = ModerationState.withdrawn
        adopted, partly, drafted, refused = contributions[4:8]
        for item, disposition, body, sections, publish in (
                (adopted, Disposition.adopted, "We nemen dit over in de agenda.",
                 lineages[1:3], True),
                (partly, Disposition.partly, "We nemen dit deels mee.", [lineages[2]], True),
                (drafted, Disposition.noted, "Geheim concept van het team.", [], False),
                (refused, Disposition.not_adopted, "Past niet in de koers.", [], True)):
            save_response(process, TargetType.contribution, item, moderator,
                          disposition=disposition, body_md=body, lineage_ids=sections,
                          publish=publish)
        save_response(process, TargetType.comment, comments[1], moderator,
                      disposition=Disposition.already, body_md="Staat al in de agenda.",
                      lineage_ids=[lineages[0]], publish=True)
        db.session.commit()
        return {"hidden": hidden.title, "moderator": moderator.email}


def _sections(html: str):
    """(kind, name, items, {disposition: n}) per theme and section block of the page."""
    found = []
    for block in re.findall(r'<section class="outcome-theme".*?</section>', html, re.S):
        kind, name = re.search(r"<h3[^>]*>(Theme|Section): (.*?)</h3>", block, re.S).groups()
        items = int(re.search(r"<p>(\d+) (?:contribution|reaction)s?,", block).group(1))
        rows = re.findall(r'<th scope="row">(.*?)</th><td class="num">(\d+)</td>', block)
        found.append((kind, unescape(name.strip()), items,
                      {DISPOSITION_NAMES[unescape(label)]: int(n) for label, n in rows}))
    return found


def test_the_page_shows_the_documents_figures(app, client, demo):
    submit(client, "/language", {"locale": "en", "next": PAGE}, page_url="/")  # a visitor
    html = unescape(client.get(PAGE).get_data(as_text=True))
    assert "<h1>You said, we did</h1>" in html

    with app.test_request_context():
        process = db.session.scalar(sa.select(Process).where(Process.slug == DEMO))
        document = json.loads(export_services.export(process, "json", public=True,
                                                     language="en", actor=None))
    items = [(item["round"], item["topic"], item["disposition"], item["response_sections"])
             for s in document["stakeholders"] for item in s["items"]]
    expected = []
    for kind, topics in (("Theme", document["themes"]), ("Section", document["sections"])):
        for topic in topics:
            listed = [i for i in items if i[1] == topic["name"]
                      and i[0] == ("input" if kind == "Theme" else "feedback")]
            expected.append((kind, topic["name"], topic["items"],
                             dict(Counter(i[2] for i in listed))))
    assert _sections(html) == expected
    assert sum(e[2] for e in expected) == len(items) > 10

    totals = html[html.index('id="totals-caption"'):]
    totals = totals[:totals.index("</table>")]
    assert {DISPOSITION_NAMES[label]: int(n) for label, n in re.findall(
        r'<th scope="row">(.*?)</th><td class="num">(\d+)</td>', totals)} == dict(
        Counter(i[2] for i in items))
    # Where the agenda changed: the sections named by adopted and partly adopted input.
    changed = {section for i in items if i[2] in ("adopted", "partly") for section in i[3]}
    agenda = html[html.index('id="agenda-title"'):]
    assert changed and set(re.findall(r"<h3>(.*?)</h3>", agenda)) == changed
    assert "We nemen dit over in de agenda." in agenda
    # Only what the public document holds: no hidden item, no draft response.
    assert demo["hidden"] not in html and "Geheim concept" not in html


def test_the_page_takes_a_fixed_number_of_queries(app, client, count_queries):
    with app.test_request_context():
        make_process()
        moderator = make_user("mod@example.nl", role="moderator").id
        authors = [make_user(f"p{n}@example.nl").id for n in range(12)]
        db.session.commit()

    def add(n: int) -> None:  # n more answered contributions
        with app.test_request_context():
            process_ = db.session.scalar(sa.select(Process))
            mod = db.session.get(User, moderator)
            for k in range(n):
                item = make_contribution(process_, process_.themes[k % 3],
                                         db.session.get(User, authors[k]), title=f"Punt {k}")
                db.session.flush()
                save_response(process_, TargetType.contribution, item, mod,
                              disposition=list(Disposition)[k % 5], body_md=f"Antwoord {k}",
                              lineage_ids=[], publish=True)
            db.session.commit()

    counts = []
    for n in (2, 10):
        add(n)
        with count_queries() as counter:
            assert client.get("/p/economie/you-said-we-did").status_code == 200
        counts.append(counter.count)
    assert counts[0] == counts[1], counts
    print(f"\nyou said, we did: {counts[0]} queries with 2 and with 12 answered contributions")


@pytest.fixture
def participants(app):
    """Anna and Bram took part; Carla too but stopped this process's e-mail; Dirk only read."""
    with app.app_context():
        process = make_process()
        for email in ("anna@example.nl", "bram@example.nl", "carla@example.nl"):
            make_contribution(process, process.themes[0], make_user(email, locale="en"))
        make_user("dirk@example.nl")
        make_user("team@example.nl", role="moderator", locale="en")
        db.session.commit()


def test_marking_final_mails_the_page_once_not_to_who_unsubscribed(app, client, participants,
                                                                    mailbox):
    from participation.notifications.services import unsubscribe_token

    with app.test_request_context():
        carla = db.session.scalar(sa.select(User).where(User.email == "carla@example.nl"))
        token = unsubscribe_token(carla.id, db.session.scalar(sa.select(Process.id)))
    stop = client.get(f"/unsubscribe/{token}").get_data(as_text=True)
    assert client.post(f"/unsubscribe/{token}",
                       data={"csrf_token": csrf_token(stop)}).status_code == 200

    team = app.test_client()
    login(team, "team@example.nl")
    page = team.get("/p/economie/you-said-we-did").get_data(as_text=True)
    answer = team.post("/p/economie/you-said-we-did/final",
                       data={"csrf_token": csrf_token(page)}, follow_redirects=True)
    assert "2 participants will get an e-mail" in unescape(answer.get_data(as_text=True))
    again = team.post("/p/economie/you-said-we-did/final", data={"csrf_token": csrf_token(page)},
                      follow_redirects=True)
    assert "had already been marked final" in unescape(again.get_data(as_text=True))

    assert mailbox.deliver()["sent"] == 2
    for email in ("anna@example.nl", "bram@example.nl"):
        mail = mailbox.only(email)
        assert mail.subject == "What was done with your input: Traject economie"
        assert client.get(mail.link("/p/economie/you-said-we-did")).status_code == 200
        assert "/unsubscribe/" in mail.link("/unsubscribe/")
    assert mailbox.to("carla@example.nl") == [] and mailbox.to("dirk@example.nl") == []
    with app.app_context():
        assert count(FinalDocument) == 1
        assert count(AuditEvent, AuditEvent.action == "document.final") == 1


def test_two_team_members_marking_final_at_once_mail_once(app, participants, served):  # noqa: F811
    with app.app_context():
        make_user("team2@example.nl", role="moderator", locale="en")
    people = [Person(), Person()]
    for who, email in zip(people, ("team@example.nl", "team2@example.nl"), strict=True):
        who.log_in(served.url, email, "lange-wachtzin-42")
    tokens = [csrf_token(p.get(served.url + "/p/economie/you-said-we-did").text) for p in people]
    answers = at_once([functools.partial(p.post, served.url + "/p/economie/you-said-we-did/final",
                                         {"csrf_token": token})
                       for p, token in zip(people, tokens, strict=True)])
    assert [a.status for a in answers] == [302, 302]
    with app.app_context():
        assert count(FinalDocument) == 1
        assert count(OutboxMessage, OutboxMessage.kind == "outcome") == 3
        assert count(AuditEvent, AuditEvent.action == "document.final") == 1
