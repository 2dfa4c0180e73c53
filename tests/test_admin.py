"""Site management: roles (admins only, never without an admin), and processes and their rounds
set up by the team, with Amsterdam times stored as UTC and every change in the audit trail."""
from __future__ import annotations

import re
from datetime import datetime

import pytest
import sqlalchemy as sa

from participation.accounts.models import User
from participation.audit.models import AuditEvent
from participation.core.extensions import db
from participation.admin.rules import can_change_role
from participation.core.roles import Role, can_manage_roles
from participation.processes.models import Audience, ModerationMode, Process, Round, RoundKind

from .factories import (count, csrf_token, field_errors, login, make_organisation, make_process,
                        make_user, submit)

USERS = "/admin/users"
NEW = "/processes/new"

PROCESS_DATA = {
    "title": "Mobility plan 2027", "slug": "mobility-2027",
    "summary": "How we get around in Assen.", "intro_md": "About *this* plan.",
    "contact": "mobility@assen.example", "visibility": "invite",
    # Winter time (UTC+1) for round 1, summer time (UTC+2) for round 2.
    "input_opens": "2027-01-11T09:00", "input_closes": "2027-02-15T17:00",
    "feedback_opens": "2027-05-03T09:00", "feedback_closes": "2027-06-01T23:59",
}


def role_of(email: str) -> Role:
    return db.session.scalar(sa.select(User.role).where(User.email == email))


def audit(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == action)
                                   .order_by(AuditEvent.id)))


def change_role(client, user_id: int, role: str, **extra):
    return submit(client, f"/admin/users/{user_id}/role", {"role": role, **extra},
                  page_url=USERS, follow_redirects=True)


@pytest.fixture
def people(app):
    """An admin (logged in by the tests that need it), a moderator and a participant."""
    with app.app_context():
        org = make_organisation("Bos Bouw", "business", "bouw")
        ids = {
            "admin": make_user("admin@example.nl", role="admin", name="Anna Admin",
                               locale="en").id,
            "moderator": make_user("mod@example.nl", role="moderator", name="Mo Moderator",
                                   locale="en").id,
            "participant": make_user("pieter@example.nl", name="Pieter de Vries",
                                     organisation=org, locale="en").id,
        }
    return ids


@pytest.fixture
def admin(client, people):
    login(client, "admin@example.nl")
    return client


@pytest.fixture
def moderator(client, people):
    login(client, "mod@example.nl")
    return client


# --- the rules ----------------------------------------------------------------------------

class _Person:
    is_authenticated = True

    def __init__(self, role: Role, id: int = 1):
        self.role, self.id = role, id


@pytest.mark.parametrize("actor, target, new_role, admins, allowed", [
    (Role.admin, Role.participant, Role.moderator, 1, True),
    (Role.admin, Role.participant, Role.admin, 1, True),
    (Role.admin, Role.admin, Role.staff, 2, True),  # another admin stays
    (Role.admin, Role.admin, Role.staff, 1, False),  # the last admin
    (Role.admin, Role.admin, Role.admin, 1, True),  # keeping the role is no change
    (Role.moderator, Role.participant, Role.staff, 1, False),
    (Role.staff, Role.participant, Role.moderator, 1, False),
    (Role.participant, Role.participant, Role.admin, 1, False),
])
@pytest.mark.once
def test_who_may_change_which_role(actor, target, new_role, admins, allowed):
    assert can_change_role(_Person(actor, 1), _Person(target, 2), new_role, admins) is allowed


@pytest.mark.once
def test_only_admins_manage_roles():
    assert can_manage_roles(_Person(Role.admin))
    for role in (Role.participant, Role.moderator, Role.staff):
        assert not can_manage_roles(_Person(role))

    class Visitor:
        is_authenticated = False
    assert not can_manage_roles(Visitor())


# --- roles on the site --------------------------------------------------------------------

def test_admin_sees_people_and_changes_a_role_which_is_recorded(admin, people, app):
    page = admin.get(USERS).get_data(as_text=True)
    for text in ("People and roles", "Anna Admin", "pieter@example.nl", "Bos Bouw",
                 "Mo Moderator", 'id="role-%d"' % people["participant"], "<td>yes</td>"):
        assert text in page
    response = change_role(admin, people["participant"], "moderator")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "The role of Pieter de Vries is now: Moderator." in html
    with app.app_context():
        assert role_of("pieter@example.nl") is Role.moderator
        [event] = audit("role.change")
        assert (event.actor_id, event.target_type, event.target_id) == (
            people["admin"], "user", people["participant"])
        assert event.before == {"role": "participant"} and event.after == {"role": "moderator"}


def test_setting_the_same_role_changes_and_records_nothing(admin, people, app):
    html = change_role(admin, people["moderator"], "moderator").get_data(as_text=True)
    assert "already had that role" in html
    with app.app_context():
        assert audit("role.change") == []


def test_the_last_admin_cannot_give_up_the_role(admin, people, app):
    response = change_role(admin, people["admin"], "participant")
    html = response.get_data(as_text=True)
    assert 'class="flash flash-error"' in html
    assert "The role of Anna Admin has not been changed: the site must keep at least one admin." \
        in html
    with app.app_context():
        assert role_of("admin@example.nl") is Role.admin
        assert audit("role.change") == []


def test_with_a_second_admin_an_admin_may_step_down(admin, people, app):
    change_role(admin, people["moderator"], "admin")
    response = submit(admin, f"/admin/users/{people['admin']}/role", {"role": "staff"},
                      page_url=USERS)
    assert response.status_code == 302 and response.headers["Location"] == "/"  # not admin now
    assert admin.get(USERS).status_code == 403
    with app.app_context():
        assert role_of("admin@example.nl") is Role.staff
        assert [(e.before, e.after) for e in audit("role.change")] == [
            ({"role": "moderator"}, {"role": "admin"}), ({"role": "admin"}, {"role": "staff"})]
    # The new last admin cannot be demoted, by themself or anyone else.
    other = app.test_client()
    login(other, "mod@example.nl")
    html = change_role(other, people["moderator"], "participant").get_data(as_text=True)
    assert "must keep at least one admin" in html
    with app.app_context():
        assert role_of("mod@example.nl") is Role.admin


def test_an_unknown_role_is_refused_with_a_message(admin, people, app):
    html = change_role(admin, people["participant"], "superuser").get_data(as_text=True)
    assert "Choose one of the roles." in html
    with app.app_context():
        assert role_of("pieter@example.nl") is Role.participant
        assert audit("role.change") == []


def test_role_change_for_an_unknown_person_is_404(admin, people):
    assert submit(admin, "/admin/users/999999/role", {"role": "admin"},
                  page_url=USERS).status_code == 404


@pytest.mark.parametrize("who", ["participant", "moderator"])
def test_non_admins_are_refused_and_nothing_changes(client, people, app, who):
    login(client, {"participant": "pieter@example.nl", "moderator": "mod@example.nl"}[who])
    assert client.get(USERS).status_code == 403
    token = csrf_token(client.get("/").get_data(as_text=True))
    for target, role in ((people["participant"], "admin"), (people["admin"], "participant")):
        response = client.post(f"/admin/users/{target}/role",
                               data={"csrf_token": token, "role": role})
        assert response.status_code == 403
    with app.app_context():
        assert role_of("pieter@example.nl") is Role.participant
        assert role_of("admin@example.nl") is Role.admin
        assert audit("role.change") == []


def test_visitors_are_sent_to_the_login_page_and_nothing_changes(client, people, app):
    response = client.get(USERS)
    assert response.status_code == 302 and "/account/login" in response.headers["Location"]
    token = csrf_token(client.get("/").get_data(as_text=True))
    response = client.post(f"/admin/users/{people['participant']}/role",
                           data={"csrf_token": token, "role": "admin"})
    assert response.status_code == 302 and "/account/login" in response.headers["Location"]
    with app.app_context():
        assert role_of("pieter@example.nl") is Role.participant
        assert audit("role.change") == []


def test_admin_link_only_for_admins(client, people):
    login(client, "mod@example.nl")
    assert f'href="{USERS}"' not in client.get("/").get_data(as_text=True)
    admin = client.application.test_client()
    login(admin, "admin@example.nl")
    assert f'href="{USERS}">Admin</a>' in admin.get("/").get_data(as_text=True)


def _add_people(app, names_and_emails):
    with app.app_context():
        for name, email in names_and_emails:
            db.session.add(User(email=email, name=name, password_hash="x", locale="en"))
        db.session.commit()


def _rows(html: str) -> list[str]:
    return re.findall(r'<th scope="row">([^<]*)</th>', html)


def test_search_by_name_or_email(admin, people, app):
    _add_people(app, [("Marieke Bos", "marieke@example.nl"), ("Jan Jansen", "jj@bosbouw.nl"),
                      ("Kees 100%", "kees@example.nl")])
    assert _rows(admin.get(USERS + "?q=bos").get_data(as_text=True)) == [
        "Jan Jansen", "Marieke Bos"]  # e-mail and name, in name order
    html = admin.get(USERS + "?q=MARIEKE").get_data(as_text=True)
    assert _rows(html) == ["Marieke Bos"] and "<td>no</td>" in html  # not confirmed
    assert _rows(admin.get(USERS + "?q=100%25").get_data(as_text=True)) == ["Kees 100%"]
    assert _rows(admin.get(USERS + "?q=_").get_data(as_text=True)) == []  # no LIKE wildcard
    html = admin.get(USERS + "?q=nobody").get_data(as_text=True)
    assert "Nobody matches this search." in html and 'value="nobody"' in html


def test_fifty_per_page_ordered_by_name(admin, people, app):
    _add_people(app, [(f"Person {i:03d}", f"p{i:03d}@example.nl") for i in range(60)])
    first = admin.get(USERS).get_data(as_text=True)
    rows = _rows(first)
    assert len(rows) == 50 and rows == sorted(rows, key=str.lower)
    assert rows[:2] == ["Anna Admin", "Mo Moderator"] and "Page 1 of 2" in first
    second = _rows(admin.get(USERS + "?page=2").get_data(as_text=True))
    assert len(second) == 13 and second[-1] == "Pieter de Vries"
    assert set(rows).isdisjoint(second)
    assert _rows(admin.get(USERS + "?page=99").get_data(as_text=True)) == second


def test_role_change_returns_to_the_same_search_and_page(admin, people, app):
    response = submit(admin, f"/admin/users/{people['participant']}/role",
                      {"role": "staff", "q": "pieter", "page": "1"}, page_url=USERS)
    assert response.headers["Location"] == (
        f"/admin/users?q=pieter&page=1#user-{people['participant']}")


def test_user_list_query_count_does_not_grow(admin, people, app, count_queries):
    def queries() -> int:
        with count_queries() as counter:
            assert admin.get(USERS).status_code == 200
        return counter.count

    orgs = []
    with app.app_context():
        for i in range(3):
            orgs.append(make_organisation(f"Organisatie {i}").id)
    _add_people(app, [(f"Extra {i}", f"extra{i}@example.nl") for i in range(2)])  # 5 in all
    small = queries()
    with app.app_context():
        for i in range(195):
            db.session.add(User(email=f"more{i}@example.nl", name=f"More {i:03d}",
                                password_hash="x", organisation_id=orgs[i % 3]))
        db.session.commit()
        assert count(User) == 200
    assert queries() == small
    assert small <= 3  # the logged-in user, the count, the page


# --- processes ----------------------------------------------------------------------------

def test_moderator_creates_a_process_with_both_rounds(moderator, people, app):
    home = moderator.get("/").get_data(as_text=True)
    assert f'href="{NEW}">New process</a>' in home
    response = submit(moderator, NEW, PROCESS_DATA)
    assert response.status_code == 302, field_errors(response.get_data(as_text=True))
    assert response.headers["Location"] == "/p/mobility-2027"
    with app.app_context():
        process = db.session.scalar(sa.select(Process).where(Process.slug == "mobility-2027"))
        assert process.title == "Mobility plan 2027" and not process.is_public
        assert "<em>this</em>" in process.intro_html
        assert process.contact == "mobility@assen.example"
        rounds = {r.kind: r for r in process.rounds}
        assert (rounds[RoundKind.input].opens_at, rounds[RoundKind.input].closes_at) == (
            datetime(2027, 1, 11, 8, 0), datetime(2027, 2, 15, 16, 0))
        assert (rounds[RoundKind.feedback].opens_at, rounds[RoundKind.feedback].closes_at) == (
            datetime(2027, 5, 3, 7, 0), datetime(2027, 6, 1, 21, 59))
        [event] = audit("process.create")
        assert (event.actor_id, event.process_id, event.target_id) == (
            people["moderator"], process.id, process.id)
        assert event.after["slug"] == "mobility-2027"
        assert event.after["rounds"]["input"]["opens_at"] == "2027-01-11T08:00:00"
    page = moderator.get("/p/mobility-2027").get_data(as_text=True)
    for link, text in (("/p/mobility-2027/edit", "Edit process"),
                       ("/p/mobility-2027/rounds/input/edit", "Edit round 1"),
                       ("/p/mobility-2027/rounds/feedback/edit", "Edit round 2")):
        assert f'href="{link}">{text}</a>' in page


@pytest.mark.parametrize("slug, message", [
    ("economie", "Another process already uses this web address. Choose another one."),
    ("Economie", "Another process already uses this web address. Choose another one."),
    ("bad slug!", "Use only lowercase letters, digits and hyphens"),
    ("-dash", "Use only lowercase letters, digits and hyphens"),
    ("", "Choose a web address."),
])
def test_slug_must_be_well_formed_and_free(moderator, app, slug, message):
    with app.app_context():
        make_process("economie")
    response = submit(moderator, NEW, {**PROCESS_DATA, "slug": slug})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    [error] = field_errors(html)
    assert error.startswith("slug: " + message)
    assert 'value="Mobility plan 2027"' in html  # the text is kept
    with app.app_context():
        assert count(Process) == 1 and count(Round) == 2
        assert audit("process.create") == []


def test_closing_before_opening_is_refused_and_the_text_kept(moderator, app):
    data = {**PROCESS_DATA, "input_closes": "2027-01-10T09:00",
            "feedback_closes": "2027-05-03T09:00"}
    response = submit(moderator, NEW, data)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert field_errors(html) == [
        "input_closes: The closing time must be after the opening time.",
        "feedback_closes: The closing time must be after the opening time."]
    assert 'value="2027-01-10T09:00"' in html and 'value="2027-01-11T09:00"' in html
    assert "How we get around in Assen." in html
    assert 'role="alert"' in html  # the error summary
    with app.app_context():
        assert count(Process) == 0 and count(Round) == 0


def test_missing_and_unreadable_fields_get_messages(moderator, app):
    response = submit(moderator, NEW, {**PROCESS_DATA, "title": "  ", "summary": "",
                                       "input_opens": "tomorrow", "feedback_opens": "",
                                       "visibility": "secret"})
    errors = field_errors(response.get_data(as_text=True))
    assert errors == [
        "title: Give the process a title.",
        "summary: Write a short summary.",
        "visibility: Choose who can see the process.",
        "input_opens: Enter a date and a time, for example 2 March 2026 at 09:00.",
        "feedback_opens: Enter a date and a time."]
    with app.app_context():
        assert count(Process) == 0


def test_a_failure_halfway_leaves_no_process_without_rounds(moderator, app, monkeypatch):
    from participation.admin import services

    real_add_round = services.add_round

    def failing_add_round(process, **fields):
        if fields["kind"] is RoundKind.feedback:
            raise RuntimeError("database went away")
        return real_add_round(process, **fields)
    monkeypatch.setattr(services, "add_round", failing_add_round)
    response = submit(moderator, NEW, PROCESS_DATA)
    assert response.status_code == 500
    with app.app_context():
        assert count(Process) == 0 and count(Round) == 0 and count(AuditEvent) == 0


def test_edit_process_records_only_what_changed(moderator, people, app):
    with app.app_context():
        process = make_process("economie")
        process_id = process.id
    form = moderator.get("/p/economie/edit").get_data(as_text=True)
    assert 'value="Traject economie"' in form and "Over *dit* traject." in form
    assert 'name="slug"' not in form
    response = submit(moderator, "/p/economie/edit", {
        "title": "Economische agenda", "summary": "Samenvatting",
        "intro_md": "Nieuwe **intro**.", "contact": "team@assen.example",
        "visibility": "public"}, follow_redirects=True)
    assert "The process has been saved." in response.get_data(as_text=True)
    with app.app_context():
        process = db.session.get(Process, process_id)
        assert process.title == "Economische agenda" and process.slug == "economie"
        assert "<strong>intro</strong>" in process.intro_html
        [event] = audit("process.edit")
        assert event.before == {"title": "Traject economie", "intro_md": "Over *dit* traject."}
        assert event.after == {"title": "Economische agenda", "intro_md": "Nieuwe **intro**."}
        assert (event.actor_id, event.process_id) == (people["moderator"], process_id)


def test_edit_process_with_bad_input_keeps_the_text(moderator, app):
    with app.app_context():
        make_process("economie")
    long_summary = "Lang " * 120
    response = submit(moderator, "/p/economie/edit", {
        "title": "", "summary": long_summary, "intro_md": "Mijn *tekst*",
        "contact": "", "visibility": "public"})
    html = response.get_data(as_text=True)
    assert field_errors(html) == ["title: Give the process a title.",
                                  "summary: Use at most 500 characters."]
    assert "Mijn *tekst*" in html and long_summary.strip() in html
    with app.app_context():
        assert db.session.scalar(sa.select(Process.title)) == "Traject economie"
        assert audit("process.edit") == []


def test_round_edit_converts_amsterdam_time_to_utc_across_dst(moderator, people, app):
    with app.app_context():
        process = make_process("economie")
        round_id = process.round_of(RoundKind.input).id
    url = "/p/economie/rounds/input/edit"
    # Summer time ends on 25 October 2026: opens in CEST (UTC+2), closes in CET (UTC+1).
    response = submit(moderator, url, {"opens_at": "2026-10-20T09:00",
                                       "closes_at": "2026-10-30T17:00",
                                       "moderation": "pre", "audience": "invited"})
    assert response.status_code == 302, field_errors(response.get_data(as_text=True))
    with app.app_context():
        round_ = db.session.get(Round, round_id)
        assert (round_.opens_at, round_.closes_at) == (datetime(2026, 10, 20, 7, 0),
                                                       datetime(2026, 10, 30, 16, 0))
        assert round_.moderation is ModerationMode.pre and round_.audience is Audience.invited
        [event] = audit("round.change")
        assert (event.target_type, event.target_id, event.actor_id) == (
            "round", round_id, people["moderator"])
        assert event.after == {"opens_at": "2026-10-20T07:00:00",
                               "closes_at": "2026-10-30T16:00:00", "moderation": "pre",
                               "audience": "invited"}
        assert set(event.before) == set(event.after) and event.before["moderation"] == "post"
    # The form shows the stored moments in Amsterdam time again.
    form = moderator.get(url).get_data(as_text=True)
    assert 'value="2026-10-20T09:00"' in form and 'value="2026-10-30T17:00"' in form
    # Summer time starts on 28 March 2027: opens in CET, closes in CEST.
    submit(moderator, url, {"opens_at": "2027-03-27T12:00", "closes_at": "2027-03-29T12:00",
                            "moderation": "pre", "audience": "invited"})
    with app.app_context():
        round_ = db.session.get(Round, round_id)
        assert (round_.opens_at, round_.closes_at) == (datetime(2027, 3, 27, 11, 0),
                                                       datetime(2027, 3, 29, 10, 0))
        assert audit("round.change")[-1].before == {"opens_at": "2026-10-20T07:00:00",
                                                    "closes_at": "2026-10-30T16:00:00"}


def test_the_hour_skipped_in_spring_is_refused(moderator, app):
    with app.app_context():
        make_process("economie")
    response = submit(moderator, "/p/economie/rounds/feedback/edit", {
        "opens_at": "2027-03-28T02:30", "closes_at": "2027-04-28T12:00",
        "moderation": "post", "audience": "invited"})
    html = response.get_data(as_text=True)
    assert field_errors(html) == ["opens_at: This time does not exist in the Netherlands: the "
                                  "clocks go forward an hour that night. Choose another time."]
    assert 'value="2027-03-28T02:30"' in html


def test_round_closing_before_it_opens_is_refused_and_nothing_changes(moderator, app):
    with app.app_context():
        process = make_process("economie")
        before = (process.round_of(RoundKind.input).opens_at,
                  process.round_of(RoundKind.input).closes_at)
    response = submit(moderator, "/p/economie/rounds/input/edit", {
        "opens_at": "2027-03-01T09:00", "closes_at": "2027-03-01T09:00",
        "moderation": "post", "audience": "registered"})
    html = response.get_data(as_text=True)
    assert field_errors(html) == ["closes_at: The closing time must be after the opening time."]
    assert html.count('value="2027-03-01T09:00"') == 2
    with app.app_context():
        round_ = db.session.scalar(sa.select(Round).where(Round.kind == RoundKind.input))
        assert (round_.opens_at, round_.closes_at) == before
        assert audit("round.change") == []


def test_saving_an_unchanged_round_records_nothing(moderator, app):
    with app.app_context():
        make_process("economie")
    url = "/p/economie/rounds/input/edit"
    form = moderator.get(url).get_data(as_text=True)
    values = dict(re.findall(r'name="(opens_at|closes_at)"[^>]*value="([^"]+)"', form))
    assert len(values) == 2, form
    response = submit(moderator, url, {**values, "moderation": "post", "audience": "registered"},
                      follow_redirects=True)
    assert "Nothing has changed." in response.get_data(as_text=True)
    with app.app_context():
        assert audit("round.change") == []


def test_unknown_process_or_round_is_404(moderator):
    assert moderator.get("/p/nothing/edit").status_code == 404
    assert moderator.get("/p/nothing/rounds/input/edit").status_code == 404
    assert moderator.get("/p/economie/rounds/third/edit").status_code == 404


@pytest.mark.parametrize("who, status", [
    ("visitor", 302), ("pieter@example.nl", 403), ("staff@example.nl", 403),
    ("mod@example.nl", 200), ("admin@example.nl", 200)])
def test_who_may_manage_processes(client, people, app, who, status):
    with app.app_context():
        make_user("staff@example.nl", role="staff", locale="en")
        make_process("economie")
    if who != "visitor":
        login(client, who)
    for url in (NEW, "/p/economie/edit", "/p/economie/rounds/input/edit",
                "/p/economie/rounds/feedback/edit"):
        response = client.get(url)
        assert response.status_code == status, url
        if status == 302:
            assert "/account/login" in response.headers["Location"]
    if status != 200:
        token = csrf_token(client.get("/").get_data(as_text=True))
        for url, data in ((NEW, PROCESS_DATA),
                          ("/p/economie/rounds/input/edit", {
                              "opens_at": "2027-03-01T09:00", "closes_at": "2027-04-01T09:00",
                              "moderation": "pre", "audience": "invited"})):
            assert client.post(url, data={"csrf_token": token, **data}).status_code == status
        with app.app_context():
            assert count(Process) == 1 and count(AuditEvent) == 0
            assert db.session.scalar(sa.select(Round.moderation).where(
                Round.kind == RoundKind.input)) is ModerationMode.post
