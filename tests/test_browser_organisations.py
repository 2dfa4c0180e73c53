"""Organisation verification in headless Chromium: registering with evidence, the team's queue,
an organisation's settings, and a member confirming a newcomer; axe on every page."""
from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from participation.accounts.models import Membership, Organisation, User, VerificationState
from participation.core.extensions import db

from .browser import assert_accessible
from .factories import make_organisation, make_user
from .test_browser import site  # noqa: F401  (the fixture)

pytestmark = pytest.mark.browser

PASSWORD = "drentse-ondernemer-2026"
COMPANY = "Van der Veen Logistiek"


def log_in(page, site, email, password="lange-wachtzin-42"):  # noqa: F811
    page.goto(site.url + "/account/login")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()


def log_out(page):
    page.get_by_role("button", name="Log out").click()


def test_register_with_evidence_then_the_team_and_a_member_decide(site, page, app,  # noqa: F811
                                                                 mailbox):
    with app.app_context():
        company = make_organisation(COMPANY, "business", "logistiek")
        make_user("marieke@vanderveen.example", name="Marieke", organisation=company, locale="en")
        make_user("mod@example.nl", role="moderator", name="Mo", locale="en")
        make_organisation("Nog Niet Bevestigd BV", state="unverified")

    # Registering: the list holds confirmed organisations only; role and KvK for either option.
    site.open("/")
    page.get_by_role("button", name="English").click()
    page.get_by_role("navigation").get_by_role("link", name="Register").click()
    options = page.locator("#organisation_id option").all_text_contents()
    assert COMPANY in options and "Nog Niet Bevestigd BV" not in options
    page.get_by_label("Your name").fill("Sam Vreemd")
    page.get_by_label("E-mail address").fill("sam@elders.example")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Repeat the password").fill(PASSWORD)
    page.get_by_label("for an organisation that is already registered").check()
    expect(page.get_by_label("Your role or function in the organisation")).to_be_visible()
    page.get_by_label("Organisation", exact=True).select_option(label=COMPANY)
    page.get_by_label("Your role or function in the organisation").fill("directeur")
    page.get_by_label("KvK number of the organisation (optional)").fill("1234")
    page.locator("#consent").check()
    page.get_by_role("button", name="Register").click()
    expect(page.get_by_role("alert")).to_contain_text("A KvK number has exactly 8 digits")
    expect(page.get_by_label("KvK number of the organisation (optional)")).to_have_value("1234")
    assert_accessible(page)
    page.get_by_label("KvK number of the organisation (optional)").fill("1234 5678")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Repeat the password").fill(PASSWORD)
    page.get_by_role("button", name="Register").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your e-mail")
    mailbox.deliver()
    page.goto(mailbox.only("sam@elders.example").link("/account/confirm/").replace(
        "http://localhost", site.url))

    # The team's queue: the waiting organisation, and the newcomer with the evidence.
    log_in(page, site, "mod@example.nl")
    page.get_by_role("link", name="Organisations and members to confirm").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Organisations")
    card = page.locator(".card", has_text="Sam Vreemd")
    expect(card).to_contain_text("elders.example")
    expect(card).to_contain_text("directeur")
    expect(card).to_contain_text("12345678")
    assert_accessible(page)
    page.get_by_role("button", name=re.compile(r"^Confirm\W+Nog Niet Bevestigd BV$")).click()
    expect(page.get_by_role("status")).to_contain_text("Nog Niet Bevestigd BV is confirmed.")
    assert_accessible(page)

    # An organisation's page: the website domain, the switch, who takes part for it.
    page.get_by_role("link", name=COMPANY).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(COMPANY)
    assert_accessible(page)
    page.get_by_label("Domain of the website").fill("not a domain")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("alert")).to_contain_text("Enter the domain of the website")
    assert_accessible(page)
    page.get_by_label("Domain of the website").fill("www.vanderveen.nl")
    page.get_by_label("Members whose e-mail domain matches the website domain are confirmed "
                      "automatically").check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_contain_text("The settings have been saved.")
    expect(page.get_by_label("Domain of the website")).to_have_value("vanderveen.nl")
    page.set_viewport_size({"width": 320, "height": 800})
    assert_accessible(page)
    page.set_viewport_size({"width": 1280, "height": 800})
    log_out(page)

    # The member sees the request on their account page, and confirms it.
    log_in(page, site, "marieke@vanderveen.example")
    site.open("/account/")
    page.get_by_role("link", name=re.compile(r"1 person asks to take part")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Requests to take part for {COMPANY}")
    assert_accessible(page)
    page.get_by_role("button", name=re.compile(r"^Confirm\W+Sam Vreemd$")).click()
    expect(page.get_by_role("status")).to_contain_text(f"Sam Vreemd now takes part for {COMPANY}.")
    expect(page.get_by_text("Nobody is waiting to be confirmed.")).to_be_visible()
    assert_accessible(page)
    with app.app_context():
        state = db.session.scalar(sa.select(Membership.state).join(
            User, User.id == Membership.user_id).where(User.email == "sam@elders.example"))
        assert state is VerificationState.verified
        assert db.session.scalar(sa.select(Organisation.state).where(
            Organisation.name == "Nog Niet Bevestigd BV")) is VerificationState.verified
