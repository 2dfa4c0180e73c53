"""Two people changing one thing at once (participation.core.conflicts): nothing is overwritten or
lost silently. Per form: a save from a form made from an older version comes back with the
person's own text, the newer one beside it and a message, and sending it again replaces the
newer one knowingly. Then the real thing over HTTP: two gunicorn workers, two edits released
together by a barrier, 50 times for a contribution, a comment and a response.
"""
from __future__ import annotations

import collections
import re
import threading
import uuid
from html import unescape

import pytest
import sqlalchemy as sa

from participation.accounts.models import User
from participation.core.roles import Role
from participation.audit.models import AuditEvent
from participation.comments.models import Comment, CommentRevision
from participation.contributions.models import Contribution, ContributionRevision
from participation.core.extensions import db
from participation.moderation.models import Disposition, Response, ResponseTemplate, TargetType
from participation.processes.models import (Audience, ModerationMode, Process, Round, RoundKind,
                                            Theme)

from .factories import (csrf_token, form_versions, login, make_comment, make_contribution,
                        make_process, make_user, open_feedback_round, publish_draft)
from .instances import Person

PASSWORD = "lange-wachtzin-42"
#: The start of the conflict message (English: the people here read the site in English).
CONFLICT = "Someone else (or you, in another tab) saved a change here after you opened this form."
SAVED_MEANWHILE = "Saved meanwhile by someone else (or in another tab)"


@pytest.fixture
def world(app):
    """Round 1 open on "economie" with Anna's input; round 2 open on "concept" with her comment;
    two moderators and two admins; everyone reads the site in English."""
    with app.app_context():
        economie = make_process()
        concept = make_process("concept")
        open_feedback_round(concept, audience="registered")
        mod = make_user("mod@example.nl", role="moderator", name="Mo", locale="en")
        make_user("mod2@example.nl", role="moderator", name="Mila", locale="en")
        make_user("admin@example.nl", role="admin", name="Ada", locale="en")
        make_user("admin2@example.nl", role="admin", name="Abe", locale="en")
        anna = make_user("anna@example.nl", name="Anna Jansen", locale="en")
        version = publish_draft(concept, mod)
        item = make_contribution(economie, economie.themes[0], anna, title="Eerste titel",
                                 body="Eerste tekst.")
        comment = make_comment(version.sections[1], anna, "Eerste reactie.")
        db.session.commit()
        return {"contribution": item.id, "comment": comment.id, "anna": anna.id,
                "theme": economie.themes[0].id}


def person(app, email: str):
    client = app.test_client()
    login(client, email)
    return client


def fields_of(html: str, url: str, page_url: str | None = None) -> dict[str, str]:
    """What a browser sends along with the edit form that posts to `url` (from `page_url`,
    by default `url` itself): the CSRF token, the hidden fields and the version."""
    versions = form_versions(html, url, page_url or url)
    assert versions, f"no form to {url} with a version"
    form = next((m.group(2) for m in re.finditer(r"<form\b([^>]*)>(.*?)</form>", html, re.S)
                 if 'name="version"' in m.group(2)), "")
    hidden = {m.group(1): unescape(m.group(2)) for m in re.finditer(
        r'<input id="[^"]*" name="([^"]*)" type="hidden" value="([^"]*)">', form)}
    return {**hidden, "csrf_token": csrf_token(html), **versions}


def conflict_region(html: str) -> str:
    """The read-only text of the conflict notice (what someone else saved), unescaped."""
    found = re.search(r'<section class="conflict" aria-labelledby="conflict-title">(.*?)</section>',
                      html, re.S)
    assert found, "no conflict notice on the page"
    return unescape(found.group(1))


def assert_conflict(answer, own: list[str], theirs: list[str]) -> str:
    """A 409 whose error summary (role=alert) gives the message, whose form keeps `own` and
    whose labelled region shows `theirs`; returns the page."""
    html = answer.get_data(as_text=True)
    assert answer.status_code == 409, (answer.status_code, html[-2000:])
    summary = re.search(r'<div class="error-summary" role="alert".*?</div>', html, re.S).group(0)
    assert CONFLICT in unescape(summary)
    assert SAVED_MEANWHILE in html
    region = conflict_region(html)
    for text in theirs:
        assert text in region, (text, region)
    form = html[html.index('<form method="post"', html.index("</section>")):]
    for text in own:
        assert text in unescape(form), text
    return html


def version_in(html: str) -> str:
    return re.search(r'<input id="version" name="version" type="hidden" value="(\d+)">',
                     html).group(1)


# --- contributions ------------------------------------------------------------------------

def test_a_save_from_an_older_form_of_input_comes_back_with_both_texts(app, world):
    """Two tabs (or a phone and a laptop) open the edit form; the first saves. The second's
    save is refused with its text kept and the first one's shown; sent again, it is saved and
    the first one's text stays in the history."""
    url = f"/p/economie/input/{world['contribution']}/edit"
    laptop, phone = person(app, "anna@example.nl"), person(app, "anna@example.nl")
    first = fields_of(laptop.get(url).get_data(as_text=True), url)
    second = fields_of(phone.get(url).get_data(as_text=True), url)
    assert first["version"] == second["version"] == "1"

    saved = laptop.post(url, data={**first, "title": "Titel van de laptop",
                                   "body": "Tekst van de laptop."})
    assert saved.status_code == 302
    refused = phone.post(url, data={**second, "title": "Titel van de telefoon",
                                    "body": "Tekst van de telefoon."})
    html = assert_conflict(refused, own=["Titel van de telefoon", "Tekst van de telefoon."],
                           theirs=["Titel van de laptop", "Tekst van de laptop."])
    assert version_in(html) == "2"  # sending again replaces the laptop's text, knowingly
    with app.app_context():
        item = db.session.get(Contribution, world["contribution"])
        assert (item.title, item.body_md, item.version) == (
            "Titel van de laptop", "Tekst van de laptop.", 2)

    again = phone.post(url, data={**fields_of(html, url), "title": "Titel van de telefoon",
                                  "body": "Tekst van de telefoon."})
    assert again.status_code == 302
    with app.app_context():
        item = db.session.get(Contribution, world["contribution"])
        assert (item.body_md, item.version) == ("Tekst van de telefoon.", 3)
        history = list(db.session.scalars(sa.select(ContributionRevision.body_md).where(
            ContributionRevision.contribution_id == item.id).order_by(ContributionRevision.id)))
    assert history == ["Eerste tekst.", "Tekst van de laptop."]


def test_the_same_text_sent_twice_from_one_form_is_saved_once_and_no_conflict(app, world):
    """A double click on Save (or the form sent again after it was saved) is not someone
    else's change: the second send finds its own text and answers "saved"."""
    url = f"/p/economie/input/{world['contribution']}/edit"
    anna = person(app, "anna@example.nl")
    form = {**fields_of(anna.get(url).get_data(as_text=True), url), "title": "Nieuwe titel",
            "body": "Nieuwe tekst."}
    assert [anna.post(url, data=form).status_code for _ in range(2)] == [302, 302]
    with app.app_context():
        assert db.session.get(Contribution, world["contribution"]).version == 2
        assert db.session.scalar(sa.select(sa.func.count()).select_from(
            ContributionRevision)) == 1


def test_a_form_without_a_version_is_not_saved_over_the_text(app, world):
    """A page from before versions (or a hand-made post) says nothing of what it was made
    from: it is answered as a conflict, never saved over what is there."""
    url = f"/p/economie/input/{world['contribution']}/edit"
    anna = person(app, "anna@example.nl")
    form = fields_of(anna.get(url).get_data(as_text=True), url)
    del form["version"]
    answer = anna.post(url, data={**form, "title": "Zonder versie", "body": "Oude pagina."})
    html = assert_conflict(answer, own=["Zonder versie", "Oude pagina."],
                           theirs=["Eerste titel", "Eerste tekst."])
    assert version_in(html) == "1"
    with app.app_context():
        assert db.session.get(Contribution, world["contribution"]).body_md == "Eerste tekst."


def test_the_team_approving_or_hiding_meanwhile_does_not_refuse_the_authors_edit(app, world):
    """Only a change of the text raises the version: a moderation decision taken while the
    author has the edit form open leaves that form valid."""
    url = f"/p/economie/input/{world['contribution']}/edit"
    anna, mod = person(app, "anna@example.nl"), person(app, "mod@example.nl")
    form = fields_of(anna.get(url).get_data(as_text=True), url)
    page_url = f"/p/economie/moderation/contribution/{world['contribution']}"
    page = mod.get(page_url).get_data(as_text=True)
    hidden = mod.post(page_url + "/hide", data={"csrf_token": csrf_token(page),
                                                "reason": "Even nakijken"})
    assert hidden.status_code == 302
    assert anna.post(url, data={**form, "title": "Verbeterd", "body": "Beter."}).status_code == 302
    with app.app_context():
        item = db.session.get(Contribution, world["contribution"])
        assert (item.body_md, item.version) == ("Beter.", 2) and item.hidden_at is not None


# --- comments -----------------------------------------------------------------------------

def test_a_save_from_an_older_form_of_a_comment_comes_back_with_both_texts(app, world):
    url = f"/p/concept/comments/{world['comment']}/edit"
    laptop, phone = person(app, "anna@example.nl"), person(app, "anna@example.nl")
    first = fields_of(laptop.get(url).get_data(as_text=True), url)
    second = fields_of(phone.get(url).get_data(as_text=True), url)
    assert laptop.post(url, data={**first, "body": "Reactie van de laptop."}).status_code == 302
    refused = phone.post(url, data={**second, "body": "Reactie van de telefoon."})
    html = assert_conflict(refused, own=["Reactie van de telefoon."],
                           theirs=["Reactie van de laptop."])
    with app.app_context():
        assert db.session.get(Comment, world["comment"]).body_md == "Reactie van de laptop."
    again = phone.post(url, data={**fields_of(html, url), "body": "Reactie van de telefoon."})
    assert again.status_code == 302
    with app.app_context():
        comment = db.session.get(Comment, world["comment"])
        assert (comment.body_md, comment.version) == ("Reactie van de telefoon.", 3)
        assert sorted(db.session.scalars(sa.select(CommentRevision.body_md))) == [
            "Eerste reactie.", "Reactie van de laptop."]


# --- responses ----------------------------------------------------------------------------

def _response_texts(app, item_id: int) -> tuple[list[Response], list[str]]:
    """The responses to the contribution and every text the audit trail says was saved."""
    with app.app_context():
        rows = list(db.session.scalars(sa.select(Response).where(
            Response.target_type == TargetType.contribution, Response.target_id == item_id)))
        db.session.expunge_all()
        saves = [e.after["text"] for e in db.session.scalars(sa.select(AuditEvent).where(
            AuditEvent.action == "response.save", AuditEvent.target_id == item_id)
            .order_by(AuditEvent.id))]
    return rows, saves


def test_two_moderators_writing_the_first_response_one_is_told_and_gets_both_texts(app, world):
    """Both open the item before it has a response: the first save makes it, the second is
    refused with both texts; sent again (knowingly), it replaces the first."""
    page_url = f"/p/economie/moderation/contribution/{world['contribution']}"
    url = page_url + "/response"
    mo, mila = person(app, "mod@example.nl"), person(app, "mod2@example.nl")
    first = fields_of(mo.get(page_url).get_data(as_text=True), url, page_url)
    second = fields_of(mila.get(page_url).get_data(as_text=True), url, page_url)
    assert first["version"] == second["version"] == "0"
    assert mo.post(url, data={**first, "disposition": "noted", "body": "Antwoord van Mo.",
                              "action": "save"}).status_code == 302
    refused = mila.post(url, data={**second, "disposition": "adopted",
                                   "body": "Antwoord van Mila.", "action": "publish"})
    html = assert_conflict(refused, own=["Antwoord van Mila."],
                           theirs=["Antwoord van Mo.", "Noted"])
    rows, saves = _response_texts(app, world["contribution"])
    assert [(r.body_md, r.published_at) for r in rows] == [("Antwoord van Mo.", None)]
    assert saves == ["Antwoord van Mo."]

    again = mila.post(url, data={**fields_of(html, url), "disposition": "adopted",
                                 "body": "Antwoord van Mila.", "action": "publish"})
    assert again.status_code == 302
    rows, saves = _response_texts(app, world["contribution"])
    assert [(r.body_md, r.disposition, r.published_at is not None) for r in rows] == [
        ("Antwoord van Mila.", Disposition.adopted, True)]
    assert saves == ["Antwoord van Mo.", "Antwoord van Mila."]


def test_an_answer_in_the_thread_over_a_draft_it_did_not_show_is_a_conflict(app, world):
    """The reply page shows only a published response; a draft a colleague wrote meanwhile is
    not replaced unseen."""
    url = f"/p/concept/comments/{world['comment']}/reply"
    mila = person(app, "mod2@example.nl")
    form = fields_of(mila.get(url).get_data(as_text=True), url)
    assert form["version"] == "0"
    mo = person(app, "mod@example.nl")
    page_url = f"/p/concept/moderation/comment/{world['comment']}"
    page = mo.get(page_url).get_data(as_text=True)
    assert mo.post(page_url + "/response", data={
        **fields_of(page, page_url + "/response", page_url), "disposition": "partly",
        "body": "Concept van Mo.", "action": "save"}).status_code == 302
    answer = mila.post(url, data={**form, "answer_as": "response", "disposition": "adopted",
                                  "body": "Antwoord van Mila in de draad."})
    assert_conflict(answer, own=["Antwoord van Mila in de draad."], theirs=["Concept van Mo."])
    with app.app_context():
        assert db.session.scalar(sa.select(Response.body_md)) == "Concept van Mo."


# --- the team's forms ---------------------------------------------------------------------

TEAM_FORMS = {
    "theme": ("/p/economie/themes/{theme}/edit",
              {"title": "Werklocaties A", "description": "Door A."},
              {"title": "Werklocaties B", "description": "Door B."}),
    "round": ("/p/economie/rounds/input/edit",
              {"opens_at": "2026-01-05T09:00", "closes_at": "2031-03-01T17:00",
               "moderation": "pre", "audience": "registered"},
              {"opens_at": "2026-01-05T09:00", "closes_at": "2031-04-01T17:00",
               "moderation": "post", "audience": "invited"}),
    "process": ("/p/economie/edit",
                {"title": "Traject door A", "summary": "Samenvatting A.", "intro_md": "Intro A.",
                 "contact": "a@assen.example", "visibility": "public"},
                {"title": "Traject door B", "summary": "Samenvatting B.", "intro_md": "Intro B.",
                 "contact": "b@assen.example", "visibility": "invite"}),
    "template": ("/p/economie/moderation/templates/{template}/edit",
                 {"title": "Sjabloon A", "disposition": "noted", "body": "Tekst A."},
                 {"title": "Sjabloon B", "disposition": "adopted", "body": "Tekst B."}),
}
#: What the conflict notice shows of A's save (choices by their label).
THEIRS = {"theme": ["Werklocaties A", "Door A."],
          "round": ["1 March 2031, 17:00 CET", "Beforehand: input waits"],
          "process": ["Traject door A", "Samenvatting A.", "Intro A.", "a@assen.example",
                      "Public: everyone can see the process"],
          "template": ["Sjabloon A", "Noted", "Tekst A."]}


def _stored(app, kind: str, theme_id: int):
    with app.app_context():
        if kind == "theme":
            theme = db.session.get(Theme, theme_id)
            return theme.title, theme.description, theme.version
        if kind == "round":
            round_ = db.session.scalar(sa.select(Round).where(Round.kind == RoundKind.input).join(
                Process).where(Process.slug == "economie"))
            return round_.moderation, round_.audience, round_.version
        if kind == "process":
            process = db.session.scalar(sa.select(Process).where(Process.slug == "economie"))
            return process.title, process.is_public, process.version
        template = db.session.scalar(sa.select(ResponseTemplate))
        return template.title, template.body_md, template.version


STORED = {"theme": (("Werklocaties A", "Door A.", 2), ("Werklocaties B", "Door B.", 3)),
          "round": ((ModerationMode.pre, Audience.registered, 2),
                    (ModerationMode.post, Audience.invited, 3)),
          "process": (("Traject door A", True, 2), ("Traject door B", False, 3)),
          "template": (("Sjabloon A", "Tekst A.", 2), ("Sjabloon B", "Tekst B.", 3))}


@pytest.mark.parametrize("kind", list(TEAM_FORMS))
def test_two_team_members_editing_one_thing_the_second_gets_both(app, world, kind):
    with app.app_context():
        from participation.moderation.services import add_template

        process = db.session.scalar(sa.select(Process).where(Process.slug == "economie"))
        mod = db.session.scalar(sa.select(User).where(User.email == "mod@example.nl"))
        template = add_template(process, mod, title="Sjabloon", disposition=Disposition.noted,
                                body_md="Tekst.")
        db.session.commit()
        ids = {"theme": world["theme"], "template": template.id}
    path, mine, theirs = TEAM_FORMS[kind]
    url = path.format(**ids)
    a, b = person(app, "mod@example.nl"), person(app, "mod2@example.nl")
    form_a = fields_of(a.get(url).get_data(as_text=True), url)
    form_b = fields_of(b.get(url).get_data(as_text=True), url)
    assert a.post(url, data={**form_a, **mine}).status_code == 302
    assert _stored(app, kind, world["theme"]) == STORED[kind][0]
    refused = b.post(url, data={**form_b, **theirs})
    html = assert_conflict(refused, own=[v for k, v in theirs.items()
                                         if k not in ("moderation", "audience", "visibility",
                                                      "disposition")],
                           theirs=THEIRS[kind])
    assert _stored(app, kind, world["theme"]) == STORED[kind][0]
    assert b.post(url, data={**fields_of(html, url), **theirs}).status_code == 302
    assert _stored(app, kind, world["theme"]) == STORED[kind][1]


def test_two_admins_changing_one_role_the_second_is_told_and_nothing_changes(app, world):
    """Roles have no version: the form says which role it was made from."""
    page_url, url = "/admin/users", f"/admin/users/{world['anna']}/role"
    ada, abe = person(app, "admin@example.nl"), person(app, "admin2@example.nl")
    form_ada = fields_of(ada.get(page_url).get_data(as_text=True), url, page_url)
    form_abe = fields_of(abe.get(page_url).get_data(as_text=True), url, page_url)
    assert form_ada["role_was"] == form_abe["role_was"] == "participant"
    assert ada.post(url, data={**form_ada, "role": "moderator"}).status_code == 302
    refused = abe.post(url, data={**form_abe, "role": "staff"}, follow_redirects=True)
    text = unescape(refused.get_data(as_text=True))
    assert ("Someone else changed the role of Anna Jansen after this page was made, to: "
            "Moderator. Your choice (Staff) has not been saved") in text

    def role() -> Role:
        with app.app_context():
            return db.session.get(User, world["anna"]).role
    assert role() is Role.moderator
    # The page Abe is back on shows the role as it is now; from there the change goes through.
    page = abe.get(page_url).get_data(as_text=True)
    assert abe.post(url, data={**fields_of(page, url, page_url), "role": "staff"}).status_code == 302
    assert role() is Role.staff
    with app.app_context():
        changes = [(e.before["role"], e.after["role"]) for e in db.session.scalars(
            sa.select(AuditEvent).where(AuditEvent.action == "role.change")
            .order_by(AuditEvent.id))]
    assert changes == [("participant", "moderator"), ("moderator", "staff")]


# --- between loading and saving (PostgreSQL lets two requests get that far) ---------------

@pytest.mark.postgresql
def test_a_change_saved_between_loading_and_saving_is_a_conflict_not_an_error(app, world):
    """The theme form does not lock: a colleague's save that lands after this request read the
    theme and before it writes is refused by the UPDATE's WHERE version = … (StaleDataError),
    and answered with both texts."""
    url = f"/p/economie/themes/{world['theme']}/edit"
    mod = person(app, "mod@example.nl")
    form = fields_of(mod.get(url).get_data(as_text=True), url)
    with app.app_context():
        other = sa.create_engine(db.engine.url)
    done = []

    def colleague_saves_first(session, _context, _instances):
        if done or not any(isinstance(o, Theme) for o in session.dirty):
            return
        done.append(True)
        with other.begin() as conn:  # another connection: committed before this flush
            conn.execute(sa.update(Theme).where(Theme.id == world["theme"]).values(
                title="Door de collega", version=Theme.version + 1))
    sa.event.listen(db.session, "before_flush", colleague_saves_first)
    try:
        answer = mod.post(url, data={**form, "title": "Door mij", "description": "Mijn tekst."})
    finally:
        sa.event.remove(db.session, "before_flush", colleague_saves_first)
        other.dispose()
    assert done
    html = assert_conflict(answer, own=["Door mij", "Mijn tekst."], theirs=["Door de collega"])
    assert version_in(html) == "2"
    with app.app_context():
        assert db.session.get(Theme, world["theme"]).title == "Door de collega"


# --- the real thing: two gunicorn workers, two edits at the same moment -------------------

#: Rounds per kind; each round both load the form, then both send it at once.
ROUNDS = 50
#: First responses written by both moderators at once, each on an item of its own.
FIRST_RESPONSES = 10


# `served` (gunicorn, two workers) is in conftest.py: one for the run, shared by five modules.


def two_at_once(load, send, rounds: int) -> list:
    """Two people, `rounds` times: both load the form (`load(who, n)` gives its fields), wait
    for each other, send it at the same moment (`send(who, n, fields)` gives the text sent and
    the answer) and wait until both have their answer. [(n, who, text, answer)]."""
    loaded, answered = threading.Barrier(2), threading.Barrier(2)
    results, errors = [], []

    def run(who: int) -> None:
        try:
            for n in range(rounds):
                fields = load(who, n)
                loaded.wait(timeout=120)
                text, answer = send(who, n, fields)
                results.append((n, who, text, answer))
                answered.wait(timeout=120)
        except Exception as error:  # noqa: BLE001 - reported below, the other thread let go
            errors.append(repr(error))
            loaded.abort()
            answered.abort()
    threads = [threading.Thread(target=run, args=(who,)) for who in (0, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=600)
    assert errors == [], errors
    return results


def assert_nothing_lost(results, stored: set[str], field: str = "body") -> collections.Counter:
    """Every text sent is stored, or back with its author in a conflict answer that also shows
    the text saved instead; per round exactly one of the two is saved (both forms were made
    from the same version). No 5xx. Returns the count of answers per outcome."""
    outcome = collections.Counter()
    by_round = collections.defaultdict(dict)
    for n, who, text, answer in results:
        by_round[n][who] = (text, answer)
    for n, pair in sorted(by_round.items()):
        statuses = sorted(answer.status for _, answer in pair.values())
        assert statuses == [302, 409], (n, statuses, [a.plain()[-1500:] for _, a in
                                                      pair.values() if a.status >= 500])
        for text, answer in pair.values():
            if answer.status == 302:
                assert text in stored, (n, "answered saved, but not stored", text)
                outcome["saved"] += 1
                continue
            assert text not in stored, (n, "refused, but stored", text)
            html = answer.text
            assert CONFLICT in unescape(html), (n, html[-1500:])
            form = unescape(html[html.index("</section>"):])
            assert re.search(rf'name="{field}"[^>]*>\s*{re.escape(text)}</textarea>', form), \
                (n, "own text not kept", text)
            winner = next(t for t, a in pair.values() if a.status == 302)
            assert winner in conflict_region(html), (n, "saved text not shown", winner)
            outcome["returned"] += 1
    assert sum(outcome.values()) == len(results)
    return outcome


def test_two_edits_of_one_contribution_at_once_lose_nothing(app, world, served):
    path = f"/p/economie/input/{world['contribution']}/edit"
    devices = [Person(), Person()]  # a laptop and a phone, the same person
    for device in devices:
        device.log_in(served.url, "anna@example.nl", PASSWORD)

    def load(who, n):
        page = devices[who].get(served.url + path)
        assert page.status == 200, page.status
        return fields_of(page.text, path)

    def send(who, n, fields):
        text = f"Tekst {n}-{'AB'[who]} {uuid.uuid4().hex[:8]}"
        return text, devices[who].post(served.url + path, {**fields, "title": f"Titel {n}",
                                                           "body": text})
    results = two_at_once(load, send, ROUNDS)
    with app.app_context():
        item = db.session.get(Contribution, world["contribution"])
        stored = {item.body_md, *db.session.scalars(sa.select(ContributionRevision.body_md).where(
            ContributionRevision.contribution_id == item.id))}
        version = item.version
    outcome = assert_nothing_lost(results, stored)
    assert outcome == {"saved": ROUNDS, "returned": ROUNDS} and version == ROUNDS + 1
    print(f"\ncontribution: {ROUNDS} pairs at once, {outcome['saved']} saved, "
          f"{outcome['returned']} returned with both texts, 0 lost, 0 5xx")


def test_two_edits_of_one_comment_at_once_lose_nothing(app, world, served):
    path = f"/p/concept/comments/{world['comment']}/edit"
    devices = [Person(), Person()]
    for device in devices:
        device.log_in(served.url, "anna@example.nl", PASSWORD)

    def load(who, n):
        page = devices[who].get(served.url + path)
        assert page.status == 200, page.status
        return fields_of(page.text, path)

    def send(who, n, fields):
        text = f"Reactie {n}-{'AB'[who]} {uuid.uuid4().hex[:8]}"
        return text, devices[who].post(served.url + path, {**fields, "body": text})
    results = two_at_once(load, send, ROUNDS)
    with app.app_context():
        comment = db.session.get(Comment, world["comment"])
        stored = {comment.body_md, *db.session.scalars(sa.select(CommentRevision.body_md).where(
            CommentRevision.comment_id == comment.id))}
    outcome = assert_nothing_lost(results, stored)
    assert outcome == {"saved": ROUNDS, "returned": ROUNDS}
    print(f"\ncomment: {ROUNDS} pairs at once, {outcome['saved']} saved, "
          f"{outcome['returned']} returned with both texts, 0 lost, 0 5xx")


def test_two_moderators_answering_at_once_lose_nothing(app, world, served):
    """The same response written by two moderators at once, 50 times; and the first response
    to an item written by both at the same moment, on items of their own: one response each."""
    with app.app_context():
        process = db.session.scalar(sa.select(Process).where(Process.slug == "economie"))
        anna = db.session.get(User, world["anna"])
        fresh = [make_contribution(process, process.themes[1], anna, title=f"Nieuw {n}")
                 for n in range(FIRST_RESPONSES)]
        db.session.commit()
        items = [world["contribution"]] * ROUNDS + [item.id for item in fresh]
    moderators = [Person(), Person()]
    for moderator, email in zip(moderators, ("mod@example.nl", "mod2@example.nl"), strict=True):
        moderator.log_in(served.url, email, PASSWORD)

    def load(who, n):
        page_path = f"/p/economie/moderation/contribution/{items[n]}"
        page = moderators[who].get(served.url + page_path)
        assert page.status == 200, page.status
        return fields_of(page.text, page_path + "/response", page_path)

    def send(who, n, fields):
        text = f"Antwoord {n}-{'AB'[who]} {uuid.uuid4().hex[:8]}"
        return text, moderators[who].post(
            f"{served.url}/p/economie/moderation/contribution/{items[n]}/response",
            {**fields, "disposition": "noted", "body": text,
             "action": "publish" if n % 2 else "save"})
    results = two_at_once(load, send, len(items))
    with app.app_context():
        rows = collections.Counter(db.session.scalars(sa.select(Response.target_id).where(
            Response.target_type == TargetType.contribution)))
        stored = {e.after["text"] for e in db.session.scalars(sa.select(AuditEvent).where(
            AuditEvent.action == "response.save"))}
        stored |= set(db.session.scalars(sa.select(Response.body_md)))
    assert rows == {item_id: 1 for item_id in set(items)}  # one response per item
    outcome = assert_nothing_lost(results, stored)
    assert outcome == {"saved": len(items), "returned": len(items)}
    print(f"\nresponse: {len(items)} pairs at once ({FIRST_RESPONSES} of them first responses), "
          f"{outcome['saved']} saved, {outcome['returned']} returned with both texts, 0 lost, "
          "0 5xx")
