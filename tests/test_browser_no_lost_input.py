"""No lost input in the browser: the form keeps a local copy while typing, so a session that
expired before sending costs nothing; the copy goes once the site confirms the send."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from participation.extensions import db

from .conftest import make_user
from .test_browser import site  # noqa: F401  (the fixture)

pytestmark = pytest.mark.browser

TEXT = "Wij vragen om meer ruimte voor logistiek.\n\n- punt een\n- punt twee 😀"


def _log_in(page):
    page.get_by_label("E-mail address").fill("p@example.nl")
    page.get_by_label("Password").fill("lange-wachtzin-42")
    page.get_by_role("button", name="Log in").click()


def test_text_survives_an_expired_session_and_is_forgotten_after_sending(site, page,  # noqa: F811
                                                                          app, context):
    from .factories import make_process

    with app.app_context():
        make_process()
        make_user("p@example.nl", locale="en")
        db.session.commit()
    site.open("/account/login")
    page.get_by_role("button", name="English").click()
    _log_in(page)
    site.open("/p/economie/input/new")
    page.get_by_label("Theme").select_option(label="Arbeidsmarkt")
    page.get_by_label("Title").fill("Ruimte voor logistiek")
    page.get_by_label("Your input").fill(TEXT)

    context.clear_cookies()  # the session expires while they write
    page.get_by_role("button", name="Send your input").click()
    page.get_by_role("button", name="English").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Log in")
    _log_in(page)
    # Back at the form, with everything they typed.
    expect(page.get_by_label("Title")).to_have_value("Ruimte voor logistiek")
    expect(page.get_by_label("Your input")).to_have_value(TEXT)
    expect(page.get_by_label("Theme").locator("option:checked")).to_have_text("Arbeidsmarkt")

    page.get_by_role("button", name="Send your input").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ruimte voor logistiek")
    site.open("/p/economie/input/new")
    expect(page.get_by_label("Title")).to_have_value("")
    expect(page.get_by_label("Your input")).to_have_value("")
