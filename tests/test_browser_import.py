"""The import of offline input in headless Chromium, 320 px wide: a bad file shows its problems
with line numbers next to the file field; a good one is previewed, stored and listed. axe on
every page."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .browser import assert_accessible
from .factories import make_organisation, make_process, make_user
from .test_browser import site  # noqa: F401  (the fixture)
from .test_import import BAD_ROWS, DUTCH, ROWS, csv_bytes, xlsx_bytes

pytestmark = pytest.mark.browser


def _overflow(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


def test_a_bad_file_then_a_good_one_previewed_stored_and_listed(site, page, app,  # noqa: F811
                                                                 tmp_path):
    with app.app_context():
        make_process()
        make_organisation("Bakkerij Bolk", "business", "food")
        make_user("mod@example.nl", role="moderator")
    bad = tmp_path / "werksessie-fout.csv"
    bad.write_bytes(csv_bytes(DUTCH, BAD_ROWS))
    good = tmp_path / "werksessie.xlsx"
    good.write_bytes(xlsx_bytes(DUTCH, ROWS))

    page.set_viewport_size({"width": 320, "height": 740})
    page.goto(site.url + "/account/login")
    page.get_by_label("E-mailadres").fill("mod@example.nl")
    page.get_by_label("Wachtwoord").fill("lange-wachtzin-42")
    page.get_by_role("button", name="Inloggen").click()
    page.get_by_role("button", name="English").click()
    site.open("/p/economie")
    page.get_by_role("link", name="Import offline input from a spreadsheet").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Import offline input from a spreadsheet")
    assert_accessible(page)
    assert _overflow(page) <= 0

    page.get_by_label("How the input reached the team").fill("Werksessie 12 november")
    page.get_by_label("Spreadsheet (CSV or XLSX)").set_input_files(str(bad))
    page.get_by_role("button", name="Check the file").click()
    expect(page.locator(".field-error")).to_contain_text(
        "Nothing has been stored: the file has 5 problems.")
    problems = page.locator("#import-problems li")
    expect(problems).to_have_count(5)
    expect(problems.nth(0)).to_contain_text('Line 3: "Wonen" is not a theme of this process.')
    expect(problems.nth(1)).to_contain_text("Line 4: The text is empty.")
    expect(page.get_by_role("button", name="Store", exact=False)).to_have_count(0)
    assert_accessible(page)
    assert _overflow(page) <= 0

    page.get_by_label("Spreadsheet (CSV or XLSX)").set_input_files(str(good))
    page.get_by_role("button", name="Check the file").click()
    expect(page.get_by_role("heading", name="3 contributions will be stored")).to_be_visible()
    expect(page.get_by_role("cell", name="Ruimte voor de bakkerij")).to_be_visible()
    assert_accessible(page)
    assert _overflow(page) <= 0, "the preview scrolls sideways"

    page.get_by_role("button", name="Store 3 contributions").click()
    expect(page.get_by_role("status")).to_contain_text(
        "3 contributions have been stored as offline input.")
    for row in ROWS:
        expect(page.get_by_role("link", name=row[3])).to_be_visible()
    assert_accessible(page)
    assert _overflow(page) <= 0
