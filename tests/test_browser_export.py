"""The participation document in headless Chromium: the export page and the preview pass axe,
work by keyboard, don't scroll sideways on a phone, and the download is the chosen file."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .browser import assert_accessible
from .factories import make_user
from .test_browser import site  # noqa: F401  (the fixture)
from .workers import workers  # noqa: F401  (the fixture)

pytestmark = pytest.mark.browser


def _log_in_as_staff(site, page, app):  # noqa: F811
    assert app.test_cli_runner().invoke(args=["demo"]).exit_code == 0
    with app.app_context():
        make_user("staff@example.nl", role="staff", locale="en")
    site.open("/")
    page.get_by_role("button", name="English").click()
    page.get_by_role("navigation").get_by_role("link", name="Log in").click()
    page.get_by_label("E-mail address").fill("staff@example.nl")
    page.get_by_label("Password").fill("lange-wachtzin-42")
    page.get_by_role("button", name="Log in").click()


def test_export_page_download_and_preview(site, page, app, tmp_path):  # noqa: F811
    _log_in_as_staff(site, page, app)
    site.open("/p/economische-agenda-2026-2030")
    page.get_by_role("link", name="Participation document").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Participation document")
    assert_accessible(page)

    # By keyboard: the format radios, then the download button.
    page.get_by_label("PDF: ready to publish").focus()
    page.keyboard.press("Space")
    expect(page.get_by_label("PDF: ready to publish")).to_be_checked()
    page.get_by_role("button", name="Make the document").focus()
    # The tests' queue makes the document in the request (the next test has real workers).
    with page.expect_download(timeout=90_000) as download:  # a PDF takes seconds under load
        page.keyboard.press("Enter")
    saved = tmp_path / "doc.pdf"
    download.value.save_as(saved)
    assert download.value.suggested_filename.endswith("-public-en.pdf")
    assert saved.read_bytes().startswith(b"%PDF")

    page.get_by_label("Language of the document").select_option("nl")
    page.get_by_role("button", name="Preview in the browser").click()
    expect(page.get_by_role("heading", level=2, name="4. Inbreng en reacties per stakeholder")) \
        .to_be_visible()
    assert page.locator(".document-preview").get_attribute("lang") == "nl"
    assert_accessible(page)
    page.set_viewport_size({"width": 360, "height": 740})
    page.reload()
    width = page.evaluate("() => [document.documentElement.scrollWidth, "
                          "document.documentElement.clientWidth]")
    assert width[0] <= width[1], width


def test_a_pdf_made_by_a_worker_shows_its_progress_then_the_download(
        site, page, app, tmp_path, workers):  # noqa: F811
    _log_in_as_staff(site, page, app)
    workers.start()
    site.open("/p/economische-agenda-2026-2030/export")
    page.get_by_label("PDF: ready to publish").check()
    page.get_by_role("button", name="Make the document").click()

    stage = page.locator("#export-job-stage")
    expect(stage).to_have_attribute("role", "status")
    # The script follows the job: the plain refresh link is for pages without script.
    expect(page.get_by_role("link", name="Refresh this page")).to_be_hidden()
    expect(stage).to_have_text("Laying out the pages…", timeout=120_000)
    page.wait_for_function(
        "() => document.getElementById('export-job-progress').value > 15")
    assert_accessible(page)
    download_link = page.get_by_role("link", name="Download the document")
    expect(download_link).to_be_visible(timeout=180_000)
    expect(stage).to_have_text("Ready: the document can be downloaded.")
    with page.expect_download(timeout=60_000) as download:
        download_link.click()
    saved = tmp_path / "doc.pdf"
    download.value.save_as(saved)
    assert download.value.suggested_filename.endswith("-public-en.pdf")
    assert saved.read_bytes().startswith(b"%PDF")
    assert "job " in workers.logs() and "claimed by" in workers.logs()
