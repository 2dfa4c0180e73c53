"""Round 2: drafts and versions, threaded comments, support, invitations and reply mail."""
from __future__ import annotations

import io
import re
import threading
from datetime import timedelta

import pytest
import sqlalchemy as sa

from participation.accounts.models import User
from participation.comments.models import Comment, CommentSupport
from participation.demo.content import DRAFT_V1_MD, DRAFT_V2_MD
from participation.drafts.models import DraftVersion, Section, SectionLineage
from participation.core.extensions import db
from participation.core.mixins import ModerationState
from participation.invitations.models import Invitation
from participation.notifications.models import NotificationPreference, NotifyMode
from participation.processes.models import Process, ProcessMember
from participation.core.timeutil import utcnow

from .factories import (DRAFT_MD, count, csrf_token, field_errors, login, make_comment,
                        make_many_comments, make_organisation, make_process, make_user,
                        open_feedback_round, publish_draft, submission_key, submit)


@pytest.fixture
def draft(app):
    """A process in round 2 with version 1 published; a moderator and two participants."""
    with app.app_context():
        process = make_process()
        open_feedback_round(process)
        moderator = make_user("mod@example.nl", role="moderator", name="Mod")
        make_user(organisation=make_organisation("Drenth Logistiek BV", "business", "logistiek"))
        make_user("anna@example.nl", name="Anna", locale="en",
                  organisation=make_organisation("Drenthe College", "education", "onderwijs"))
        version = publish_draft(process, moderator)
        return {s.number: s.id for s in version.sections}


def _section(app, number):
    with app.app_context():
        return db.session.scalar(sa.select(Section).where(Section.number == number)
                                 .order_by(Section.id.desc()))


def comment_form(client, url, body, key=None):
    page = client.get(url).get_data(as_text=True)
    found = re.search(r'name="submission_key" type="hidden" value="([^"]*)"', page)
    return client.post(url, data={"csrf_token": csrf_token(page), "body": body,
                                  "submission_key": key or (found.group(1) if found else "")})


def preview_form(page: str) -> dict[str, str]:
    """What the preview form posts as the browser shows it: each section's chosen earlier
    section, and the earlier sections its warning names."""
    form = dict(re.findall(r'name="(match-\d+)".*?<option value="(\d+|new)"[^>]*selected',
                           page, re.S))
    warned = re.search(r'name="warned" value="([^"]*)"', page)
    if warned:
        form["warned"] = warned.group(1)
    return form


# --- drafts -----------------------------------------------------------------------------

def test_team_uploads_previews_and_publishes_markdown(client, app):
    with app.app_context():
        make_process()
        make_user("mod@example.nl", role="moderator")
    login(client, "mod@example.nl")
    response = submit(client, "/p/economie/draft/upload", {"text": DRAFT_MD})
    assert response.status_code == 302
    preview = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "2.2" in preview and "Arbeidsmarkt" in preview
    assert client.get("/p/economie/draft").status_code == 404  # nothing published yet
    submit(client, response.headers["Location"], {"action": "publish"})
    page = client.get("/p/economie/draft").get_data(as_text=True)
    assert 'id="s-2-2"' in page and 'href="#s-2-2"' in page
    with app.app_context():
        numbers = [s.number for s in db.session.scalars(sa.select(Section).order_by(
            Section.position))]
        assert numbers == ["1", "2", "2.1", "2.2", "2.3", "3"]


def test_word_upload_becomes_numbered_sections(client, app):
    import docx

    with app.app_context():
        make_process()
        make_user("mod@example.nl", role="moderator")
    document = docx.Document()
    document.add_heading("Aanleiding", level=1)
    document.add_paragraph("Waarom deze agenda.")
    document.add_heading("Thema's", level=1)
    document.add_heading("Werklocaties", level=2)
    document.add_paragraph("Eerste punt", style="List Bullet")
    document.add_paragraph("Tweede punt", style="List Bullet")
    buffer = io.BytesIO()
    document.save(buffer)
    login(client, "mod@example.nl")
    page = client.get("/p/economie/draft/upload").get_data(as_text=True)
    response = client.post("/p/economie/draft/upload", data={
        "csrf_token": csrf_token(page), "document": (io.BytesIO(buffer.getvalue()), "agenda.docx")})
    assert response.status_code == 302
    with app.app_context():
        sections = db.session.scalars(sa.select(Section).order_by(Section.position)).all()
        assert [(s.number, s.heading) for s in sections] == [
            ("1", "Aanleiding"), ("2", "Thema's"), ("2.1", "Werklocaties")]
        assert "<li>Eerste punt</li>" in sections[2].body_html


@pytest.mark.parametrize("upload, field", [
    ({"text": "Alleen tekst zonder koppen."}, "text"),
    ({"document": (io.BytesIO(b"PK\x03\x04 geen echt docx"), "kapot.docx")}, "document"),
    ({"document": (io.BytesIO(b"\xff\xfe\x00bin"), "raar.md")}, "document"),
    ({}, "document"),
])
def test_unusable_uploads_are_explained(client, app, upload, field):
    with app.app_context():
        make_process()
        make_user("mod@example.nl", role="moderator")
    login(client, "mod@example.nl")
    page = client.get("/p/economie/draft/upload").get_data(as_text=True)
    response = client.post("/p/economie/draft/upload",
                           data={"csrf_token": csrf_token(page), **upload})
    assert response.status_code == 200
    errors = field_errors(response.get_data(as_text=True))
    assert any(e.startswith(f"{field}:") for e in errors), errors
    with app.app_context():
        assert count(DraftVersion) == 0 and count(Section) == 0


def test_participants_cannot_upload_or_publish(client, draft):
    login(client)
    assert client.get("/p/economie/draft/upload").status_code == 403
    assert client.get("/p/economie/draft/preview/1").status_code == 403


def test_version_two_keeps_comments_and_shows_changes(client, app, draft):
    with app.app_context():
        anna = db.session.scalar(sa.select(User).where(User.email == "anna@example.nl"))
        on_work = make_comment(db.session.get(Section, draft["2.1"]), anna, "Over werklocaties.")
        on_energy = make_comment(db.session.get(Section, draft["2.3"]), anna, "Over energie.")
        on_end = make_comment(db.session.get(Section, draft["3"]), anna, "Over uitvoering.")
        db.session.commit()
        ids = on_work.id, on_energy.id, on_end.id
    v2 = (DRAFT_MD.replace("Ruimte voor bedrijven op de juiste plek.",
                           "Ruimte voor bedrijven op de juiste plek, ook voor logistiek.")
          .replace("## Energie", "## Energie en netcongestie")
          .replace("# Uitvoering\n\nHet projectteam voert de agenda uit.\n", "# Geld\n\nEuro's.\n"))
    login(client, "mod@example.nl")
    preview_url = submit(client, "/p/economie/draft/upload", {"text": v2}).headers["Location"]
    page = client.get(preview_url).get_data(as_text=True)
    # 2.1 is matched by number and heading, the renamed 2.3 by its text; the dropped chapter
    # is new, and the preview says its reaction would lose its section.
    with app.app_context():
        new = {s.number: s.id for s in db.session.scalars(
            sa.select(Section).where(Section.lineage_id.is_(None)))}
    choices = preview_form(page)
    assert choices[f"match-{new['2.1']}"] == str(draft["2.1"])
    assert choices[f"match-{new['2.3']}"] == str(draft["2.3"])
    assert choices[f"match-{new['3']}"] == "new"
    assert choices["warned"] == str(draft["3"])
    assert submit(client, preview_url, {"action": "publish", **choices}).status_code == 302

    reader = app.test_client()
    html = reader.get("/p/economie/draft").get_data(as_text=True)
    assert "Versie 2" in html
    # What version 2 added is marked as inserted, word by word.
    assert "<ins>plek, ook voor logistiek.</ins>" in html and "<ins> en netcongestie</ins>" in html
    # The reading view counts each section's reactions; the threads are on the sections' pages.
    assert html.count("Lees de 1 reactie") == 2
    # Each section links to its own page; an earlier version's view to that version's pages.
    assert 'href="/p/economie/draft/s/2.1#react' in html
    earlier = reader.get("/p/economie/draft?version=1").get_data(as_text=True)
    assert 'href="/p/economie/draft/s/3?version=1#reactions"' in earlier
    assert "Over werklocaties." in reader.get("/p/economie/draft/s/2.1").get_data(as_text=True)
    assert "Over energie." in reader.get("/p/economie/draft/s/2.3").get_data(as_text=True)
    # The chapter that version 2 dropped keeps its comment, reachable from version 2.
    assert "Uitvoering" in html and "version=1" in html
    old = reader.get("/p/economie/draft/s/3?version=1").get_data(as_text=True)
    assert "Over uitvoering." in old
    with app.app_context():
        for comment_id in ids:
            assert db.session.get(Comment, comment_id) is not None
        latest = db.session.scalar(sa.select(DraftVersion).where(DraftVersion.number == 2))
        by_number = {s.number: s for s in latest.sections}
        assert by_number["2.3"].lineage_id == db.session.get(Section, draft["2.3"]).lineage_id
        assert by_number["2.3"].heading == "Energie en netcongestie"


def test_matching_one_earlier_section_twice_is_refused(client, app, draft):
    login(client, "mod@example.nl")
    url = submit(client, "/p/economie/draft/upload", {"text": DRAFT_MD}).headers["Location"]
    with app.app_context():
        new_ids = [s.id for s in db.session.scalars(sa.select(Section).where(
            Section.lineage_id.is_(None)))]
    choices = {f"match-{i}": "new" for i in new_ids}
    choices[f"match-{new_ids[0]}"] = choices[f"match-{new_ids[1]}"] = str(draft["1"])
    response = submit(client, url, {"action": "publish", **choices})
    assert response.status_code == 400
    with app.app_context():
        assert db.session.scalar(sa.select(DraftVersion).where(
            DraftVersion.number == 2)).published_at is None


# --- matching a new version to the earlier one (issue 13, finding 4) -----------------------

#: Version 2 of the demo agenda, with "Krachtsectoren" renamed: its text changed too (a sentence
#: on logistics), as did four other sections; 6.1 is new.
AGENDA_V2 = DRAFT_V2_MD.replace("## Krachtsectoren\n", "## Krachtsectoren en logistiek\n")


@pytest.fixture
def agenda(app):
    """The demo agenda's version 1, published, with reactions on 1.1 (1), 3.2 (9, replies
    included) and 3.4 (2), and on 3.2 four that its thread does not count; the moderator reads
    English. Returns the earlier sections' ids by number."""
    with app.app_context():
        process = make_process()
        open_feedback_round(process)
        moderator = make_user("mod@example.nl", role="moderator", name="Mod", locale="en")
        pieter = make_user(organisation=make_organisation("Drenth Logistiek BV", "business",
                                                          "logistiek"))
        anna = make_user("anna@example.nl", name="Anna",
                         organisation=make_organisation("Drenthe College", "education", "mbo"))
        version = publish_draft(process, moderator, DRAFT_V1_MD)
        by_number = {s.number: s for s in version.sections}
        sectors = by_number["3.2"]
        first = make_comment(sectors, pieter, "Logistiek hoort erbij.")
        for n in range(4):
            make_comment(sectors, anna, f"Eens, punt {n}.", parent=first)
        for n in range(4):
            make_comment(sectors, pieter if n % 2 else anna, f"Over de sectoren {n}.")
        make_comment(sectors, anna, "Ingetrokken.", state="withdrawn")
        make_comment(sectors, anna, "Afgewezen.", state="rejected")
        make_comment(sectors, pieter, "Wacht op het team.", state="pending")
        make_comment(sectors, pieter, "Verborgen.").hidden_at = utcnow()
        make_comment(by_number["3.4"], anna, "Meer stages.")
        make_comment(by_number["3.4"], pieter, "Meer bijscholing.")
        make_comment(by_number["1.1"], anna, "Goede terugblik.")
        db.session.commit()
        return {number: s.id for number, s in by_number.items()}


def _upload(client, text: str) -> str:
    response = submit(client, "/p/economie/draft/upload", {"text": text})
    assert response.status_code == 302
    return response.headers["Location"]


def _new_sections(app) -> dict[str, int]:
    """The ids of the unpublished version's sections, by number."""
    with app.app_context():
        return {s.number: s.id for s in db.session.scalars(
            sa.select(Section).where(Section.lineage_id.is_(None)))}


def _lineage(app, section_id: int) -> int:
    with app.app_context():
        return db.session.get(Section, section_id).lineage_id


def test_a_renamed_section_with_changed_text_keeps_its_reactions(client, app, agenda):
    login(client, "mod@example.nl")
    url = _upload(client, AGENDA_V2)
    new = _new_sections(app)
    page = client.get(url).get_data(as_text=True)
    form = preview_form(page)
    assert form[f"match-{new['3.2']}"] == str(agenda["3.2"])
    assert form[f"match-{new['3.1']}"] == str(agenda["3.1"])
    assert form[f"match-{new['6.1']}"] == "new"
    assert "Matched by text: “3.2 Krachtsectoren” → “3.2 Krachtsectoren en logistiek”" in page
    assert page.count("Matched by text") == 1  # the others kept number and heading
    assert "would no longer belong" not in page and form["warned"] == ""

    assert submit(client, url, {"action": "publish", **form}).status_code == 302
    assert _lineage(app, new["3.2"]) == _lineage(app, agenda["3.2"])
    thread = client.get("/p/economie/draft/s/3.2").get_data(as_text=True)
    assert "Krachtsectoren en logistiek" in thread and ">9 reactions<" in thread
    assert "Logistiek hoort erbij." in thread and "Over de sectoren 3." in thread
    # Publishing again (a second click, a reloaded page) changes nothing.
    again = submit(client, url, {"action": "publish", **form}, page_url=url)
    assert again.status_code == 200 and "This version has been published." in again.get_data(
        as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(SectionLineage)) == 17
        assert db.session.scalar(sa.select(sa.func.count(DraftVersion.id)).where(
            DraftVersion.published_at.is_not(None))) == 2
    assert _lineage(app, new["3.2"]) == _lineage(app, agenda["3.2"])


def test_the_preview_warns_per_section_when_reactions_would_lose_their_section(client, app,
                                                                               agenda):
    login(client, "mod@example.nl")
    url = _upload(client, AGENDA_V2)
    new = _new_sections(app)
    form = preview_form(client.get(url).get_data(as_text=True))
    for number in ("1.1", "3.2", "3.4"):
        form[f"match-{new[number]}"] = "new"

    checked = submit(client, url, {"action": "check", **form})
    page = checked.get_data(as_text=True)
    assert checked.status_code == 200
    assert ("1.1 Terugblik op de agenda 2020-2025: 1 reaction would no longer belong to a "
            "section of this version") in page
    assert "3.2 Krachtsectoren: 9 reactions would no longer belong to a section of this version" \
        in page
    assert "3.4 Arbeidsmarkt: 2 reactions would no longer belong" in page
    assert "In all, 12 reactions would no longer belong to a section of this version." in page
    assert "Matched by text" not in page  # the team chose otherwise for 3.2
    # The page keeps the team's choices, and names in the form what it warned about.
    shown = preview_form(page)
    assert shown[f"match-{new['3.2']}"] == "new"
    assert shown["warned"] == ",".join(str(agenda[n]) for n in ("1.1", "3.2", "3.4"))

    # Publishing these choices from a page that did not warn about them shows the warning.
    refused = submit(client, url, {"action": "publish", **form, "warned": ""})
    assert refused.status_code == 400
    assert "Read the warning" in refused.get_data(as_text=True)
    assert "In all, 12 reactions" in refused.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(DraftVersion.published_at).where(
            DraftVersion.number == 2)) is None

    assert submit(client, url, {"action": "publish", **shown}).status_code == 302
    assert _lineage(app, new["3.2"]) != _lineage(app, agenda["3.2"])
    # The reactions stay with version 1, which the reading view still points to.
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Comment.id)).where(
            Comment.lineage_id == db.session.get(Section, agenda["3.2"]).lineage_id)) == 13
    html = client.get("/p/economie/draft").get_data(as_text=True)
    assert "Reactions on sections that are not in this version" in html
    assert "3.2 Krachtsectoren</a>" in html


def test_no_warning_when_every_section_with_reactions_is_continued(client, app, agenda):
    """Version 2 without 5.1 (which has no reactions) and with 3.2 moved to the end: nothing
    to warn about, and 3.2 is found at its new place."""
    login(client, "mod@example.nl")
    start = AGENDA_V2.index("## Krachtsectoren en logistiek")
    end = AGENDA_V2.index("## Kennis- en innovatie")
    moved = AGENDA_V2[:start] + AGENDA_V2[end:] + "\n" + AGENDA_V2[start:end]
    dropped = moved[:moved.index("## Organiserend vermogen")] + moved[
        moved.index("## Begroting 2026"):]
    url = _upload(client, dropped)
    new = _new_sections(app)
    page = client.get(url).get_data(as_text=True)
    form = preview_form(page)
    assert form[f"match-{new['6.2']}"] == str(agenda["3.2"])
    assert "would no longer belong" not in page and "Reactions that would lose" not in page
    assert "Matched by text: “3.2 Krachtsectoren” → “6.2 Krachtsectoren en logistiek”" in page
    assert submit(client, url, {"action": "publish", **form}).status_code == 302
    assert _lineage(app, new["6.2"]) == _lineage(app, agenda["3.2"])


def test_the_preview_takes_the_same_queries_however_many_reactions_are_left(client, app,
                                                                           agenda,
                                                                           count_queries):
    login(client, "mod@example.nl")
    url = _upload(client, AGENDA_V2)
    new = _new_sections(app)
    form = preview_form(client.get(url).get_data(as_text=True))

    def check(numbers) -> tuple[int, str]:
        data = {"action": "check", **form, **{f"match-{new[n]}": "new" for n in numbers}}
        page = client.get(url).get_data(as_text=True)
        with count_queries() as counter:
            response = client.post(url, data={"csrf_token": csrf_token(page), **data})
        assert response.status_code == 200
        return counter.count, response.get_data(as_text=True)
    few, page = check(["3.4"])
    assert "In all, 2 reactions" in page
    with app.app_context():
        anna = db.session.scalar(sa.select(User).where(User.email == "anna@example.nl"))
        for number in ("1", "2", "3.1", "3.3", "4.1", "5.2"):
            for n in range(5):
                make_comment(db.session.get(Section, agenda[number]), anna, f"Reactie {n}.")
        db.session.commit()
    many, page = check(["1.1", "3.2", "3.4", "1", "2", "3.1", "3.3", "4.1", "5.2"])
    assert "In all, 42 reactions" in page
    assert few == many, (few, many)


def _publish_at_once(app, url: str, emails: tuple[str, ...]) -> list[int]:
    """Each of these moderators has the preview open and presses "Publish" at the same moment;
    the status of each answer."""
    ready = threading.Barrier(len(emails))
    statuses: list[int] = []

    def publish(email: str) -> None:
        client = app.test_client()
        login(client, email)
        page = client.get(url).get_data(as_text=True)
        data = {"csrf_token": csrf_token(page), "action": "publish", **preview_form(page)}
        ready.wait(timeout=30)
        statuses.append(client.post(url, data=data).status_code)
    threads = [threading.Thread(target=publish, args=(email,)) for email in emails]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return statuses


def test_two_people_publishing_one_upload_at_once_publish_it_once(client, app, agenda):
    """Both have the upload open, unpublished, and both publish: it is published once, and no
    section gets a second lineage. Repeated: a race shows only sometimes."""
    from participation.audit.models import AuditEvent

    with app.app_context():
        make_user("mod2@example.nl", role="moderator", name="Mod Twee", locale="en")
    login(client, "mod@example.nl")
    for attempt in range(5):
        url = _upload(client, AGENDA_V2 + f"\n# Bijlage {attempt}\n\nNieuw.\n")
        version_id = int(url.rsplit("/", 1)[1])
        statuses = _publish_at_once(app, url, ("mod@example.nl", "mod2@example.nl"))
        assert len(statuses) == 2 and all(code in (200, 302) for code in statuses), statuses
        with app.app_context():
            sections = db.session.scalars(sa.select(Section).where(
                Section.version_id == version_id)).all()
            lineages = {s.lineage_id for s in sections}
            assert None not in lineages and len(lineages) == len(sections)
            # A second publish would have made lineages that no section holds.
            assert db.session.scalar(sa.select(sa.func.count()).select_from(
                SectionLineage)) == db.session.scalar(sa.select(
                    sa.func.count(sa.distinct(Section.lineage_id))))
            assert db.session.scalar(sa.select(sa.func.count(AuditEvent.id)).where(
                AuditEvent.action == "draft.publish", AuditEvent.target_id == version_id)) == 1

# --- comments ---------------------------------------------------------------------------

def test_comment_reply_and_nesting_with_flattened_deep_replies(client, app, draft):
    login(client)
    response = comment_form(client, "/p/economie/draft/s/2.2", "Meer **stages** graag.")
    assert response.status_code == 302 and "#c-" in response.headers["Location"]
    with app.app_context():
        root = db.session.scalar(sa.select(Comment))
        assert root.state is ModerationState.published and root.organisation_name == (
            "Drenth Logistiek BV")
        chain = [root]
        anna = db.session.scalar(sa.select(User).where(User.email == "anna@example.nl"))
        section = db.session.get(Section, draft["2.2"])
        for n in range(1, 6):
            chain.append(make_comment(section, anna, f"Niveau {n}", parent=chain[-1]))
        db.session.commit()
        ids = [c.id for c in chain]
    html = app.test_client().get("/p/economie/draft/s/2.2").get_data(as_text=True)
    # Levels 1-3 nest; levels 4-6 are listed at level 3, saying whom they answer.
    assert html.count('class="comment-item depth-0"') == 1
    assert html.count('class="comment-item depth-1"') == 1
    assert html.count('class="comment-item depth-2"') == 4
    assert html.count('class="in-reply-to"') == 3
    assert html.index(f'id="c-{ids[3]}"') < html.index(f'id="c-{ids[4]}"') < html.index(
        f'id="c-{ids[5]}"')
    assert "<strong>stages</strong>" in html


def test_reply_through_the_reply_page(client, app, draft):
    with app.app_context():
        anna = db.session.scalar(sa.select(User).where(User.email == "anna@example.nl"))
        parent = make_comment(db.session.get(Section, draft["2.2"]), anna, "Eerste reactie")
        db.session.commit()
        parent_id = parent.id
    login(client)
    url = f"/p/economie/comments/{parent_id}/reply"
    empty = comment_form(client, url, "   ")
    assert any(e.startswith("body:") for e in field_errors(empty.get_data(as_text=True)))
    response = comment_form(client, url, "Daar ben ik het mee eens.")
    assert response.status_code == 302
    with app.app_context():
        reply = db.session.scalar(sa.select(Comment).where(Comment.parent_id == parent_id))
        assert reply.depth == 1 and reply.body_md == "Daar ben ik het mee eens."


def test_withdrawn_comment_keeps_its_replies_in_place(client, app, draft):
    login(client)
    comment_form(client, "/p/economie/draft/s/2.2", "Wordt ingetrokken")
    with app.app_context():
        root = db.session.scalar(sa.select(Comment))
        anna = db.session.scalar(sa.select(User).where(User.email == "anna@example.nl"))
        make_comment(db.session.get(Section, draft["2.2"]), anna, "Het antwoord", parent=root)
        db.session.commit()
        root_id = root.id
    assert submit(client, f"/p/economie/comments/{root_id}/withdraw", {}).status_code == 302
    html = app.test_client().get("/p/economie/draft/s/2.2").get_data(as_text=True)
    assert "Wordt ingetrokken" not in html and "Het antwoord" in html
    assert "Reactie ingetrokken" in html
    assert html.index(f'id="c-{root_id}"') < html.index("Het antwoord")


def test_team_comments_are_the_municipalitys(client, app, draft):
    login(client, "mod@example.nl")
    comment_form(client, "/p/economie/draft/s/2.1", "Dank, we nemen dit mee.")
    html = app.test_client().get("/p/economie/draft/s/2.1").get_data(as_text=True)
    assert "Gemeente Assen (projectteam)" in html and "comment-team" in html


def test_support_once_not_for_own_comment(client, app, draft):
    with app.app_context():
        anna = db.session.scalar(sa.select(User).where(User.email == "anna@example.nl"))
        comment = make_comment(db.session.get(Section, draft["2.2"]), anna, "Steun mij")
        db.session.commit()
        comment_id = comment.id
    login(client)
    url = f"/p/economie/comments/{comment_id}/support"
    for _ in range(2):
        assert submit(client, url, {}, page_url="/p/economie/draft/s/2.2").status_code == 302
    with app.app_context():
        assert count(CommentSupport) == 1
    html = client.get("/p/economie/draft/s/2.2").get_data(as_text=True)
    assert "1 persoon is het eens" in html
    anna_client = app.test_client()
    login(anna_client, "anna@example.nl")
    assert submit(anna_client, url, {}, page_url="/p/economie/draft/s/2.2").status_code == 400
    submit(client, url, {"undo": "1"}, page_url="/p/economie/draft/s/2.2")
    with app.app_context():
        assert count(CommentSupport) == 0


def test_comment_refusals_keep_the_text(client, app, draft):
    login(client)
    page = client.get("/p/economie/draft/s/2.2").get_data(as_text=True)
    with app.app_context():
        feedback = db.session.scalar(sa.select(Process)).round_of(
            __import__("participation.processes.models", fromlist=["RoundKind"]).RoundKind.feedback)
        feedback.closes_at = utcnow() - timedelta(minutes=1)
        db.session.commit()
    response = client.post("/p/economie/draft/s/2.2", data={
        "csrf_token": csrf_token(page), "body": "Mijn zorgvuldige reactie",
        "submission_key": "a" * 32})
    html = response.get_data(as_text=True)
    assert response.status_code == 403 and "gesloten" in html
    assert "Mijn zorgvuldige reactie" in html
    with app.app_context():
        assert count(Comment) == 0


def test_invited_audience_and_someone_elses_comment(client, app, draft):
    with app.app_context():
        process = db.session.scalar(sa.select(Process))
        open_feedback_round(process, audience="invited")
        anna = db.session.scalar(sa.select(User).where(User.email == "anna@example.nl"))
        other = make_comment(db.session.get(Section, draft["2.2"]), anna, "Van Anna")
        db.session.commit()
        other_id = other.id
    login(client)
    response = comment_form(client, "/p/economie/draft/s/2.2", "Mijn zorgvuldige reactie")
    assert response.status_code == 403 and "Mijn zorgvuldige reactie" in response.get_data(
        as_text=True) and "uitgenodigde" in response.get_data(as_text=True)
    edit = comment_form(client, f"/p/economie/comments/{other_id}/edit", "Overschreven")
    assert edit.status_code == 403 and "Overschreven" in edit.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Comment, other_id).body_md == "Van Anna"
        assert count(Comment) == 1


def test_pre_moderated_comment_waits_and_is_private(client, app, draft):
    with app.app_context():
        open_feedback_round(db.session.scalar(sa.select(Process)), moderation="pre")
    login(client)
    comment_form(client, "/p/economie/draft/s/2.2", "Nog niet zichtbaar")
    assert "Nog niet zichtbaar" in client.get("/p/economie/draft/s/2.2").get_data(as_text=True)
    assert "Nog niet zichtbaar" not in app.test_client().get("/p/economie/draft/s/2.2").get_data(
        as_text=True)


def test_double_submit_makes_one_comment(client, app, draft):
    login(client)
    page = client.get("/p/economie/draft/s/2.2").get_data(as_text=True)
    key = submission_key(page)
    data = {"csrf_token": csrf_token(page), "body": "Dubbel", "submission_key": key}
    first = client.post("/p/economie/draft/s/2.2", data=dict(data))
    second = client.post("/p/economie/draft/s/2.2", data=dict(data))
    assert first.headers["Location"] == second.headers["Location"]
    with app.app_context():
        assert count(Comment) == 1


# --- reply mail ---------------------------------------------------------------------------

def test_reply_mail_in_the_authors_language_with_unsubscribe(client, app, draft, mailbox):
    with app.app_context():
        anna = db.session.scalar(sa.select(User).where(User.email == "anna@example.nl"))
        parent = make_comment(db.session.get(Section, draft["2.2"]), anna, "Vraag van Anna")
        db.session.commit()
        parent_id = parent.id
    login(client)
    comment_form(client, f"/p/economie/comments/{parent_id}/reply", "Antwoord van Pieter")
    mailbox.deliver()
    mail = mailbox.only("anna@example.nl")
    assert mail.subject == "Someone replied to your comment"
    assert "Antwoord van Pieter" in mail.text and "Drenth Logistiek BV" in mail.text
    reply_link = mail.link("/draft/s/2.2?comment=")
    unsubscribe = mail.link("/unsubscribe/")
    visitor = app.test_client()  # not logged in
    path = unsubscribe.replace("http://localhost", "")
    assert submit(visitor, path, {}).status_code == 200
    # The mail's link opens the section with the reply on it.
    reply_page = visitor.get(reply_link.replace("http://localhost", ""))
    assert reply_page.status_code == 200
    assert "Antwoord van Pieter" in reply_page.get_data(as_text=True)
    comment_form(client, f"/p/economie/comments/{parent_id}/reply", "Nog een antwoord")
    mailbox.deliver()
    assert len(mailbox.to("anna@example.nl")) == 1  # nothing more after unsubscribing
    assert visitor.get("/unsubscribe/vervalst").status_code == 404


def test_daily_digest(client, app, draft, mailbox):
    with app.app_context():
        anna = db.session.scalar(sa.select(User).where(User.email == "anna@example.nl"))
        parent = make_comment(db.session.get(Section, draft["2.2"]), anna, "Vraag")
        db.session.commit()
        parent_id, anna_id = parent.id, anna.id
    anna_client = app.test_client()
    login(anna_client, "anna@example.nl")
    submit(anna_client, "/p/economie/notifications", {"mode": "daily"})
    login(client)
    comment_form(client, f"/p/economie/comments/{parent_id}/reply", "Eerste antwoord")
    comment_form(client, f"/p/economie/comments/{parent_id}/reply", "Tweede antwoord")
    mailbox.deliver()
    assert mailbox.to("anna@example.nl") == []
    result = app.test_cli_runner().invoke(args=["mail", "digest"])
    assert result.exit_code == 0 and result.output.startswith("queued 1 ")
    mailbox.deliver()
    digest = mailbox.only("anna@example.nl")
    assert "Eerste antwoord" in digest.text and "Tweede antwoord" in digest.text
    assert app.test_cli_runner().invoke(args=["mail", "digest"]).output.startswith("queued 0")
    with app.app_context():  # the choice is stored as Anna's, for this process
        assert db.session.scalar(sa.select(NotificationPreference.mode).where(
            NotificationPreference.user_id == anna_id)) is NotifyMode.daily


def test_the_daily_digest_leaves_out_replies_hidden_or_withdrawn_since(client, app, draft,
                                                                      mailbox):
    with app.app_context():
        anna = db.session.scalar(sa.select(User).where(User.email == "anna@example.nl"))
        parent = make_comment(db.session.get(Section, draft["2.2"]), anna, "Vraag")
        db.session.commit()
        parent_id = parent.id
    anna_client = app.test_client()
    login(anna_client, "anna@example.nl")
    submit(anna_client, "/p/economie/notifications", {"mode": "daily"})
    login(client)
    for text in ("Blijft staan", "Wordt verborgen", "Wordt ingetrokken"):
        comment_form(client, f"/p/economie/comments/{parent_id}/reply", text)
    with app.app_context():
        replies = {c.body_md: c for c in db.session.scalars(
            sa.select(Comment).where(Comment.parent_id == parent_id))}
        moderator = db.session.scalar(sa.select(User).where(User.email == "anna@example.nl"))
        replies["Wordt verborgen"].hide(moderator, "Buiten het onderwerp")
        replies["Wordt ingetrokken"].state = ModerationState.withdrawn
        db.session.commit()
    assert app.test_cli_runner().invoke(args=["mail", "digest"]).output.startswith("queued 1 ")
    mailbox.deliver()
    digest = mailbox.only("anna@example.nl")
    assert "Blijft staan" in digest.text
    assert "Wordt verborgen" not in digest.text and "Wordt ingetrokken" not in digest.text

    # Only hidden replies waiting: no mail at all, and they are not sent later either.
    comment_form(client, f"/p/economie/comments/{parent_id}/reply", "Later verborgen")
    with app.app_context():
        later = db.session.scalar(sa.select(Comment).where(Comment.body_md == "Later verborgen"))
        later.hide(later.author, "Buiten het onderwerp")
        db.session.commit()
    assert app.test_cli_runner().invoke(args=["mail", "digest"]).output.startswith("queued 0")
    with app.app_context():
        db.session.scalar(sa.select(Comment).where(Comment.body_md == "Later verborgen")).unhide()
        db.session.commit()
    assert app.test_cli_runner().invoke(args=["mail", "digest"]).output.startswith("queued 0")


# --- invitations ----------------------------------------------------------------------------

def _invite(client, email="iris@example.nl", kind="read_along", organisation="Nieuw BV"):
    return submit(client, "/p/economie/invitations", {
        "name": "Iris", "email": email, "organisation": organisation, "kind": kind},
        page_url="/p/economie/invitations")


def test_invitation_accept_sets_password_and_lands_on_the_draft(client, app, draft, mailbox):
    login(client, "mod@example.nl")
    assert _invite(client).status_code == 302
    mailbox.deliver()
    mail = mailbox.only("iris@example.nl")
    link = mail.link("/invite/").replace("http://localhost", "")
    with app.app_context():
        invitation = db.session.scalar(sa.select(Invitation))
        token = link.rsplit("/", 1)[1]
        assert token not in invitation.token_hash and len(invitation.token_hash) == 64
    invitee = app.test_client()
    response = submit(invitee, link, {"name": "Iris de Boer", "password": "meelezen-in-assen-1",
                                      "password_confirm": "meelezen-in-assen-1", "consent": "y"})
    assert response.status_code == 302 and response.headers["Location"] == "/p/economie/draft"
    assert invitee.get("/account/").status_code == 200  # logged in
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.email == "iris@example.nl"))
        assert user.is_confirmed and user.organisation.name == "Nieuw BV"
        assert db.session.scalar(sa.select(ProcessMember.source)) == "read_along"
    used = app.test_client().get(link)
    assert used.status_code == 410 and "al gebruikt" in used.get_data(as_text=True)
    listing = client.get("/p/economie/invitations").get_data(as_text=True)
    assert "iris@example.nl" in listing and "geaccepteerd" in listing.lower()


def test_bad_invitation_links_get_a_clear_page_and_no_account(client, app, draft, mailbox):
    login(client, "mod@example.nl")
    _invite(client, "verlopen@example.nl")
    _invite(client, "ingetrokken@example.nl")
    mailbox.deliver()
    expired = mailbox.only("verlopen@example.nl").link("/invite/").replace("http://localhost", "")
    revoked = mailbox.only("ingetrokken@example.nl").link("/invite/").replace(
        "http://localhost", "")
    with app.app_context():
        db.session.scalar(sa.select(Invitation).where(
            Invitation.email == "verlopen@example.nl")).expires_at = utcnow() - timedelta(1)
        revoked_id = db.session.scalar(sa.select(Invitation.id).where(
            Invitation.email == "ingetrokken@example.nl"))
        db.session.commit()
    submit(client, f"/p/economie/invitations/{revoked_id}/revoke", {},
           page_url="/p/economie/invitations")
    visitor = app.test_client()
    # Gone (410) when the link was real but no longer works; not found (404) when it never was.
    for link, words, status in ((expired, "verlopen", 410), (revoked, "ingetrokken", 410),
                                (expired[:-4] + "XXXX", "niet compleet", 404),
                                ("/invite/x", "niet compleet", 404)):
        response = visitor.get(link)
        assert response.status_code == status and words in response.get_data(as_text=True)
        posted = visitor.post(link, data={"name": "X", "password": "meelezen-in-assen-1",
                                          "password_confirm": "meelezen-in-assen-1",
                                          "consent": "y"})
        assert posted.status_code == status
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(User.id)).where(
            User.email.in_(["verlopen@example.nl", "ingetrokken@example.nl"]))) == 0


def test_resend_gives_a_new_link_and_existing_accounts_log_in(client, app, draft, mailbox):
    login(client, "mod@example.nl")
    _invite(client, "pieter@example.nl", kind="full")
    mailbox.deliver()
    first = mailbox.only("pieter@example.nl").link("/invite/").replace("http://localhost", "")
    with app.app_context():
        invitation_id = db.session.scalar(sa.select(Invitation.id))
    submit(client, f"/p/economie/invitations/{invitation_id}/resend", {},
           page_url="/p/economie/invitations")
    mailbox.deliver()
    second = mailbox.to("pieter@example.nl")[-1].link("/invite/").replace("http://localhost", "")
    assert first != second
    pieter = app.test_client()
    assert pieter.get(first).status_code == 404  # the old link no longer works
    page = pieter.get(second).get_data(as_text=True)
    assert "/account/login?next=" in page  # an account exists: log in, no new password
    login(pieter)
    response = pieter.get(second)
    assert response.status_code == 302
    with app.app_context():
        assert db.session.scalar(sa.select(ProcessMember.source)) == "full"
        assert db.session.scalar(sa.select(sa.func.count(User.id)).where(
            User.email == "pieter@example.nl")) == 1


def test_csv_import_reports_every_bad_row_and_imports_none(client, app, draft, mailbox):
    login(client, "mod@example.nl")
    bad = ("naam,e-mail,organisatie\nIris,iris@example.nl,Nieuw BV\n,leeg@example.nl,X\n"
           "Kees,geen-adres,Y\nIris twee,IRIS@example.nl,Z\nEen;kolom\n").encode()
    page = client.get("/p/economie/invitations").get_data(as_text=True)
    response = client.post("/p/economie/invitations/import", data={
        "csrf_token": csrf_token(page), "kind": "read_along", "file": (io.BytesIO(bad), "a.csv")})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    for line in (3, 4, 5, 6):
        assert f"Regel {line}:" in html, line
    assert "Regel 2:" not in html and "Er is niets geïmporteerd" in html
    with app.app_context():
        assert count(Invitation) == 0
    good = "Iris,iris@example.nl,Nieuw BV\nKees;kees@example.nl;Bakker\n".replace(";", ",")
    response = client.post("/p/economie/invitations/import", data={
        "csrf_token": csrf_token(page), "kind": "read_along",
        "file": (io.BytesIO(good.encode("cp1252")), "b.csv")})
    assert response.status_code == 302
    mailbox.deliver()
    assert len(mailbox.messages) == 2


# --- queries ------------------------------------------------------------------------------

def _fill(app, section_number, n):
    with app.app_context():
        section = db.session.scalar(sa.select(Section).where(Section.number == section_number))
        users = list(db.session.scalars(sa.select(User)))
        # Every third starts a conversation, the two after it reply in a chain.
        ids = make_many_comments(section, users, [f"Reactie {i}" for i in range(n)], thread=True)
        for comment_id in ids[:: max(1, n // 10)]:
            db.session.add(CommentSupport(comment_id=comment_id, user_id=users[0].id))
        db.session.commit()


def test_thread_and_draft_queries_do_not_grow(client, app, draft, count_queries):
    login(client)
    _fill(app, "2.2", 20)

    def measure():
        found = {}
        for url in ("/p/economie/draft/s/2.2", "/p/economie/draft"):
            with count_queries() as counter:
                assert client.get(url).status_code == 200
            found[url] = counter.count
        return found
    small = measure()
    _fill(app, "2.2", 1980)
    large = measure()
    assert small == large, (small, large)
    assert max(large.values()) <= 14


def test_reading_view_counts_what_each_reader_may_see(client, app, draft):
    """The reading view's counts (one GROUP BY) match the threads on the sections' pages."""
    from participation.comments import services as comment_services
    from participation.core.timeutil import utcnow as now

    with app.app_context():
        anna = db.session.scalar(sa.select(User).where(User.email == "anna@example.nl"))
        pieter = db.session.scalar(sa.select(User).where(User.email == "pieter@example.nl"))
        section = db.session.get(Section, draft["2.1"])
        make_comment(section, anna, "Gepubliceerd.")
        make_comment(section, anna, "Wacht op het team.", state="pending")
        make_comment(section, anna, "Ingetrokken.", state="withdrawn")
        make_comment(section, anna, "Afgewezen.", state="rejected")
        make_comment(section, pieter, "Verborgen.").hidden_at = now()
        make_comment(db.session.get(Section, draft["2.2"]), pieter, "Van Pieter.", state="pending")
        db.session.commit()
        lineages = [s.lineage_id for s in section.version.sections]
        for reader, expected in ((None, 1), (anna, 2), (pieter, 1)):
            counts = comment_services.thread_counts(lineages, reader)
            assert counts == {lineage: comment_services.thread_page(lineage, reader).count
                              for lineage in lineages
                              if comment_services.thread_page(lineage, reader).count}
            assert counts.get(section.lineage_id, 0) == expected

    anonymous = client.get("/p/economie/draft").get_data(as_text=True)
    assert "Lees de 1 reactie<" in anonymous and "Lees de 2 reacties" not in anonymous
    login(client, "anna@example.nl")
    page = client.get("/p/economie/draft").get_data(as_text=True)  # Anna reads in English
    assert "Read the 2 reactions" in page
    thread = client.get("/p/economie/draft/s/2.1").get_data(as_text=True)
    assert "Wacht op het team." in thread and "Verborgen." not in thread


def test_a_long_thread_is_paged_by_conversation(client, app, draft):
    """120 conversations on one section: pages of 50, each with all its replies; a link to a
    comment opens the page that holds it; a new reaction lands on the page it is on."""
    from participation.comments.services import THREAD_PAGE_SIZE

    with app.app_context():
        anna = db.session.scalar(sa.select(User).where(User.email == "anna@example.nl"))
        section = db.session.get(Section, draft["2.2"])
        start = utcnow() - timedelta(days=2)
        last_reply = None
        for n in range(120):
            root = make_comment(section, anna, f"Gesprek {n:03d}.",
                                created_at=start + timedelta(minutes=n))
            if n % 10 == 0:
                last_reply = make_comment(section, anna, f"Antwoord op {n:03d}.", parent=root,
                                          created_at=start + timedelta(minutes=n, seconds=30))
        db.session.commit()
        reply_id = last_reply.id
    assert THREAD_PAGE_SIZE == 50

    def shown(html: str) -> list[str]:
        return re.findall(r"Gesprek (\d{3})\.", html)

    first = client.get("/p/economie/draft/s/2.2").get_data(as_text=True)
    assert shown(first) == [f"{n:03d}" for n in range(50)]
    assert "Antwoord op 000." in first and "132 reacties" in first
    assert "Pagina 1 van 3" in first and 'rel="next"' in first and 'rel="prev"' not in first
    third = client.get("/p/economie/draft/s/2.2?page=3").get_data(as_text=True)
    assert shown(third) == [f"{n:03d}" for n in range(100, 120)]
    assert "Antwoord op 110." in third and 'rel="next"' not in third
    # A page past the end shows the last one; the reply to 110 opens page 3.
    assert shown(client.get("/p/economie/draft/s/2.2?page=9").get_data(as_text=True)) == \
        shown(third)
    focused = client.get(f"/p/economie/draft/s/2.2?comment={reply_id}").get_data(as_text=True)
    assert f'id="c-{reply_id}"' in focused and "Pagina 3 van 3" in focused

    login(client)
    posted = comment_form(client, "/p/economie/draft/s/2.2", "Gesprek 999.")
    assert posted.status_code == 302
    assert "comment=" in posted.headers["Location"]
    landed = client.get(posted.headers["Location"]).get_data(as_text=True)
    assert "Gesprek 999." in landed and "Pagina 3 van 3" in landed


def test_a_deep_reply_to_a_withdrawn_comment_says_so_without_a_name(client, app, draft):
    """Replies deeper than the screen indents are listed under an ancestor with "in reply to";
    when the comment they answer was withdrawn (and so is not shown), the reply says that, not
    whose words it answered: a name with nothing to answer to misleads."""
    with app.app_context():
        anna = db.session.scalar(sa.select(User).where(User.email == "anna@example.nl"))
        pieter = db.session.scalar(sa.select(User).where(User.email == "pieter@example.nl"))
        section = db.session.get(Section, draft["2.2"])
        parent = make_comment(section, anna, "Begin.")
        for depth in range(1, 5):
            parent = make_comment(section, pieter if depth % 2 else anna, f"Diepte {depth}.",
                                  parent=parent, state="withdrawn" if depth == 3 else "published")
        db.session.commit()
    page = client.get("/p/economie/draft/s/2.2").get_data(as_text=True)
    assert "Diepte 4." in page and "Diepte 3." not in page
    deepest = page.split("Diepte 4.")[0].rsplit('<article', 1)[1]
    assert "Antwoord op een bijdrage die de schrijver heeft ingetrokken" in deepest
    assert "Drenth Logistiek BV" not in deepest  # Pieter's organisation wrote the withdrawn one


def test_posting_a_comment_takes_the_same_queries_on_a_long_thread(client, app, draft,
                                                                    count_queries):
    login(client)

    def post_once() -> int:
        page = client.get("/p/economie/draft/s/2.2").get_data(as_text=True)
        key = submission_key(page)
        with count_queries() as counter:
            response = client.post("/p/economie/draft/s/2.2", data={
                "csrf_token": csrf_token(page), "body": "Nog een reactie.", "submission_key": key})
        assert response.status_code == 302
        return counter.count
    small = post_once()
    _fill(app, "2.2", 600)
    assert post_once() == small <= 12
