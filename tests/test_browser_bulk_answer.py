"""A moderator answers a group of 40 items in one step in headless Chromium (keyboard from the
queue to the button, axe and the Nu HTML Checker on every page, 320 px wide), then changes one
of them on its own: the other 39 keep the shared answer."""
from __future__ import annotations

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from participation.analysis.models import AnalysisGroup, AnalysisGroupItem
from participation.contributions.models import Contribution
from participation.core.extensions import db
from participation.moderation.models import Disposition, Response, TargetType
from participation.processes.models import Process, RoundKind

from .browser import assert_accessible, assert_no_sideways_scroll
from .test_browser import site  # noqa: F401  (the fixture)
from .test_browser_queue import _tabs_until
from .test_bulk_answer import world  # noqa: F401  (the fixture)

pytestmark = pytest.mark.browser

SHARED = "Wij bespreken extra netcapaciteit met Enexis en melden het resultaat in de agenda."


@pytest.fixture
def group(app, world):  # noqa: F811
    """40 of the 45 contributions in one group of the analysis."""
    with app.app_context():
        process = db.session.scalar(sa.select(Process))
        ids = list(db.session.scalars(sa.select(Contribution.id).order_by(Contribution.id)
                                      .limit(40)))
        found = AnalysisGroup(process_id=process.id, round_kind=RoundKind.input,
                              label="Netcongestie", key_phrases=["netcongestie", "stroom"])
        found.items = [AnalysisGroupItem(item_kind=TargetType.contribution, item_id=i)
                       for i in ids]
        db.session.add(found)
        db.session.commit()
        return {"id": found.id, "items": ids}


def test_a_group_of_40_answered_in_one_step_then_one_changed_on_its_own(
        site, page, app, group):  # noqa: F811
    page.goto(site.url + "/account/login")
    page.get_by_label("E-mailadres").fill("mod@example.nl")
    page.get_by_label("Wachtwoord").fill("lange-wachtzin-42")
    page.get_by_role("button", name="Inloggen").click()
    site.open(f"/p/economie/moderation?state=all&group={group['id']}")
    expect(page.get_by_role("heading", level=2)).to_contain_text("40 items")
    # From the list, the button is a few Tab presses away, as the other bulk actions are.
    page.locator('input[name="items"]').first.focus()
    assert _tabs_until(page, "Answer all 40 items of this list") <= 3
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", level=1)).to_have_text("One response for 40 items")
    assert_accessible(page)
    expect(page.get_by_role("table", name="The items this response goes to")
           .locator("tbody tr")).to_have_count(40)
    page.get_by_label("Partly adopted", exact=True).check()
    page.get_by_label("Response", exact=True).fill(SHARED)
    page.get_by_label("Taken up in section(s) of the draft").select_option(index=1)
    page.set_viewport_size({"width": 320, "height": 800})
    assert_no_sideways_scroll(page)
    page.get_by_role("button", name="Publish for all").click()
    expect(page.get_by_role("status")).to_contain_text(
        "The response has been published for 40 items; each author gets an e-mail.")
    assert_accessible(page)
    page.set_viewport_size({"width": 1280, "height": 800})

    # One of them, on its own page, gets an answer of its own.
    one = group["items"][12]
    site.open(f"/p/economie/moderation/contribution/{one}")
    expect(page.get_by_label("Response", exact=True)).to_have_value(SHARED)
    page.get_by_label("Adopted", exact=True).check()
    page.get_by_label("Response", exact=True).fill("Dit nemen we letterlijk over.")
    page.get_by_role("button", name="Publish response").click()
    expect(page.get_by_role("status")).to_contain_text("published")
    with app.app_context():
        responses = {r.target_id: r for r in db.session.scalars(sa.select(Response))}
    assert sorted(responses) == sorted(group["items"])
    assert responses[one].body_md == "Dit nemen we letterlijk over."
    assert responses[one].disposition is Disposition.adopted
    others = [r for i, r in responses.items() if i != one]
    assert len(others) == 39
    assert {(r.body_md, r.disposition, r.published_at is not None) for r in others} == {
        (SHARED, Disposition.partly, True)}
