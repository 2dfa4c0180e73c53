"""A locked login and the admin who lifts it, in headless Chromium on a 320 px wide screen: the
person reads the wait next to the filled-in form, the admin finds the lock and lifts it, and the
person logs in at once; axe on every page."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from .browser import LiveServer, assert_accessible
from .factories import make_user
from .test_rate_limits import limited  # noqa: F401  (the fixture)

pytestmark = pytest.mark.browser


def _overflow(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


@pytest.fixture
def locking_site(limited):  # noqa: F811
    site = limited(failed_login_per_account="2/hour")
    with site.app_context():
        make_user(locale="en")
        make_user("beheer@example.nl", role="admin", name="Beheerder", locale="en")
    server = LiveServer(site)
    server.start()
    yield server
    server.stop()


def log_in(page, email: str, password: str) -> None:
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()


def test_a_locked_person_sees_the_wait_and_the_admin_lifts_the_lock(locking_site, page):
    page.set_default_timeout(10_000)
    page.set_viewport_size({"width": 320, "height": 740})
    page.goto(locking_site.url + "/account/login")
    page.get_by_role("button", name="English").click()
    for _ in range(2):
        log_in(page, "pieter@example.nl", "geraden-wachtwoord")
        expect(page.get_by_role("alert")).to_contain_text(
            "The e-mail address or the password is not right.")
    log_in(page, "pieter@example.nl", "lange-wachtzin-42")
    expect(page.get_by_role("alert")).to_contain_text(re.compile(
        r"too many times in a short time, so it is locked for now\. Wait (1 hour|60 minutes) "
        r"and try again"))
    expect(page.get_by_label("E-mail address")).to_have_value("pieter@example.nl")
    assert_accessible(page)
    assert _overflow(page) <= 0

    log_in(page, "beheer@example.nl", "lange-wachtzin-42")
    page.get_by_role("link", name="Admin", exact=True).click()
    page.get_by_role("link", name="Login locks").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Login locks")
    row = page.get_by_role("row", name="pieter@example.nl")
    expect(row).to_contain_text("Wrong passwords for one account")
    expect(row).to_contain_text(re.compile(r"(1 hour|60 minutes)"))
    assert_accessible(page)
    assert _overflow(page) <= 0

    # The button names what it lifts (the rest is for screen readers).
    row.get_by_role("button", name=re.compile(
        r"^Lift ?: pieter@example\.nl, Wrong passwords for one account$")).click()
    expect(page.get_by_role("status")).to_contain_text(
        "The lock on pieter@example.nl has been lifted: logging in works again at once.")
    expect(page.get_by_text("Nobody is locked out of logging in now.")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("button", name="Log out").click()
    page.goto(locking_site.url + "/account/login")
    log_in(page, "pieter@example.nl", "lange-wachtzin-42")
    expect(page.get_by_role("status")).to_contain_text("You are logged in.")
