"""The moderation queue by keyboard in headless Chromium, with axe: from the first item to the
bulk actions in a few Tab presses, "select all on this page", and after a response on to the
next item without one."""
from __future__ import annotations

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from participation.comments.models import Comment
from participation.contributions.models import Contribution
from participation.core.extensions import db
from participation.core.mixins import ModerationState

from .browser import assert_accessible
from .test_browser import site  # noqa: F401  (the fixture)
from .test_browser_moderation import _log_in
from .test_moderation import _bulk_items, team  # noqa: F401  (the fixture)

pytestmark = pytest.mark.browser


def _focused(page) -> str:
    return page.evaluate("(document.activeElement.getAttribute('aria-label') "
                         "|| document.activeElement.textContent).trim()")


def _tabs_until(page, name: str, most: int = 200) -> int:
    for presses in range(1, most + 1):
        page.keyboard.press("Tab")
        if _focused(page) == name:
            return presses
    pytest.fail(f"{name!r} not reached in {most} Tab presses")


def test_from_the_first_item_tab_reaches_approve_in_at_most_five_presses(
        site, page, app, team):  # noqa: F811
    _bulk_items(app, 40)  # a full page of 50 items: the case that took 101 presses
    _log_in(page, site, "mod@example.nl")
    site.open("/p/economie/moderation")
    boxes = page.locator('input[name="items"]')
    expect(boxes).to_have_count(50)
    boxes.first.focus()
    assert _tabs_until(page, "Approve") <= 5
    # Inside the list the arrow keys go from item to item; Space ticks.
    boxes.first.focus()
    page.keyboard.press("ArrowDown")
    expect(boxes.nth(1)).to_be_focused()
    page.keyboard.press("Space")
    expect(boxes.nth(1)).to_be_checked()
    expect(page.get_by_text("1 of 50 selected")).to_be_visible()
    page.keyboard.press("ArrowRight")
    expect(page.locator("table.queue a").nth(1)).to_be_focused()
    assert_accessible(page)


def test_select_all_by_keyboard_and_approve(site, page, app, team):  # noqa: F811
    _log_in(page, site, "mod@example.nl")
    site.open("/p/economie/moderation")
    page.get_by_role("button", name="Show", exact=True).focus()
    page.keyboard.press("Tab")  # into the list: its first stop is "select all"
    select_all = page.get_by_role("checkbox", name="Select all items on this page")
    expect(select_all).to_be_focused()
    page.keyboard.press("Space")
    expect(page.locator('input[name="items"]:checked')).to_have_count(30)
    expect(page.get_by_text("30 of 30 selected")).to_be_visible()
    assert_accessible(page)
    assert _tabs_until(page, "Approve") <= 5
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_contain_text("30 item(s) done")
    assert_accessible(page)
    with app.app_context():
        for model in (Contribution, Comment):
            assert db.session.scalar(sa.select(sa.func.count()).select_from(model).where(
                model.state == ModerationState.pending)) == 0


def test_after_a_response_the_next_unanswered_item_is_shown(site, page, app, team):  # noqa: F811
    with app.app_context():
        for model in (Contribution, Comment):
            db.session.execute(sa.update(model).values(state=ModerationState.published))
        db.session.commit()
    _log_in(page, site, "mod@example.nl")
    site.open("/p/economie/moderation?state=unanswered")
    page.get_by_role("link", name="Inbreng 00").click()
    page.get_by_label("Noted", exact=True).check()
    page.get_by_label("Response", exact=True).fill("Dank, dit nemen we mee.")
    page.get_by_role("button", name="Publish response").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Inbreng 01")
    expect(page.get_by_role("status")).to_contain_text("published")
    navigation = page.get_by_role("navigation", name="Answering one item after another")
    expect(navigation).to_contain_text("This is the next item without a published response.")
    assert_accessible(page)
    navigation.get_by_role("link", name="Back to the item you just answered").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Inbreng 00")
    expect(page.get_by_label("Response", exact=True)).to_have_value("Dank, dit nemen we mee.")
    page.go_back()
    navigation.get_by_role("link", name="Back to the list").click()
    expect(page.get_by_role("heading", level=2)).to_contain_text("29 items")
