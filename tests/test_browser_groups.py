"""The groups of similar input in headless Chromium at 320 px, by keyboard, with axe and the Nu
HTML Checker on every page: open a group, rename it, split an item off, merge a group in,
give the group a code, and see it in the queue's filter."""
from __future__ import annotations

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from participation.analysis.models import AnalysisGroup, ItemCode
from participation.core.extensions import db

from .browser import assert_accessible, assert_no_sideways_scroll
from .test_browser import site  # noqa: F401  (the fixture)
from .test_groups_pages import groups_world  # noqa: F401  (the fixture)

pytestmark = pytest.mark.browser


def _log_in(page, site, email):  # noqa: F811
    """The login page in Dutch (a visitor's); the moderator reads the site in English."""
    page.goto(site.url + "/account/login")
    page.get_by_label("E-mailadres").fill(email)
    page.get_by_label("Wachtwoord").fill("lange-wachtzin-42")
    page.get_by_role("button", name="Inloggen").click()


def _checked(page) -> None:
    assert_accessible(page)
    assert_no_sideways_scroll(page)


def test_a_moderator_renames_splits_merges_and_codes_a_group_by_keyboard(
        site, page, app, groups_world):  # noqa: F811
    page.set_viewport_size({"width": 320, "height": 800})
    _log_in(page, site, "mod@example.nl")
    site.open("/p/economie/groups")
    _checked(page)
    page.get_by_role("link", name="bus, station", exact=True).focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("bus, station")
    _checked(page)
    name = page.get_by_label("Name of the group")
    name.focus()
    name.fill("Busverbinding station")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Busverbinding station")
    expect(page.get_by_role("status")).to_contain_text("the analysis keeps that name")
    _checked(page)
    # Split the last item off into a new group: tick it with Space.
    boxes = page.locator('input[name="items"]')
    expect(boxes).to_have_count(5)
    boxes.last.focus()
    page.keyboard.press("Space")
    page.get_by_label("Name of the new group").fill("Nachtbus")
    page.get_by_role("button", name="Make a new group of them").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_contain_text("1 item moved to “Nachtbus”")
    expect(page.locator('input[name="items"]')).to_have_count(4)
    # Merge the netcongestie group in.
    page.get_by_label("Add all items of the group").select_option(label="netcongestie")
    page.get_by_role("button", name="Merge into this group").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_contain_text("The groups are merged")
    expect(page.locator('input[name="items"]')).to_have_count(7)
    _checked(page)
    # A code for the whole group, made on the codes page.
    page.get_by_role("link", name="Manage the codes of this process").click()
    page.get_by_label("Code", exact=True).fill("mobiliteit")
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_contain_text("Code “mobiliteit” added")
    _checked(page)
    page.go_back()
    page.go_back()
    page.reload()
    page.get_by_label("Give every item of this group the code").select_option(label="mobiliteit")
    page.get_by_role("button", name="Give the code").click()
    expect(page.get_by_role("status")).to_contain_text("given to 7 more items")
    # The group's items in the queue, through its filter.
    page.get_by_role("link", name="These items in the moderation queue").click()
    expect(page.locator('input[name="items"]')).to_have_count(7)
    expect(page.get_by_label("Group")).to_have_value(str(groups_world["groups"]["bus, station"]))
    _checked(page)
    with app.app_context():
        group = db.session.get(AnalysisGroup, groups_world["groups"]["bus, station"])
        assert group.label == "Busverbinding station" and len(group.items) == 7
        assert db.session.scalar(sa.select(sa.func.count()).select_from(ItemCode)) == 7
    # The same pages in Dutch pass too.
    page.get_by_role("button", name="Nederlands").click()
    site.open("/p/economie/groups")
