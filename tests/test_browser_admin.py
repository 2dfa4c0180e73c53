"""Site management in headless Chromium: roles, a new process and its rounds; axe on every page."""
from __future__ import annotations

import re
from datetime import datetime

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from participation.accounts.models import User
from participation.core.roles import Role
from participation.core.extensions import db
from participation.processes.models import Process, Round, RoundKind

from .browser import assert_accessible
from .factories import make_organisation, make_process, make_user
from .test_browser import site  # noqa: F401  (the fixture)

pytestmark = pytest.mark.browser


def test_admin_manages_roles_and_sets_up_a_process(site, page, app):  # noqa: F811
    with app.app_context():
        make_user("admin@example.nl", role="admin", name="Anna Admin", locale="en")
        org = make_organisation("Bos Bouw", "business", "bouw")
        make_user("marieke@bosbouw.example", name="Marieke Bos", organisation=org, locale="en")
        make_user("jan@example.nl", name="Jan Jansen", confirmed=False, locale="en")
        make_process("economie")

    page.goto(site.url + "/account/login")
    page.get_by_label("E-mailadres").fill("admin@example.nl")
    page.get_by_label("Wachtwoord").fill("lange-wachtzin-42")
    page.get_by_role("button", name="Inloggen").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")

    # Roles: find a person, give them a role.
    page.get_by_role("link", name="Admin", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("People and roles")
    assert_accessible(page)
    page.get_by_label("Name or e-mail address").fill("bosbouw")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("heading", level=2)).to_have_text("1 person")
    page.get_by_label("Role of Marieke Bos").select_option(label="Moderator")
    page.get_by_role("button", name=re.compile(r"^Change role\W+Marieke Bos$")).click()
    expect(page.get_by_role("status")).to_contain_text("The role of Marieke Bos is now: Moderator.")
    expect(page.get_by_label("Role of Marieke Bos")).to_have_value("moderator")
    assert_accessible(page)
    # The last admin is told why they cannot step down.
    site.open("/admin/users?q=anna")
    page.get_by_label("Role of Anna Admin").select_option(label="Participant")
    page.get_by_role("button", name=re.compile(r"^Change role\W+Anna Admin$")).click()
    expect(page.get_by_role("status")).to_contain_text("must keep at least one admin")
    assert_accessible(page)

    # A new process: first with mistakes, then right.
    site.open("/")
    page.get_by_role("link", name="New process").click()
    assert_accessible(page)
    page.get_by_label("Title").fill("Mobility plan 2027")
    page.get_by_label("Web address").fill("economie")
    page.get_by_label("Round 1 opens").fill("2027-01-11T09:00")
    page.get_by_label("Round 1 closes").fill("2027-01-04T09:00")
    page.get_by_role("button", name="Create process").click()
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("Another process already uses this web address.")
    expect(summary).to_contain_text("The closing time must be after the opening time.")
    expect(page.get_by_label("Title")).to_have_value("Mobility plan 2027")
    expect(page.get_by_label("Round 1 closes")).to_have_value("2027-01-04T09:00")
    assert_accessible(page)
    page.get_by_label("Web address").fill("mobility-2027")
    page.get_by_label("Summary").fill("How we get around in Assen.")
    page.get_by_label("Introduction").fill("About *this* plan.")
    page.get_by_label("By invitation").check()
    page.get_by_label("Round 1 closes").fill("2027-02-15T17:00")
    page.get_by_label("Round 2 opens").fill("2027-05-03T09:00")
    page.get_by_label("Round 2 closes").fill("2027-06-01T17:00")
    page.get_by_role("button", name="Create process").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mobility plan 2027")
    expect(page.get_by_role("status")).to_contain_text("created with its two rounds")
    assert_accessible(page)

    # Edit the process and round 1 from the team links on the process page.
    page.get_by_role("link", name="Edit process").click()
    expect(page.get_by_label("Title")).to_have_value("Mobility plan 2027")
    assert_accessible(page)
    page.get_by_label("Title").fill("Mobility plan 2027–2030")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mobility plan 2027–2030")
    page.get_by_role("link", name="Edit round 1").click()
    expect(page.get_by_label("Opens")).to_have_value("2027-01-11T09:00")
    assert_accessible(page)
    page.get_by_label("Closes").fill("2027-01-01T09:00")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("alert")).to_contain_text("after the opening time")
    assert_accessible(page)
    page.get_by_label("Closes").fill("2027-03-30T17:00")  # summer time by then
    page.get_by_label("Beforehand").check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_contain_text("The round has been saved.")

    with app.app_context():
        assert db.session.scalar(sa.select(User.role).where(
            User.email == "marieke@bosbouw.example")) is Role.moderator
        process = db.session.scalar(sa.select(Process).where(Process.slug == "mobility-2027"))
        assert process.title == "Mobility plan 2027–2030" and not process.is_public
        round_ = db.session.scalar(sa.select(Round).where(
            Round.process_id == process.id, Round.kind == RoundKind.input))
        assert (round_.opens_at, round_.closes_at) == (datetime(2027, 1, 11, 8, 0),
                                                       datetime(2027, 3, 30, 15, 0))
        assert round_.moderation.value == "pre"


def test_team_pages_of_an_existing_process_pass_axe(site, page, app):  # noqa: F811
    with app.app_context():
        make_user("mod@example.nl", role="moderator", locale="en")
        make_process("economie")
    page.goto(site.url + "/account/login")
    page.get_by_label("E-mailadres").fill("mod@example.nl")
    page.get_by_label("Wachtwoord").fill("lange-wachtzin-42")
    page.get_by_role("button", name="Inloggen").click()
    for path in ("/processes/new", "/p/economie/edit", "/p/economie/rounds/input/edit",
                 "/p/economie/rounds/feedback/edit"):
        site.open(path)
    expect(page.get_by_role("link", name="Admin", exact=True)).to_have_count(0)
    page.goto(site.url + "/admin/users")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "You do not have access to this page")
