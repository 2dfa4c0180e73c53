"""The dashboard in headless Chromium: axe at desktop width and on a 360px phone, where the
page must not scroll sideways."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .browser import assert_accessible
from .test_browser import site  # noqa: F401  (the fixture)
from .test_dashboard import build_known_data

pytestmark = pytest.mark.browser

DASHBOARDS = ("/p/economie/dashboard", "/p/economische-agenda-2026-2030/dashboard")


def _no_sideways_scroll(page) -> None:
    overflow = page.evaluate("""() => {
        const root = document.documentElement;
        const wide = Array.from(document.querySelectorAll('main svg'))
            .filter(svg => svg.getBoundingClientRect().right > root.clientWidth + 0.5).length;
        return {scroll: root.scrollWidth, client: root.clientWidth, wideCharts: wide};
    }""")
    assert overflow["scroll"] <= overflow["client"], overflow
    assert overflow["wideCharts"] == 0, overflow


def test_dashboard_passes_axe_on_desktop_and_phone(site, page, app):  # noqa: F811
    assert app.test_cli_runner().invoke(args=["demo"]).exit_code == 0
    with app.app_context():
        build_known_data()  # its team member reads English

    site.open("/")
    page.get_by_role("button", name="English").click()
    page.get_by_role("navigation").get_by_role("link", name="Log in").click()
    page.get_by_label("E-mail address").fill("team@example.nl")
    page.get_by_label("Password").fill("lange-wachtzin-42")
    page.get_by_role("button", name="Log in").click()

    site.open("/p/economie")
    page.get_by_role("link", name="Dashboard").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Dashboard")
    expect(page.get_by_role("img", name="Contributions per theme")).to_be_visible()
    expect(page.get_by_role("table", name="Table: Contributions per theme")).to_be_visible()
    assert_accessible(page)

    for path in DASHBOARDS:
        page.set_viewport_size({"width": 1280, "height": 800})
        site.open(path)
        _no_sideways_scroll(page)
        page.set_viewport_size({"width": 360, "height": 740})
        site.open(path)
        expect(page.get_by_role("img", name="Responses of the municipality")).to_be_visible()
        _no_sideways_scroll(page)
