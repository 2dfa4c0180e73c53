"""The page shown while the database is unreachable, in headless Chromium: axe, keyboard, text."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from participation import create_app

from .browser import LiveServer, assert_accessible

pytestmark = pytest.mark.browser


@pytest.fixture
def unreachable_site(tmp_path):
    """The real app whose SQLite file lies in a folder that does not exist: every query fails."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/missing/db.sqlite",
                      "SECRET_KEY": "unavailable-page-test-" + "x" * 30,
                      "RATELIMIT_ENABLED": False})
    server = LiveServer(app)
    server.start()
    yield server
    server.stop()


@pytest.mark.once
def test_the_unavailable_page_passes_axe_and_gives_back_the_text(unreachable_site, page):
    response = page.goto(unreachable_site.url + "/")
    assert response.status == 503 and response.headers["retry-after"]
    expect(page.get_by_role("heading", level=1)).to_have_text("De site is even niet bereikbaar")
    assert_accessible(page)

    # A reaction sent while the database is away comes back in a labelled, readable field.
    page.set_content(
        f'<form method="post" action="{unreachable_site.url}/p/economie/input/new">'
        '<input name="title" value="Stageplekken"><textarea name="body">Meer stageplekken '
        'in de zorg, graag.</textarea><button type="submit">Send</button></form>')
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("De site is even niet bereikbaar")
    body = page.get_by_role("textbox").nth(1)
    expect(body).to_have_value("Meer stageplekken in de zorg, graag.")
    assert_accessible(page)
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    expect(body).to_be_focused()
