"""The team's moderation pages in headless Chromium, with axe; a participant's report."""
from __future__ import annotations

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from participation.contributions.models import Contribution
from participation.core.extensions import db

from .browser import assert_accessible
from .test_browser import site  # noqa: F401  (the fixture)
from .test_moderation import team  # noqa: F401  (the fixture)

pytestmark = pytest.mark.browser


def _log_in(page, site, email):  # noqa: F811
    page.goto(site.url + "/account/login")
    page.get_by_label("E-mailadres").fill(email)
    page.get_by_label("Wachtwoord").fill("lange-wachtzin-42")
    page.get_by_role("button", name="Inloggen").click()
    page.get_by_role("button", name="English").click()


def test_queue_bulk_item_response_and_audit_pass_axe(site, page, app, team):  # noqa: F811
    _log_in(page, site, "mod@example.nl")
    site.open("/p/economie/moderation")
    page.locator('input[name="items"]').nth(0).check()
    page.locator('input[name="items"]').nth(1).check()
    page.get_by_role("button", name="Approve").click()
    expect(page.get_by_role("status")).to_contain_text("2 item(s) done")
    assert_accessible(page)
    page.locator("table.queue a").first.click()
    assert_accessible(page)
    page.get_by_role("button", name="Reject").click()  # without a reason
    expect(page.get_by_role("alert")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Partly adopted").check()
    page.get_by_label("Response", exact=True).fill("We nemen dit deels mee in paragraaf 2.2.")
    page.get_by_label("Taken up in section(s) of the draft").select_option(index=3)
    page.get_by_role("button", name="Publish response").click()
    expect(page.get_by_role("status")).to_contain_text("published")
    assert_accessible(page)
    for path in ("/p/economie/moderation?state=unanswered", "/p/economie/moderation/templates",
                 "/p/economie/audit", "/audit", "/p/economie/export"):
        site.open(path)
    with app.app_context():
        answered = db.session.scalar(sa.select(Contribution).where(
            Contribution.state == "published").order_by(Contribution.id))
        assert answered is not None


def test_participant_reports_and_sees_my_contributions(site, page, app, team):  # noqa: F811
    from participation.accounts.models import User

    with app.app_context():
        firm = db.session.scalar(sa.select(User).where(User.email == "firma@example.nl"))
        item = db.session.scalar(sa.select(Contribution).where(
            Contribution.author_id == firm.id).order_by(Contribution.id))
        item.state = "published"
        db.session.commit()
        item_id = item.id
    _log_in(page, site, "school@example.nl")
    site.open(f"/p/economie/input/{item_id}")
    page.get_by_role("link", name="Report to the project team").click()
    assert_accessible(page)
    page.get_by_role("button", name="Send report").click()  # no reason chosen
    expect(page.get_by_role("alert")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Advertising or spam").check()
    page.get_by_role("button", name="Send report").click()
    expect(page.get_by_role("status")).to_contain_text("look at it")
    site.open("/account/contributions")
    expect(page.get_by_role("heading", level=1)).to_have_text("My contributions")
    expect(page.get_by_text("Inbreng 00")).to_be_visible()
