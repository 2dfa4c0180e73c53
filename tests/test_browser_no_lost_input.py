"""No lost input in the browser: the form keeps a local copy while typing, so a session that
expired before sending costs nothing; the copy goes once the site confirms the send."""
from __future__ import annotations

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from participation.contributions.models import Contribution
from participation.core.extensions import db

from .browser import assert_accessible
from .factories import make_user
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


def test_a_file_too_large_for_the_site_leaves_the_text_in_the_form(site, page, app):  # noqa: F811
    """A send over MAX_CONTENT_LENGTH is refused before the site reads it (413), so the page
    cannot show the text; it says the browser kept it, and the form has it again."""
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
    page.get_by_label("Position paper (PDF, optional)").set_input_files(
        {"name": "scan.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-" + b"x" * (13 << 20)})
    page.get_by_role("button", name="Send your input").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("The file or text is too large")
    expect(page.get_by_text("The text you typed is kept in this browser")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Back to the form").click()
    expect(page.get_by_label("Title")).to_have_value("Ruimte voor logistiek")
    expect(page.get_by_label("Your input")).to_have_value(TEXT)
    expect(page.get_by_label("Theme").locator("option:checked")).to_have_text("Arbeidsmarkt")
    assert_accessible(page)

    page.get_by_role("button", name="Send your input").click()  # without the file, this time
    expect(page.get_by_role("heading", level=1)).to_have_text("Ruimte voor logistiek")
    with app.app_context():
        assert db.session.scalar(sa.select(Contribution.title)) == "Ruimte voor logistiek"
