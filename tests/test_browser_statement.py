"""The accessibility statement in headless Chromium, with axe: reached from the footer, in
Dutch and English, and readable at 320 pixels wide."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .browser import assert_accessible
from .test_browser import site  # noqa: F401  (the fixture)

pytestmark = pytest.mark.browser


def test_the_statement_is_reached_from_the_footer_and_passes_axe(site, page):  # noqa: F811
    site.open("/")
    page.locator('footer a[href="/toegankelijkheid"]').click()
    expect(page.locator("html")).to_have_attribute("lang", "nl")
    assert_accessible(page)
    page.get_by_role("button", name="English").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Accessibility statement")
    expect(page.get_by_role("table")).to_contain_text("Errors in the PDF")
    assert_accessible(page)
    page.set_viewport_size({"width": 320, "height": 640})
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    assert_accessible(page)
