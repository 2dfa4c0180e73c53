"""The municipality's answers, as the document must print them: responses saved any number of
times with their sections, a team member's answer in a thread, replies to removed comments,
and what only the internal version shows."""
from __future__ import annotations

import threading
import uuid

import pytest
import sqlalchemy as sa

from participation.accounts.models import User
from participation.audit.models import AuditEvent
from participation.comments.models import Comment
from participation.core.conflicts import EditConflict
from participation.contributions.models import Contribution
from participation.drafts.models import Section
from participation.export.services import document
from participation.core.extensions import db
from participation.moderation.models import Disposition, Response, ResponseSection, TargetType
from participation.moderation.services import save_response
from participation.processes.models import Process

from .factories import (csrf_token, field_errors, login, make_comment, make_contribution,
                        make_process, make_user, open_feedback_round, publish_draft, submit)


@pytest.fixture
def world(app):
    """Round 2 open on a published draft; a resident's contribution and comment; a
    moderator."""
    with app.app_context():
        process = make_process()
        open_feedback_round(process)
        moderator = make_user("mod@example.nl", role="moderator", name="Mod")
        resident = make_user("inwoner@example.nl", name="Ans")
        version = publish_draft(process, moderator)
        sections = {s.number: s for s in version.sections}
        contribution = make_contribution(process, process.themes[0], resident,
                                         title="Personeel vinden is lastig")
        comment = make_comment(sections["2.2"], resident, "Meer aandacht voor het mkb.")
        db.session.commit()
        return {"contribution": contribution.id, "comment": comment.id,
                "lineages": {n: s.lineage_id for n, s in sections.items()},
                "names": {n: f"{s.number} {s.heading}" for n, s in sections.items()}}


def _document(app, public=True):
    with app.app_context():
        process = db.session.scalar(sa.select(Process))
        return {(item.kind, item.id): item for _, item in document(
            process, public=public, language="nl").items()}


def _stored(kind: TargetType, item_id: int) -> tuple[Response, list[int]]:
    response = db.session.scalar(sa.select(Response).where(Response.target_type == kind,
                                                           Response.target_id == item_id))
    return response, sorted(db.session.scalars(sa.select(ResponseSection.lineage_id).where(
        ResponseSection.response_id == response.id)))


def _download(app, fmt: str, versions=("public",)) -> dict[str, str]:
    """The document as a staff member downloads it from the export page, per version."""
    staff = app.test_client()
    with app.app_context():
        make_user("staff@example.nl", role="staff")
    login(staff, "staff@example.nl")
    texts = {}
    for version in versions:
        page = staff.get("/p/economie/export").get_data(as_text=True)
        texts[version] = staff.post("/p/economie/export", data={
            "csrf_token": csrf_token(page), "format": fmt, "version": version,
            "language": "nl"}).get_data(as_text=True)
    return texts


@pytest.mark.parametrize("kind", ["contribution", "comment"])
def test_a_response_is_saved_published_and_edited_any_number_of_times(client, app, world, kind):
    """Draft, publish, edit, edit, each keeping or changing its two linked sections: a 302 every
    time (it was a 500 from the second save on), and the document holds the last version."""
    login(client, "mod@example.nl")
    item_id = world[kind]
    page_url = f"/p/economie/moderation/{kind}/{item_id}"
    two = [str(world["lineages"]["2.1"]), str(world["lineages"]["2.2"])]
    steps = [("save", "adopted", "Eerste opzet.", two),
             ("publish", "adopted", "Eerste opzet.", two),
             ("publish", "partly", "Tweede versie.", two),
             ("save", "partly", "Derde versie, andere paragraaf.",
              [str(world["lineages"]["2.2"]), str(world["lineages"]["1"])]),
             ("publish", "already", "Definitief.", [str(world["lineages"]["1"])])]
    for action, disposition, body, sections in steps:
        answer = submit(client, page_url + "/response", {
            "disposition": disposition, "body": body, "sections": sections, "action": action},
            page_url=page_url)
        assert answer.status_code == 302, (action, body, answer.status_code)
    with app.app_context():
        response, lineages = _stored(TargetType(kind), item_id)
        assert response.body_md == "Definitief." and response.published_at is not None
        assert lineages == [world["lineages"]["1"]]
        saves = db.session.scalars(sa.select(AuditEvent).where(
            AuditEvent.action == "response.save").order_by(AuditEvent.id)).all()
    # The publish of an unchanged draft records no second save; every change has before/after.
    assert len(saves) == 4
    assert saves[0].before is None and saves[0].after["sections"] == sorted(map(int, two))
    assert saves[2].before["sections"] == sorted(map(int, two))
    assert saves[2].after["sections"] == sorted([world["lineages"]["2.2"], world["lineages"]["1"]])
    assert saves[3].before["text"] == "Derde versie, andere paragraaf."
    assert saves[3].after == {"disposition": "already", "text": "Definitief.", "published": True,
                              "sections": [world["lineages"]["1"]]}
    item = _document(app)[(kind, item_id)]
    assert item.response_md == "Definitief." and item.disposition == "already"
    assert item.response_sections == [world["names"]["1"]]
    # The download holds it too.
    html = _download(app, "html")["public"]
    assert "Definitief." in html and world["names"]["1"] in html
    assert "Tweede versie." not in html


def test_the_same_response_sent_twice_is_recorded_once(client, app, world):
    login(client, "mod@example.nl")
    page_url = f"/p/economie/moderation/contribution/{world['contribution']}"
    data = {"disposition": "noted", "body": "Dank.", "action": "publish",
            "sections": [str(world["lineages"]["2.1"])]}
    for _ in range(2):
        assert submit(client, page_url + "/response", data, page_url=page_url).status_code == 302
    with app.app_context():
        actions = list(db.session.scalars(sa.select(AuditEvent.action).where(
            AuditEvent.action.like("response.%")).order_by(AuditEvent.id)))
    assert actions == ["response.save", "response.publish"]


def test_two_moderators_answering_one_item_at_once_make_one_response_and_one_is_told(app, world):
    """Both see no response yet and both insert one: one is saved, and the unique key turns the
    other into a conflict that hands its author both texts (participation.core.conflicts), instead
    of an error or a silent change of the first. Repeated, because a race shows only
    sometimes: 0 errors, and every text is either saved or back with its author."""
    with app.app_context():
        make_user("mod2@example.nl", role="moderator", name="Mod Twee")
    errors, told = [], []
    both_looked = threading.Barrier(2)
    # SQLite lets one writer in at a time: there the other never gets here while the first
    # waits, so waiting long only makes the test slow.
    patience = 0.2 if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite") else 2

    def insert_together(session, _context, _instances):
        # Both have found no response yet: now both insert.
        if any(isinstance(obj, Response) for obj in session.new):
            try:
                both_looked.wait(timeout=patience)
            except threading.BrokenBarrierError:
                pass
    sa.event.listen(db.session, "before_flush", insert_together)
    for attempt in range(15):
        both_looked.reset()
        with app.app_context():
            item = make_contribution(db.session.scalar(sa.select(Process)),
                                     db.session.scalar(sa.select(Process)).themes[0],
                                     db.session.get(User, 2), title=f"Race {attempt}")
            db.session.commit()
            item_id = item.id
        ready = threading.Barrier(2)
        conflicts_here = []

        def answer(email: str, text: str, item_id=item_id, ready=ready,
                   conflicts_here=conflicts_here) -> None:
            # A request, as from the form of an item without a response (version 0):
            # publishing mails the author a link to the item.
            with app.test_request_context(method="POST"):
                try:
                    ready.wait(timeout=30)
                    process = db.session.scalar(sa.select(Process))
                    moderator = db.session.scalar(sa.select(User).where(User.email == email))
                    contribution = db.session.get(Contribution, item_id)
                    save_response(process, TargetType.contribution, contribution, moderator,
                                  disposition=Disposition.noted, body_md=text,
                                  lineage_ids=[world["lineages"]["2.1"]], publish=True,
                                  seen_version=0)
                    db.session.commit()
                except EditConflict as conflict:
                    # Back to its author, with the response that was saved first.
                    conflicts_here.append((text, conflict.current.body_md))
                    db.session.rollback()
                except Exception as error:  # noqa: BLE001 - the test reports what went wrong
                    errors.append(repr(error))
                    db.session.rollback()
        threads = [threading.Thread(target=answer, args=(email, text)) for email, text in
                   (("mod@example.nl", "Antwoord A"), ("mod2@example.nl", "Antwoord B"))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert errors == []
        with app.app_context():
            rows = db.session.scalars(sa.select(Response).where(
                Response.target_id == item_id,
                Response.target_type == TargetType.contribution)).all()
            assert len(rows) == 1 and rows[0].published_at is not None
            saved = rows[0].body_md
            saves = db.session.scalars(sa.select(AuditEvent).where(
                AuditEvent.action == "response.save", AuditEvent.target_id == item_id)).all()
            assert [e.after["text"] for e in saves] == [saved]
        # The one not saved went back to its author together with the saved one: not lost.
        assert len(conflicts_here) == 1
        returned, shown = conflicts_here[0]
        assert shown == saved and {saved, returned} == {"Antwoord A", "Antwoord B"}
        told.append(returned)
    sa.event.remove(db.session, "before_flush", insert_together)
    assert len(told) == 15


# --- answers in the thread ------------------------------------------------------------------

def _reply_page(world) -> str:
    return f"/p/economie/comments/{world['comment']}/reply"


def test_a_moderator_answers_in_the_thread_as_the_municipalitys_response(client, app, world,
                                                                          mailbox):
    login(client, "mod@example.nl")
    page = client.get(_reply_page(world)).get_data(as_text=True)
    assert 'name="answer_as"' in page and "De reactie van de gemeente op deze reactie" in page
    # Choosing "response" without a disposition: the message is next to the field, text kept.
    bad = client.post(_reply_page(world), data={
        "csrf_token": csrf_token(page), "submission_key": uuid.uuid4().hex, "answer_as": "response",
        "body": "Wij nemen dit mee in paragraaf 2.2."})
    assert bad.status_code == 200
    html = bad.get_data(as_text=True)
    assert any(e.startswith("disposition:") for e in field_errors(html))
    assert "Wij nemen dit mee in paragraaf 2.2." in html
    for _ in range(2):  # sent twice (a re-sent form): one response, recorded once
        done = client.post(_reply_page(world), data={
            "csrf_token": csrf_token(page), "submission_key": uuid.uuid4().hex, "answer_as": "response",
            "disposition": "adopted", "body": "Wij nemen dit mee in paragraaf 2.2."})
        assert done.status_code == 302
    with app.app_context():
        response, _ = _stored(TargetType.comment, world["comment"])
        assert response.published_at is not None and response.disposition is Disposition.adopted
        # Not also placed as a team reply: the thread would show the words twice.
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Comment).where(
            Comment.by_team.is_(True))) == 0
        assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent).where(
            AuditEvent.action == "response.save")) == 1
    thread = app.test_client().get("/p/economie/draft/s/2.2").get_data(as_text=True)
    assert "Wij nemen dit mee in paragraaf 2.2." in thread
    item = _document(app)[("comment", world["comment"])]
    assert item.disposition == "adopted" and item.answered
    assert item.response_md == "Wij nemen dit mee in paragraaf 2.2."
    mailbox.deliver()
    assert [m for m in mailbox.to("inwoner@example.nl") if "paragraaf 2.2" in m.text]


def test_a_plain_team_reply_is_printed_as_the_municipalitys_reply_not_as_no_response(
        client, app, world):
    login(client, "mod@example.nl")
    page = client.get(_reply_page(world)).get_data(as_text=True)
    done = client.post(_reply_page(world), data={
        "csrf_token": csrf_token(page), "submission_key": uuid.uuid4().hex, "answer_as": "reply",
        "body": "Goed punt, we komen erop terug."})
    assert done.status_code == 302
    # Whoever answers officially later sees what was said in the thread.
    workspace = client.get(f"/p/economie/moderation/comment/{world['comment']}")
    assert "Goed punt, we komen erop terug." in workspace.get_data(as_text=True)
    item = _document(app)[("comment", world["comment"])]
    assert item.disposition is None and item.answered
    assert [r.text_md for r in item.team_replies] == ["Goed punt, we komen erop terug."]
    text = _download(app, "html")["public"]
    start = text.index("Meer aandacht voor het mkb.")
    block = text[start:text.index("</article>", start)]
    assert "Goed punt, we komen erop terug." in block
    assert "Antwoord van de gemeente in de discussie" in block
    assert "Nog geen reactie" not in block


def test_participants_and_staff_get_no_choice_of_response(client, app, world):
    with app.app_context():
        make_user("staff@example.nl", role="staff")
        make_user("ander@example.nl", name="Ander")
    for email in ("staff@example.nl", "ander@example.nl"):
        person = app.test_client()
        login(person, email)
        page = person.get(_reply_page(world)).get_data(as_text=True)
        assert 'name="answer_as"' not in page
        # Sending the field anyway makes a plain reply, never a response.
        person.post(_reply_page(world), data={
            "csrf_token": csrf_token(page), "submission_key": uuid.uuid4().hex, "answer_as": "response",
            "disposition": "adopted", "body": "Ik beslis dit."})
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Response)) == 0


# --- replies to removed comments, and the internal version ----------------------------------

def test_a_reply_to_a_hidden_comment_says_it_answers_a_removed_contribution(app, world):
    from participation.moderation.services import hide

    with app.app_context():
        process = db.session.scalar(sa.select(Process))
        moderator = db.session.scalar(sa.select(User).where(User.email == "mod@example.nl"))
        firm = make_user("firma@example.nl", name="Firma")
        parent = db.session.get(Comment, world["comment"])
        section = db.session.get(Section, parent.section_id)
        reply = make_comment(section, firm, "Helemaal mee eens.", parent=parent)
        deeper = make_comment(section, firm, "Nog een.", parent=make_comment(
            section, firm, "Tussen.", parent=reply))
        hide(process, TargetType.comment, parent, moderator, "Bevat persoonsgegevens")
        hide(process, TargetType.comment, db.session.get(Comment, deeper.parent_id), moderator,
             "Scheldwoord")
        db.session.commit()
        reply_id, deeper_id = reply.id, deeper.id
    public = _document(app)
    assert public[("comment", reply_id)].in_reply_to == "een bijdrage die is verwijderd"
    assert public[("comment", deeper_id)].in_reply_to == "een bijdrage die is verwijderd"
    thread = app.test_client().get("/p/economie/draft/s/2.2").get_data(as_text=True)
    assert "Helemaal mee eens." in thread and "Meer aandacht voor het mkb." not in thread


def test_the_internal_version_shows_draft_responses_and_reasons_the_public_one_never(
        client, app, world):
    from participation.moderation.services import hide

    login(client, "mod@example.nl")
    page_url = f"/p/economie/moderation/contribution/{world['contribution']}"
    submit(client, page_url + "/response", {"disposition": "partly", "body": "Nog in overleg.",
                                           "action": "save"}, page_url=page_url)
    with app.app_context():
        process = db.session.scalar(sa.select(Process))
        moderator = db.session.scalar(sa.select(User).where(User.email == "mod@example.nl"))
        hide(process, TargetType.comment, db.session.get(Comment, world["comment"]), moderator,
             "Noemt een medewerker bij naam")
        db.session.commit()
    public = _document(app, public=True)
    internal = _document(app, public=False)
    item = public[("contribution", world["contribution"])]
    assert item.disposition is None and not item.response_draft
    assert ("comment", world["comment"]) not in public
    item = internal[("contribution", world["contribution"])]
    assert item.disposition == "partly" and item.response_draft
    assert internal[("comment", world["comment"])].hidden_reason == \
        "Noemt een medewerker bij naam"
    texts = _download(app, "csv", ("public", "internal"))
    assert "Nog in overleg." in texts["internal"] and "Noemt een medewerker" in texts["internal"]
    assert "Nog in overleg." not in texts["public"] and "Noemt een medewerker" not in texts["public"]
