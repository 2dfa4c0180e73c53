"""In headless Chromium: rating a round from the process page, and the "you said, we did"
page in Dutch and English (axe, the Nu HTML Checker, 320 px: tests/browser.py)."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from participation.core.extensions import db

from .browser import assert_accessible
from .factories import make_contribution, make_process, make_user
from .test_browser import site  # noqa: F401  (the fixture)
from .test_outcomes import DEMO, demo  # noqa: F401  (the fixture)

pytestmark = pytest.mark.browser


def _log_in(page, email: str) -> None:
    page.get_by_role("navigation").get_by_role("link", name="Log in").click()
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill("lange-wachtzin-42")
    page.get_by_role("button", name="Log in").click()


def test_a_participant_rates_round_one_from_the_process_page(site, page, app):  # noqa: F811
    with app.app_context():
        process = make_process()
        anna = make_user("anna@example.nl", locale="en")
        make_contribution(process, process.themes[0], anna, title="Meer bedrijventerrein")
        db.session.commit()
    site.open("/")
    page.get_by_role("button", name="English").click()
    _log_in(page, "anna@example.nl")

    site.open("/p/economie")
    form = page.get_by_role("region", name="How did round 1 go for you?")
    form.get_by_role("button", name="Send my rating").click()  # no score chosen yet
    expect(page.get_by_role("alert")).to_contain_text("Choose a score from 1 to 10.")
    assert_accessible(page)

    page.get_by_label("8", exact=True).check()  # the label reaches the radio, as a keyboard does
    page.get_by_label("Remark (optional)").fill("Duidelijke vragen, korte termijn.")
    page.get_by_role("button", name="Send my rating").click()
    expect(page.get_by_role("status")).to_contain_text("Thank you for your rating.")
    expect(page.get_by_role("region", name="How did round 1 go for you?")).to_have_count(0)
    assert_accessible(page)
    site.open("/p/economie/rating/input")
    expect(page.get_by_role("status")).to_contain_text("You have already rated this round.")


def test_the_you_said_we_did_page_in_dutch_and_english(site, page, app, demo):  # noqa: F811
    site.open(f"/p/{DEMO}/you-said-we-did")  # Dutch, the default; axe and 320 px in open()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    page.get_by_role("button", name="English").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("You said, we did")
    expect(page.get_by_role("table", name="What the municipality did with all input")).to_be_visible()
    expect(page.get_by_role("heading", name="Where the agenda changed")).to_be_visible()
    assert_accessible(page)
    page.emulate_media(media="print")  # printed: no site header, the content stays
    expect(page.locator(".site-header")).to_be_hidden()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
