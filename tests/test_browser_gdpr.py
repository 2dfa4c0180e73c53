"""Privacy pages in headless Chromium: axe on my data, the delete confirmation, the consent page
and the privacy statement; the delete confirmation and the consent done by keyboard only."""
from __future__ import annotations

import json
import re

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from participation.accounts.models import User
from participation.contributions.models import Contribution
from participation.core.extensions import db

from .browser import assert_accessible
from .factories import make_process, make_user
from .test_browser import site  # noqa: F401  (the fixture)
from .test_gdpr import JOZEFIEN, JOZEFIEN_NAME, PASSWORD, world  # noqa: F401  (a fixture)

pytestmark = pytest.mark.browser


def _log_in(site, page, email):  # noqa: F811
    page.goto(site.url + "/account/login")
    page.get_by_label("E-mailadres").fill(email)
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")


def test_my_data_and_deleting_the_account_by_keyboard(site, page, app, world):  # noqa: F811
    _log_in(site, page, JOZEFIEN)
    site.open("/account/")
    page.get_by_role("link", name="See all your data").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My data")
    expect(page.get_by_role("heading", name="Ruimte voor starters")).to_be_visible()
    assert_accessible(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="Download my data (JSON file)").click()
    data = json.loads(download.value.path().read_text(encoding="utf-8"))
    assert data["account"]["name"] == JOZEFIEN_NAME

    site.open("/account/delete")
    expect(page.get_by_role("heading", level=1)).to_have_text("Delete my account")
    keep = page.get_by_role("radio", name=re.compile("^Keep my contributions"))
    remove = page.get_by_role("radio", name=re.compile("^Remove my contributions"))
    password = page.get_by_label("Your password")
    # From the last link before the form, the keyboard alone: Tab, arrows, typing, Enter.
    page.get_by_role("link", name="Download my data", exact=True).focus()
    page.keyboard.press("Tab")
    expect(keep).to_be_focused()
    page.keyboard.press("ArrowDown")
    expect(remove).to_be_focused()
    expect(remove).to_be_checked()
    page.keyboard.press("Tab")
    expect(password).to_be_focused()
    page.keyboard.type("niet-mijn-wachtwoord")
    page.keyboard.press("Enter")
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("This is not your password.")
    expect(summary).to_be_focused()
    expect(remove).to_be_checked()
    assert_accessible(page)
    page.keyboard.press("Tab")
    expect(summary.get_by_role("link")).to_be_focused()
    page.keyboard.press("Enter")
    password.focus()
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Delete my account for good")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_contain_text("Your account has been deleted")
    expect(page.get_by_role("link", name="Log in", exact=True)).to_be_visible()
    assert_accessible(page)
    with app.app_context():
        assert db.session.get(User, world["jozefien"]).deleted_at is not None
        assert db.session.get(Contribution, world["first"]).removed_at is not None


def test_agreeing_to_a_changed_statement_by_keyboard(site, page, app, monkeypatch):  # noqa: F811
    with app.app_context():
        make_process()
        make_user(JOZEFIEN, name=JOZEFIEN_NAME, locale="en")
    _log_in(site, page, JOZEFIEN)
    monkeypatch.setitem(app.config, "PRIVACY_STATEMENT_VERSION", "2027-01")
    site.open("/p/economie")
    expect(page.get_by_role("note")).to_contain_text("The privacy statement has changed")
    page.get_by_role("link", name="Read and agree").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Agree to the privacy statement")
    assert_accessible(page)
    button = page.get_by_role("button", name="Agree and continue")
    button.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("alert")).to_contain_text("Tick the box")
    assert_accessible(page)
    checkbox = page.get_by_role("checkbox")
    checkbox.focus()
    page.keyboard.press("Space")
    expect(checkbox).to_be_checked()
    page.keyboard.press("Tab")
    expect(button).to_be_focused()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/p/economie$"))
    expect(page.get_by_role("status")).to_contain_text("You agreed to the privacy statement")
    expect(page.get_by_role("note")).to_have_count(0)
    assert_accessible(page)
    with app.app_context():
        assert db.session.scalar(sa.select(User.consent_version).where(
            User.email == JOZEFIEN)) == "2027-01"


def test_privacy_statement_and_last_admin_page_pass_axe(site, page, app):  # noqa: F811
    site.open("/privacy")
    expect(page.get_by_role("heading", level=1)).to_have_text("Privacyverklaring")
    with app.app_context():
        make_user("admin@example.nl", role="admin", name="Anna Admin", locale="en")
    _log_in(site, page, "admin@example.nl")
    site.open("/privacy")
    expect(page.get_by_role("heading", name="How long we keep it")).to_be_visible()
    site.open("/account/delete")
    expect(page.get_by_role("note")).to_contain_text("You are the only admin")
