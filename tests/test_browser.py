"""The site in headless Chromium: the whole account journey by a real browser, axe on every page."""
from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from playwright.sync_api import Page, expect

from participation.accounts.models import User
from participation.core.extensions import db

from .browser import assert_accessible
from .factories import make_organisation, make_user

pytestmark = pytest.mark.browser

PASSWORD = "drentse-ondernemer-2026"


@pytest.fixture
def site(page: Page, live_server):
    """The page, with `open(path)` that loads a page of the site and checks it with axe."""
    page.set_default_timeout(10_000)

    class Site:
        url = live_server.url

        def open(self, path: str) -> Page:
            page.goto(live_server.url + path)
            assert_accessible(page)
            return page
    return Site()


def test_register_confirm_login_switch_language_reset_and_log_out(site, page, app, mailbox):
    site.open("/")
    page.get_by_role("link", name="Registreren").first.click()
    expect(page).to_have_url(re.compile(r"/account/register$"))
    assert_accessible(page)

    page.get_by_label("Uw naam").fill("Marieke Bos")
    page.get_by_label("E-mailadres").fill("marieke@bosbouw.example")
    page.get_by_label("Wachtwoord", exact=True).fill(PASSWORD)
    page.get_by_label("Herhaal het wachtwoord").fill(PASSWORD)
    page.get_by_label("voor een organisatie die nog niet geregistreerd is").check()
    # Script shows only the fields for a new organisation.
    expect(page.locator('[data-shown-for="existing"]')).to_be_hidden()
    page.get_by_label("Naam van de organisatie").fill("Bos Bouw & Onderhoud")
    page.get_by_label("Bedrijf", exact=True).check()
    page.get_by_label("Sector").fill("bouw")
    page.locator("#org_role").fill("eigenaar")
    page.locator("#consent").check()
    assert_accessible(page)
    page.get_by_role("button", name="Registreren").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Kijk in uw e-mail")
    assert_accessible(page)

    assert mailbox.deliver()["sent"] == 1
    mail = mailbox.only("marieke@bosbouw.example")
    page.goto(mail.link("/account/confirm/").replace("http://localhost", site.url))
    expect(page).to_have_url(re.compile(r"/account/login$"))
    expect(page.get_by_role("status")).to_contain_text("bevestigd")
    assert_accessible(page)

    page.get_by_label("E-mailadres").fill("marieke@bosbouw.example")
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    expect(page.get_by_role("status")).to_contain_text("U bent ingelogd")
    assert_accessible(page)

    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("link", name=re.compile("My account"))).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name=re.compile("My account")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My account")
    expect(page.get_by_role("definition").filter(has_text="Bos Bouw & Onderhoud")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Nederlands").click()
    expect(page.locator("html")).to_have_attribute("lang", "nl")
    expect(page.get_by_role("heading", level=1)).to_have_text("Mijn account")
    with app.app_context():
        assert db.session.scalar(sa.select(User.locale)) == "nl"

    page.get_by_role("button", name="Uitloggen").click()
    expect(page.get_by_role("status")).to_contain_text("uitgelogd")

    site.open("/account/login")
    page.get_by_role("link", name="Wachtwoord vergeten?").click()
    assert_accessible(page)
    page.get_by_label("E-mailadres").fill("marieke@bosbouw.example")
    page.get_by_role("button", name="Link versturen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Kijk in uw e-mail")
    assert_accessible(page)
    mailbox.deliver()
    reset = [m for m in mailbox.to("marieke@bosbouw.example") if "/password/reset/" in m.text][0]
    page.goto(reset.link("/account/password/reset/").replace("http://localhost", site.url))
    assert_accessible(page)
    page.get_by_label("Wachtwoord", exact=True).fill("nieuw-" + PASSWORD)
    page.get_by_label("Herhaal het wachtwoord").fill("nieuw-" + PASSWORD)
    page.get_by_role("button", name="Wachtwoord opslaan").click()
    expect(page).to_have_url(re.compile(r"/account/login$"))
    page.get_by_label("E-mailadres").fill("marieke@bosbouw.example")
    page.get_by_label("Wachtwoord").fill("nieuw-" + PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    expect(page.get_by_role("status")).to_contain_text("U bent ingelogd")
    page.get_by_role("button", name="Uitloggen").click()
    expect(page.get_by_role("navigation").get_by_role("link", name="Inloggen")).to_be_visible()


def test_errors_are_summarised_focused_and_linked_and_the_text_stays(site, page, app):
    with app.app_context():
        make_organisation("Drenthe College", "education", "onderwijs")
    site.open("/account/register")
    page.get_by_label("Uw naam").fill("Kees")
    page.get_by_label("E-mailadres").fill("kees-zonder-apenstaartje")
    page.get_by_role("button", name="Registreren").click()
    summary = page.get_by_role("alert")
    expect(summary).to_be_visible()
    expect(summary).to_be_focused()
    assert_accessible(page)
    expect(page.get_by_label("Uw naam")).to_have_value("Kees")
    expect(page.get_by_label("E-mailadres")).to_have_value("kees-zonder-apenstaartje")
    summary.get_by_role("link").first.click()
    expect(page.get_by_label("E-mailadres")).to_be_focused()


def test_keyboard_only_skip_link_and_login(site, page, app):
    with app.app_context():
        make_user()
    site.open("/account/login")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Direct naar de inhoud")
    expect(skip).to_be_focused()
    expect(skip).to_be_visible()
    page.keyboard.press("Enter")
    expect(page.locator("#content")).to_be_focused()
    # From the main content: e-mail, password, remember, button, by keyboard alone.
    page.keyboard.press("Tab")
    expect(page.get_by_label("E-mailadres")).to_be_focused()
    page.keyboard.type("pieter@example.nl")
    page.keyboard.press("Tab")
    page.keyboard.type("lange-wachtzin-42")
    page.keyboard.press("Tab")
    page.keyboard.press("Space")
    expect(page.get_by_label("Ingelogd blijven op dit apparaat")).to_be_checked()
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_contain_text("U bent ingelogd")


def test_every_page_passes_axe_in_both_languages_and_fits_a_phone(site, page, app):
    with app.app_context():
        make_user(locale="en")
    page.set_viewport_size({"width": 360, "height": 740})
    public = ["/", "/privacy", "/account/register", "/account/login", "/account/password/forgot",
              "/account/confirm", "/account/register/check-your-mail", "/bestaat-niet",
              "/account/confirm/ongeldig", "/account/password/reset/ongeldig"]
    for locale in ("nl", "en"):
        site.open("/")
        other = "English" if locale == "en" else None
        if other:
            page.get_by_role("button", name=other).click()
        for path in public:
            site.open(path)
            expect(page.locator("html")).to_have_attribute("lang", locale)
            overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 0, f"{path} scrolls sideways on a phone ({overflow}px)"
    site.open("/account/login")
    page.get_by_label("E-mail address").fill("pieter@example.nl")
    page.get_by_label("Password").fill("lange-wachtzin-42")
    page.get_by_role("button", name="Log in").click()
    for path in ("/account/", "/account/password"):
        site.open(path)
    page.get_by_role("button", name="Save password").click()
    assert_accessible(page)  # with its errors shown
