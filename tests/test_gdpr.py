"""Privacy (AVG/GDPR) rights: download my data, delete my account (keep or remove what was
published), the retention purge, and consent to a changed privacy statement.

After every deletion or purge the text columns of every table are searched for the person's
name and e-mail address: nothing may be left.
"""
from __future__ import annotations

import io
import json
import re
import uuid
from datetime import datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from werkzeug.datastructures import FileStorage

from participation.accounts.models import User
from participation.audit.models import AuditEvent
from participation.comments.models import (
    Comment,
    CommentRevision,
    CommentSupport,
)
from participation.contributions.models import (
    Attachment,
    Contribution,
    ContributionRevision,
)
from participation.drafts.models import Section
from participation.core.extensions import db
from participation.core.mixins import ModerationState
from participation.invitations.models import Invitation
from participation.mail.models import OutboxMessage
from participation.moderation.models import Flag, Response
from participation.notifications.models import NotificationPreference, ReplyNotice
from participation.processes.models import Process, ProcessMember, RoundKind
from participation.core.timeutil import utcnow

from .factories import (csrf_token, field_errors, login, make_organisation, make_process, make_user,
                        open_feedback_round, pdf_bytes, publish_draft, submit)

PASSWORD = "lange-wachtzin-42"
JOZEFIEN, JOZEFIEN_NAME = "jozefien@oosterhuis.example", "Jozefien Oosterhuisbroek"
MARIEKE, MARIEKE_NAME = "marieke@bosbouw.example", "Marieke Bosbouwer"
OTHER = "other@example.nl"


def key() -> str:
    return uuid.uuid4().hex


def scan(app, needles, *, skip_tables=()) -> list[str]:
    """Where any needle (case-insensitive) occurs in a text or JSON column of any table."""
    found = []
    with app.app_context():
        for table in db.metadata.sorted_tables:
            if table.name in skip_tables:
                continue
            for column in table.columns:
                if isinstance(column.type, sa.JSON):
                    text = sa.cast(column, sa.Text)
                elif isinstance(column.type, (sa.String, sa.Text)):
                    text = column
                else:
                    continue
                for needle in needles:
                    hits = db.session.scalar(sa.select(sa.func.count()).select_from(table).where(
                        sa.func.lower(text).contains(needle.lower(), autoescape=True)))
                    if hits:
                        found.append(f"{table.name}.{column.name}: {needle}")
    return found


def _paper(name: str) -> object:
    from participation.core.uploads import check_pdf

    return check_pdf(FileStorage(io.BytesIO(pdf_bytes()), filename=name))


@pytest.fixture
def world(app, tmp_path, monkeypatch):
    """Jozefien (a resident) and Marieke (Bos Bouw) took part in both rounds: input with an
    earlier version and a paper, a response, comments with a reply by someone else, support,
    a flag, a notification choice, an accepted invitation, and the mail all that sent."""
    from participation.comments import services as comments
    from participation.contributions import services as contributions
    from participation.invitations.models import InvitationKind
    from participation.invitations.services import accept, invite
    from participation.moderation.models import Disposition, FlagReason, TargetType
    from participation.moderation.services import flag, save_response
    from participation.notifications.models import NotifyMode
    from participation.notifications.services import set_mode

    monkeypatch.setitem(app.config, "UPLOAD_FOLDER", str(tmp_path / "uploads"))
    with app.test_request_context():
        org = make_organisation("Bos Bouw", "business", "bouw")
        jozefien = make_user(JOZEFIEN, name=JOZEFIEN_NAME, locale="en")
        marieke = make_user(MARIEKE, name=MARIEKE_NAME, organisation=org, locale="en")
        other = make_user(OTHER, name="Olga Anders", locale="en")
        moderator = make_user("mod@example.nl", role="moderator", name="Mod", locale="en")
        process = make_process()
        input_round, theme = process.round_of(RoundKind.input), process.themes[0]

        invitation = invite(process, email=JOZEFIEN, name=JOZEFIEN_NAME, organisation_name="",
                            kind=InvitationKind.full, by=moderator)
        accept(invitation, jozefien)
        first = contributions.submit(
            author=jozefien, round_=input_round, theme=theme, title="Ruimte voor starters",
            body_md="Eerste tekst van Jozefien.", submission_key=key(),
            pdf=_paper(f"{JOZEFIEN_NAME} positie.pdf"))
        contributions.edit(first, editor=jozefien, title="Ruimte voor starters",
                           body_md="Tweede tekst van Jozefien.")
        contributions.submit(author=jozefien, round_=input_round, theme=theme,
                             title="Betere busverbindingen", body_md="Bus.", submission_key=key())
        contributions.submit(author=marieke, round_=input_round, theme=theme,
                             title="Bouwplaatsen", body_md="Ruimte voor de bouw.",
                             submission_key=key())
        contributions.submit(author=other, round_=input_round, theme=theme,
                             title="Van Olga", body_md="Olga's input.", submission_key=key())
        db.session.commit()
        save_response(process, TargetType.contribution, first, moderator,
                      disposition=Disposition.adopted, body_md="We nemen dit over.",
                      lineage_ids=[], publish=True)
        db.session.commit()

        feedback = open_feedback_round(process)
        version = publish_draft(process, moderator)
        section = next(s for s in version.sections if s.number == "2.2")
        mine = comments.post(author=jozefien, round_=feedback, section=section,
                             body_md="Reactie van Jozefien.", submission_key=key())
        comments.edit(mine, body_md="Reactie van Jozefien, aangepast.")
        set_mode(jozefien.id, process.id, NotifyMode.daily)
        reply = comments.post(author=other, round_=feedback, section=section,
                              body_md="Antwoord van Olga.", submission_key=key(), parent=mine)
        theirs = comments.post(author=marieke, round_=feedback, section=section,
                               body_md="Reactie van Bos Bouw.", submission_key=key())
        comments.support(theirs, jozefien)
        flag(TargetType.comment, reply, jozefien, FlagReason.other, "Graag bekijken, Jozefien")
        db.session.commit()
        return {"process_id": process.id, "jozefien": jozefien.id, "marieke": marieke.id,
                "other": other.id, "first": first.id, "mine": mine.id, "reply": reply.id,
                "theirs": theirs.id, "paper": first.attachment.stored_name}


def _document(app, process_id):
    from participation.export.services import document

    with app.app_context():
        return document(db.session.get(Process, process_id), public=True, language="en")


def _reply_and_respond(app, world):
    """Olga replies to Jozefien's comment; the team responds to her second contribution."""
    from participation.comments import services as comments
    from participation.moderation.models import Disposition, TargetType
    from participation.moderation.services import save_response

    with app.test_request_context():
        mine = db.session.get(Comment, world["mine"])
        process = db.session.get(Process, world["process_id"])
        comments.post(author=db.session.get(User, world["other"]),
                      round_=process.round_of(RoundKind.feedback),
                      section=db.session.get(Section, mine.section_id),
                      body_md="Nog een antwoord.", submission_key=key(), parent=mine)
        second = db.session.scalar(sa.select(Contribution).where(
            Contribution.title == "Betere busverbindingen"))
        save_response(process, TargetType.contribution, second,
                      db.session.scalar(sa.select(User).where(User.role == "moderator")),
                      disposition=Disposition.noted, body_md="Dank.", lineage_ids=[],
                      publish=True)
        db.session.commit()


def _delete(client, items="keep", password=PASSWORD):
    page = client.get("/account/delete")
    assert page.status_code == 200
    return client.post("/account/delete", data={
        "csrf_token": csrf_token(page.get_data(as_text=True)), "items": items,
        "password": password})


# --- download my data -----------------------------------------------------------------------

def test_my_data_as_json_and_as_a_page(client, app, world):
    login(client, JOZEFIEN)
    response = client.get("/account/data.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert response.headers["Content-Disposition"].startswith('attachment; filename="my-data-')
    assert response.headers["Cache-Control"] == "no-store"
    data = json.loads(response.get_data(as_text=True))
    assert data["account"]["name"] == JOZEFIEN_NAME and data["account"]["email"] == JOZEFIEN
    assert data["organisation"] is None
    assert data["consent"]["statement_version"] == app.config["PRIVACY_STATEMENT_VERSION"]
    assert data["consent"]["consented_at"].endswith("Z")
    titles = {c["title"]: c for c in data["contributions"]}
    assert set(titles) == {"Ruimte voor starters", "Betere busverbindingen"}
    first = titles["Ruimte voor starters"]
    assert first["text"] == "Tweede tekst van Jozefien."
    assert [r["text"] for r in first["earlier_versions"]] == ["Eerste tekst van Jozefien."]
    assert first["paper"]["file_name"] == f"{JOZEFIEN_NAME} positie.pdf"
    assert first["response"]["disposition"] == "adopted"
    assert first["response"]["text"] == "We nemen dit over."
    assert titles["Betere busverbindingen"]["response"] is None
    [comment] = data["comments"]
    assert comment["text"] == "Reactie van Jozefien, aangepast."
    assert comment["earlier_versions"][0]["text"] == "Reactie van Jozefien."
    assert comment["section"].startswith("2.2 ")
    assert [s["comment"] for s in data["supports"]] == [world["theirs"]]
    assert data["flags"][0]["note"] == "Graag bekijken, Jozefien"
    assert data["notification_preferences"] == [{"process": "Traject economie",
                                                 "replies": "daily"}]
    assert [i["name"] for i in data["invitations"]] == [JOZEFIEN_NAME]
    assert data["processes"][0]["joined_as"] == "full"
    assert {m["kind"] for m in data["mail"]} >= {"invitation", "response"}
    # Nothing of anyone else.
    text = json.dumps(data)
    assert "Olga" not in text and MARIEKE not in text and "Bos Bouw" not in text

    page = client.get("/account/data")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    for expected in ("My data", JOZEFIEN_NAME, JOZEFIEN, "Ruimte voor starters",
                     "Tweede tekst van Jozefien.", "Eerste tekst van Jozefien.",
                     "Response of the municipality", "Adopted", "We nemen dit over.",
                     "Reactions you agreed with", "Graag bekijken, Jozefien",
                     "send me one e-mail a day", "Invitations to your e-mail address",
                     f"{JOZEFIEN_NAME} positie.pdf", 'href="/account/data.json"'):
        assert expected in html, expected


def test_my_data_needs_a_login(client, app, world):
    for url in ("/account/data", "/account/data.json", "/account/delete", "/account/consent"):
        response = client.get(url)
        assert response.status_code == 302 and "/account/login" in response.headers["Location"]


def test_my_data_takes_the_same_number_of_queries_for_many_items(client, app, world,
                                                                   count_queries):
    from participation.comments import services as comments
    from participation.contributions import services as contributions
    from participation.moderation.models import FlagReason, TargetType
    from participation.moderation.services import flag

    login(client, JOZEFIEN)

    def queries() -> tuple[int, int]:
        counts = []
        for url in ("/account/data.json", "/account/data"):
            with count_queries() as counter:
                assert client.get(url).status_code == 200
            counts.append(counter.count)
        return tuple(counts)
    few = queries()
    with app.test_request_context():
        jozefien = db.session.get(User, world["jozefien"])
        process = db.session.get(Process, world["process_id"])
        section = db.session.get(Section, db.session.get(Comment, world["mine"]).section_id)
        feedback = process.round_of(RoundKind.feedback)
        for n in range(15):
            item = contributions.submit(author=jozefien, round_=process.round_of(RoundKind.input),
                                        theme=process.themes[n % 3], title=f"Meer {n}",
                                        body_md="Tekst.", submission_key=key(),
                                        pdf=_paper(f"paper-{n}.pdf"))
            contributions.edit(item, editor=jozefien, title=f"Meer {n}", body_md="Nieuw.")
            comment = comments.post(author=jozefien, round_=feedback, section=section,
                                    body_md=f"Nog een reactie {n}", submission_key=key())
            comments.edit(comment, body_md="Anders.")
            other_comment = comments.post(author=db.session.get(User, world["other"]),
                                          round_=feedback, section=section,
                                          body_md=f"Olga {n}", submission_key=key())
            comments.support(other_comment, jozefien)
            flag(TargetType.comment, other_comment, jozefien, FlagReason.spam, "")
        db.session.commit()
    many = queries()
    data = json.loads(client.get("/account/data.json").get_data(as_text=True))
    assert len(data["contributions"]) == 17 and len(data["comments"]) == 16
    assert len(data["supports"]) == 16 and len(data["flags"]) == 16
    assert many == few, (few, many)


# --- delete my account ----------------------------------------------------------------------

def _deleted_keeping_items(client, app):
    """Jozefien, logged in here and elsewhere (remembered), deletes her account keeping her items.
    Returns the other session."""
    login(client, JOZEFIEN)
    elsewhere = app.test_client()
    login(elsewhere, JOZEFIEN, remember=True)
    page = client.get("/account/delete").get_data(as_text=True)
    assert "Delete my account" in page and "2 contributions, 1 reaction" in page
    response = _delete(client, "keep")
    assert response.status_code == 302 and response.headers["Location"] == "/"
    return elsewhere


def test_delete_keeping_items_ends_every_session_and_the_password(client, app, world):
    elsewhere = _deleted_keeping_items(client, app)
    home = client.get("/").get_data(as_text=True)
    assert "Your account has been deleted" in home
    # This session, the one elsewhere (with its remember-me cookie) and the password: all gone.
    for session in (client, elsewhere):
        assert session.get("/account/").status_code == 302
    again = submit(app.test_client(), "/account/login", {"email": JOZEFIEN, "password": PASSWORD})
    assert again.status_code == 200


def test_delete_keeping_items_erases_the_person_but_keeps_the_input(client, app, world):
    _deleted_keeping_items(client, app)
    with app.app_context():
        user = db.session.get(User, world["jozefien"])
        assert user.deleted_at is not None and user.name == ""
        assert user.email == f"deleted-{user.id}@deleted.invalid"
        assert user.password_hash.startswith("!") and user.consent_at is None
        kept = db.session.scalars(sa.select(Contribution).where(
            Contribution.title.in_(["Ruimte voor starters", "Betere busverbindingen"]))).all()
        # An individual's items stay linked to the emptied row: one withdrawn participant.
        assert {(c.state, c.author_id) for c in kept} == {
            (ModerationState.published, user.id)}
        assert db.session.scalar(sa.select(sa.func.count(ContributionRevision.id))) == 1
        attachment = db.session.scalar(sa.select(Attachment))
        assert attachment.original_name == f"paper-{world['first']}.pdf"
        assert db.session.get(Comment, world["mine"]).state is ModerationState.published
        assert db.session.scalar(sa.select(sa.func.count(CommentSupport.id))) == 1
        assert db.session.scalar(sa.select(sa.func.count(Response.id))) == 1
        for model in (NotificationPreference, ReplyNotice, ProcessMember):
            assert db.session.scalar(sa.select(sa.func.count()).select_from(model).where(
                model.user_id == user.id)) == 0
        assert db.session.scalar(sa.select(sa.func.count(OutboxMessage.id)).where(
            OutboxMessage.recipient == JOZEFIEN)) == 0
        invitation = db.session.scalar(sa.select(Invitation))
        assert invitation.name == "" and invitation.email.endswith("@deleted.invalid")
        event = db.session.scalar(sa.select(AuditEvent).where(
            AuditEvent.action == "account.delete"))
        assert event.target_id == user.id and event.after == {
            "items": "keep", "contributions_kept": 2, "contributions_removed": 0,
            "comments_kept": 1, "comments_removed": 0}
    assert Path(app.config["UPLOAD_FOLDER"], world["paper"]).exists()
    assert scan(app, [JOZEFIEN, "Oosterhuisbroek"]) == []


def test_delete_keeping_items_shows_them_under_a_resident_and_mails_nobody(client, app, world):
    _deleted_keeping_items(client, app)
    doc = _document(app, world["process_id"])
    by_title = {item.title or item.text_md: s for s, item in doc.items()}
    hers = by_title["Ruimte voor starters"]
    assert re.fullmatch(r"Resident \d+", hers.name) and hers.kind is None
    assert by_title["Betere busverbindingen"] is hers
    assert by_title["Reactie van Jozefien, aangepast."] is hers
    assert by_title["Van Olga"] is not hers
    # Replies and responses to what she kept reach nobody: no mail to the placeholder.
    _reply_and_respond(app, world)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(OutboxMessage.id)).where(
            OutboxMessage.recipient.like("%deleted.invalid"))) == 0
        assert db.session.scalar(sa.select(sa.func.count(ReplyNotice.id))) == 0
    # Public pages show the input as before; the reply under her comment has its place.
    reader = app.test_client()
    login(reader, OTHER)
    assert "Ruimte voor starters" in reader.get("/p/economie/input").get_data(as_text=True)
    section = reader.get("/p/economie/draft/s/2.2").get_data(as_text=True)
    assert "Reactie van Jozefien, aangepast." in section and "Antwoord van Olga." in section


def test_an_organisations_kept_items_lose_the_person_but_keep_the_organisation(client, app,
                                                                               world):
    login(client, MARIEKE)
    assert _delete(client, "keep").status_code == 302
    with app.app_context():
        item = db.session.scalar(sa.select(Contribution).where(
            Contribution.title == "Bouwplaatsen"))
        comment = db.session.get(Comment, world["theirs"])
        assert item.author_id is None and comment.author_id is None
        assert item.organisation_name == comment.organisation_name == "Bos Bouw"
        assert item.state is ModerationState.published
    doc = _document(app, world["process_id"])
    [bos_bouw] = [s for s in doc.stakeholders if s.name == "Bos Bouw"]
    assert bos_bouw.kind == "business"
    assert {i.title or i.text_md for i in bos_bouw.items} == {"Bouwplaatsen",
                                                             "Reactie van Bos Bouw."}
    assert scan(app, [MARIEKE, "Bosbouwer"]) == []


def test_delete_removing_items_takes_them_off_the_site_and_the_document(client, app, world):
    before = _document(app, world["process_id"])
    residents_before = sum(1 for s in before.stakeholders if s.kind is None)
    login(client, JOZEFIEN)
    assert _delete(client, "remove").status_code == 302

    with app.app_context():
        items = db.session.scalars(sa.select(Contribution).where(
            Contribution.removed_at.is_not(None))).all()
        assert len(items) == 2
        assert all(c.state is ModerationState.withdrawn and c.title == c.body_md == ""
                   and c.author_id is None for c in items)
        assert db.session.scalar(sa.select(sa.func.count(ContributionRevision.id))) == 0
        assert db.session.scalar(sa.select(sa.func.count(Attachment.id))) == 0
        assert db.session.scalar(sa.select(sa.func.count(Response.id))) == 0
        mine = db.session.get(Comment, world["mine"])
        assert mine.removed_at is not None and mine.body_md == "" and mine.author_id is None
        assert db.session.scalar(sa.select(sa.func.count(CommentRevision.id))) == 0
        reply = db.session.get(Comment, world["reply"])
        assert reply.parent_id == mine.id and reply.state is ModerationState.published
        assert db.session.scalar(sa.select(sa.func.count(CommentSupport.id))) == 0
        assert db.session.scalar(sa.select(Flag.note)) == ""
    assert not Path(app.config["UPLOAD_FOLDER"], world["paper"]).exists()
    assert scan(app, [JOZEFIEN, "Oosterhuisbroek", "Jozefien"]) == []

    doc = _document(app, world["process_id"])
    texts = {item.title or item.text_md for _, item in doc.items()}
    assert not texts & {"Ruimte voor starters", "Betere busverbindingen",
                        "Reactie van Jozefien, aangepast."}
    assert {"Van Olga", "Antwoord van Olga.", "Bouwplaatsen"} <= texts
    assert sum(1 for s in doc.stakeholders if s.kind is None) == residents_before - 1
    assert doc.item_count == before.item_count - 3

    reader = app.test_client()
    login(reader, OTHER)
    round_page = reader.get("/p/economie/input").get_data(as_text=True)
    assert "Ruimte voor starters" not in round_page and "Van Olga" in round_page
    assert reader.get(f"/p/economie/input/{world['first']}").status_code == 404
    section = reader.get("/p/economie/draft/s/2.2").get_data(as_text=True)
    assert "Reactie van Jozefien" not in section and "Comment removed" in section
    assert "2 reactions" in section  # Olga's reply and Bos Bouw's comment
    assert section.index(f'id="c-{world["mine"]}"') < section.index("Antwoord van Olga.")


def test_delete_asks_for_the_choice_and_the_password_and_changes_nothing_without(client, app,
                                                                                  world):
    login(client, JOZEFIEN)
    page = client.get("/account/delete").get_data(as_text=True)
    response = client.post("/account/delete", data={"csrf_token": csrf_token(page)})
    errors = field_errors(response.get_data(as_text=True))
    assert response.status_code == 200
    assert any(e.startswith("items: Choose what happens") for e in errors)
    assert any(e.startswith("password: Enter your password") for e in errors)
    wrong = _delete(client, "remove", password="niet-mijn-wachtwoord")
    assert field_errors(wrong.get_data(as_text=True)) == ["password: This is not your password."]
    assert re.search(r'<input checked[^>]*value="remove"', wrong.get_data(as_text=True))
    expired = client.post("/account/delete", data={"items": "remove", "password": PASSWORD})
    assert "This form had expired" in expired.get_data(as_text=True)
    with app.app_context():
        user = db.session.get(User, world["jozefien"])
        assert user.deleted_at is None and user.email == JOZEFIEN
        assert db.session.scalar(sa.select(sa.func.count(Contribution.id)).where(
            Contribution.removed_at.is_not(None))) == 0
    assert client.get("/account/").status_code == 200


def test_the_last_admin_cannot_delete_their_account(client, app):
    with app.app_context():
        make_user("admin@example.nl", role="admin", name="Anna Admin", locale="en")
    login(client, "admin@example.nl")
    page = client.get("/account/delete").get_data(as_text=True)
    assert "You are the only admin" in page and "Delete my account for good" not in page
    response = client.post("/account/delete", data={"csrf_token": csrf_token(page),
                                                     "items": "keep", "password": PASSWORD})
    assert response.status_code == 403
    with app.app_context():
        assert db.session.scalar(sa.select(User.deleted_at).where(
            User.email == "admin@example.nl")) is None
        make_user("second@example.nl", role="admin", name="Bert Admin", locale="en")
    assert _delete(client, "keep").status_code == 302
    with app.app_context():
        gone = db.session.scalar(sa.select(User).where(User.name == ""))
        assert gone.role.value == "participant" and gone.deleted_at is not None
    # The admin's list of people does not show the emptied account.
    other = app.test_client()
    login(other, "second@example.nl")
    users = other.get("/admin/users").get_data(as_text=True)
    assert "Bert Admin" in users and "deleted.invalid" not in users


# --- consent ---------------------------------------------------------------------------------

def test_a_changed_statement_is_agreed_to_before_taking_part(client, app, monkeypatch):
    with app.app_context():
        make_process()
        make_user(JOZEFIEN, name=JOZEFIEN_NAME, locale="en")
        make_user("mod@example.nl", role="moderator", name="Mod", locale="en")
    login(client, JOZEFIEN)
    old = app.config["PRIVACY_STATEMENT_VERSION"]
    monkeypatch.setitem(app.config, "PRIVACY_STATEMENT_VERSION", "2027-01")

    home = client.get("/").get_data(as_text=True)
    assert "The privacy statement has changed" in home
    assert 'href="/account/consent?next=/"' in home
    response = client.get("/p/economie/input/new")
    assert response.status_code == 302
    assert response.headers["Location"] == "/account/consent?next=/p/economie/input/new"
    # A form sent anyway (opened before the change) is refused with the text kept.
    page = client.get("/account/consent").get_data(as_text=True)
    with app.app_context():
        theme_id = db.session.scalar(sa.select(Process)).themes[0].id
    refused = client.post("/p/economie/input/new", data={
        "csrf_token": csrf_token(page), "submission_key": key(), "theme_id": str(theme_id),
        "title": "Mijn titel", "body": "Mijn zorgvuldig getypte tekst"})
    html = refused.get_data(as_text=True)
    assert refused.status_code == 403 and "Mijn zorgvuldig getypte tekst" in html
    assert "The privacy statement has changed" in html
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Contribution.id))) == 0

    page = client.get("/account/consent?next=/p/economie/input/new")
    html = page.get_data(as_text=True)
    assert "version 2027-01" in html and "12 months after the last round" in html
    assert 'href="/privacy"' in html
    not_ticked = client.post("/account/consent?next=/p/economie/input/new",
                             data={"csrf_token": csrf_token(html)})
    assert field_errors(not_ticked.get_data(as_text=True)) == [
        "consent: Tick the box to agree to the privacy statement."]
    agreed = client.post("/account/consent?next=/p/economie/input/new",
                         data={"csrf_token": csrf_token(html), "consent": "y"})
    assert agreed.status_code == 302 and agreed.headers["Location"] == "/p/economie/input/new"
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.email == JOZEFIEN))
        assert user.consent_version == "2027-01" and user.consent_at is not None
        assert old != "2027-01"
    assert client.get("/p/economie/input/new").status_code == 200
    profile = client.get("/account/").get_data(as_text=True)
    assert "version 2027-01" in profile and "The statement has changed" not in profile
    assert "The privacy statement has changed" not in client.get("/").get_data(as_text=True)
    # The project team works for the municipality and is not asked.
    team = app.test_client()
    login(team, "mod@example.nl")
    assert team.get("/p/economie/input/new").status_code == 200


def test_the_consent_page_only_sends_people_back_into_the_site(client, app, monkeypatch):
    with app.app_context():
        make_user(JOZEFIEN, name=JOZEFIEN_NAME, locale="en")
    login(client, JOZEFIEN)
    page = client.get("/account/consent").get_data(as_text=True)
    assert "You agreed to this version" in page
    response = client.post("/account/consent?next=//evil.example/",
                           data={"csrf_token": csrf_token(page), "consent": "y"})
    assert response.headers["Location"] == "/account/"


# --- the privacy statement -------------------------------------------------------------------

def test_the_privacy_statement_says_what_why_how_long_and_how_to_use_the_rights(client, app,
                                                                             monkeypatch):
    submit(client, "/language", {"locale": "en", "next": "/"}, page_url="/")
    html = client.get("/privacy").get_data(as_text=True)
    for expected in (f"Version {app.config['PRIVACY_STATEMENT_VERSION']}", "What we store",
                     "What we process and why", "How long we keep it",
                     "until 12 months after its last round closed", "Your rights",
                     'href="/account/data"', 'href="/account/delete"', 'href="/account/"',
                     "Autoriteit Persoonsgegevens"):
        assert expected in html, expected
    monkeypatch.setitem(app.config, "RETENTION_MONTHS", 18)
    assert "until 18 months after" in client.get("/privacy").get_data(as_text=True)
    # The Dutch page carries the same term and links.
    dutch = app.test_client().get("/privacy").get_data(as_text=True)
    assert '<html lang="nl">' in dutch and re.search(r"\b18\b", dutch)
    assert 'href="/account/delete"' in dutch


@pytest.mark.once
def test_retention_months_comes_from_the_environment(monkeypatch):
    from participation.core.config import Defaults, from_environment

    assert Defaults.RETENTION_MONTHS == 12
    monkeypatch.setenv("RETENTION_MONTHS", "24")
    assert from_environment()["RETENTION_MONTHS"] == 24


def test_profile_shows_consent_and_links_to_the_rights(client, app):
    with app.app_context():
        make_user(JOZEFIEN, name=JOZEFIEN_NAME, locale="en")
    login(client, JOZEFIEN)
    html = client.get("/account/").get_data(as_text=True)
    assert f"version {app.config['PRIVACY_STATEMENT_VERSION']}" in html
    for link in ('href="/account/data"', 'href="/account/data.json"', 'href="/account/delete"'):
        assert link in html


# --- retention --------------------------------------------------------------------------------

@pytest.mark.once
def test_months_before_counts_calendar_months():
    from participation.privacy.retention import months_before

    assert months_before(datetime(2026, 3, 31, 8), 1) == datetime(2026, 2, 28, 8)
    assert months_before(datetime(2026, 1, 15), 12) == datetime(2025, 1, 15)
    assert months_before(datetime(2026, 1, 15), 13) == datetime(2024, 12, 15)


def _age(process, days_ago_closed: int):
    """Both rounds of `process` closed `days_ago_closed` days ago (the last one)."""
    now = utcnow()
    input_round = process.round_of(RoundKind.input)
    feedback = process.round_of(RoundKind.feedback)
    input_round.opens_at = now - timedelta(days=days_ago_closed + 90)
    input_round.closes_at = now - timedelta(days=days_ago_closed + 60)
    feedback.opens_at = now - timedelta(days=days_ago_closed + 30)
    feedback.closes_at = now - timedelta(days=days_ago_closed)


@pytest.fixture
def archive(app):
    """Two processes with the same kinds of data: one ended two years ago, one last month."""
    from participation.comments import services as comments
    from participation.contributions import services as contributions
    from participation.invitations.models import InvitationKind
    from participation.invitations.services import accept, invite
    from participation.moderation.models import FlagReason, TargetType
    from participation.moderation.services import flag
    from participation.notifications.models import NotifyMode
    from participation.notifications.services import set_mode

    ids = {}
    with app.test_request_context():
        org = make_organisation("Bos Bouw", "business", "bouw")
        moderator = make_user("mod@example.nl", role="moderator", name="Mod", locale="en")
        for slug, days in (("oud", 730), ("recent", 45)):
            gerrit = make_user(f"gerrit-{slug}@example.nl", name=f"Gerrit {slug.title()}",
                               locale="en")
            member = make_user(f"lid-{slug}@bosbouw.example", name=f"Lid {slug.title()}",
                               organisation=org, locale="en")
            process = make_process(slug)
            input_round, theme = process.round_of(RoundKind.input), process.themes[0]
            mine = contributions.submit(author=gerrit, round_=input_round, theme=theme,
                                        title=f"Inbreng {slug}", body_md="Tekst.",
                                        submission_key=key())
            contributions.edit(mine, editor=gerrit, title=f"Inbreng {slug}", body_md="Nieuw.")
            contributions.submit(author=member, round_=input_round, theme=theme,
                                 title=f"Bos Bouw {slug}", body_md="Tekst.", submission_key=key())
            for n, name in enumerate((f"Hendrika Offlinehuis {slug}", f"Klaas Papier {slug}")):
                contributions.record_offline(
                    entered_by=moderator, round_=input_round, theme=theme, organisation=None,
                    individual_name=name, source="brief", title=f"Per post {n} {slug}",
                    body_md="Tekst.", submission_key=key())
            contributions.record_offline(
                entered_by=moderator, round_=input_round, theme=theme,
                organisation=make_organisation(f"Vereniging {slug}", "civil_society", "zorg"),
                individual_name="", source="e-mail", title=f"Vereniging {slug}",
                body_md="Tekst.", submission_key=key())
            invitation = invite(process, email=f"ina-{slug}@example.nl",
                                name=f"Ina Uitgenodigd {slug}", organisation_name="",
                                kind=InvitationKind.read_along, by=moderator)
            invite(process, email=f"lid-{slug}@bosbouw.example", name=f"Lid {slug.title()}",
                   organisation_name="", kind=InvitationKind.read_along, by=moderator)
            db.session.commit()
            feedback = open_feedback_round(process)
            section = next(s for s in publish_draft(process, moderator).sections
                           if s.number == "2.2")
            root = comments.post(author=gerrit, round_=feedback, section=section,
                                 body_md=f"Reactie {slug}", submission_key=key())
            reply = comments.post(author=member, round_=feedback, section=section,
                                  body_md=f"Bos Bouw antwoordt {slug}", submission_key=key(),
                                  parent=root)
            flag(TargetType.comment, reply, gerrit, FlagReason.other, "Kijk eens")
            set_mode(gerrit.id, process.id, NotifyMode.daily)
            invitee = make_user(f"ina-{slug}@example.nl", name=f"Ina Uitgenodigd {slug}",
                                locale="en")
            accept(invitation, invitee)
            lid_invitation = db.session.scalar(sa.select(Invitation).where(
                Invitation.email == f"lid-{slug}@bosbouw.example"))
            accept(lid_invitation, member)
            _age(process, days)
            db.session.commit()
            ids[slug] = process.id
            if slug == "oud":  # the mail it sent is as old as the process
                db.session.execute(sa.update(OutboxMessage).values(
                    created_at=utcnow() - timedelta(days=days)))
                db.session.commit()
        # Mail older than the term goes, whatever process it was about.
        db.session.add(OutboxMessage(recipient="gerrit-oud@example.nl", subject="Oud",
                                     body_text="Hallo Gerrit Oud", body_html="", kind="reply",
                                     created_at=utcnow() - timedelta(days=700)))
        db.session.commit()
    return ids


def _summary(doc) -> list[tuple]:
    return [(s.name, s.kind, len(s.items), s.invited_to_read_along, s.read_along)
            for s in doc.stakeholders]


OLD_NAMES = ["Hendrika Offlinehuis oud", "Klaas Papier oud", "ina-oud@example.nl",
             "Ina Uitgenodigd oud"]


def test_a_dry_run_of_the_purge_says_what_it_would_do_and_keeps_the_names(app, archive):
    assert scan(app, OLD_NAMES, skip_tables=("user_account",))
    dry = app.test_cli_runner().invoke(args=["privacy", "purge", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "dry run: nothing was changed" in dry.output
    assert "processes past the retention term: 1" in dry.output
    assert "names of individuals (offline input) erased: 2" in dry.output
    assert scan(app, OLD_NAMES, skip_tables=("user_account",))


def test_purge_erases_what_an_old_process_no_longer_needs(app, archive):
    runner = app.test_cli_runner()
    old_doc, recent_doc = (_summary(_document(app, archive[s])) for s in ("oud", "recent"))
    assert scan(app, OLD_NAMES, skip_tables=("user_account",))
    with app.app_context():
        old_mail = db.session.scalar(sa.select(sa.func.count(OutboxMessage.id)).where(
            OutboxMessage.created_at < utcnow() - timedelta(days=400)))
    assert old_mail >= 3
    result = runner.invoke(args=["privacy", "purge"])
    assert result.exit_code == 0, result.output
    for line in ("invitations emptied: 2", "contributions unlinked from their author: 2",
                 "comments unlinked from their author: 2",
                 "names of individuals (offline input) erased: 2",
                 "earlier versions unlinked from their editor: 1", "flags deleted: 1",
                 "notification choices deleted: 1", "reply notices deleted: 1",
                 f"outbox messages deleted: {old_mail}",
                 "audit events cleared of addresses and names: 2"):
        assert line in result.output, result.output
    # Nothing that names someone is left of the old process (accounts stay until deleted).
    assert scan(app, OLD_NAMES, skip_tables=("user_account",)) == []
    assert scan(app, ["gerrit-oud@example.nl", "Gerrit Oud"],
                skip_tables=("user_account",)) == []
    with app.app_context():
        old, recent = archive["oud"], archive["recent"]

        def authors(process_id):
            return db.session.scalars(
                sa.select(Contribution.author_id).join(Contribution.round)
                .where(Contribution.round.has(process_id=process_id))).all()
        assert set(authors(old)) == {None} and None in set(authors(recent))
        assert len(set(authors(recent)) - {None}) == 2
        names = db.session.scalars(sa.select(Contribution.organisation_name).where(
            Contribution.round.has(process_id=old), Contribution.organisation_kind.is_(None))
        ).all()
        assert sorted(names) == ["#1", "#2", "#3"]
        assert db.session.scalar(sa.select(sa.func.count(Invitation.id)).where(
            Invitation.process_id == recent, Invitation.email != "")) == 2
        assert db.session.scalar(sa.select(sa.func.count(Flag.id))) == 1
        assert db.session.scalar(sa.select(Contribution.organisation_name).where(
            Contribution.title == "Per post 1 recent")) == "Klaas Papier recent"
    # The document of the old process reads as before: same residents, organisations, items.
    assert _summary(_document(app, archive["oud"])) == old_doc
    assert _summary(_document(app, archive["recent"])) == recent_doc


def test_a_second_purge_finds_nothing_more_and_the_document_stays(app, archive):
    runner = app.test_cli_runner()
    old_doc = _summary(_document(app, archive["oud"]))
    assert runner.invoke(args=["privacy", "purge"]).exit_code == 0
    again = runner.invoke(args=["privacy", "purge"])
    assert again.exit_code == 0
    counts = re.findall(r"^  (.+): (\d+)$", again.output, re.MULTILINE)
    assert counts and all(n == "0" for label, n in counts if not label.startswith("processes"))
    assert _summary(_document(app, archive["oud"])) == old_doc


def test_purge_follows_the_retention_setting(app, archive, monkeypatch):
    monkeypatch.setitem(app.config, "RETENTION_MONTHS", 36)
    result = app.test_cli_runner().invoke(args=["privacy", "purge"])
    assert "processes past the retention term: 0" in result.output
    assert scan(app, ["Hendrika Offlinehuis oud"])
    monkeypatch.setitem(app.config, "RETENTION_MONTHS", 1)
    result = app.test_cli_runner().invoke(args=["privacy", "purge"])
    assert "processes past the retention term: 2" in result.output
    # The recent process's mail is younger than one month: it stays until it is older.
    assert scan(app, ["Hendrika Offlinehuis", "ina-recent@example.nl"],
                skip_tables=("user_account",)) == [
        "outbox_message.recipient: ina-recent@example.nl"]
