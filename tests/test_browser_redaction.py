"""The team agrees to a redaction in headless Chromium, with axe and the HTML checker."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from participation.core.extensions import db

from .browser import assert_accessible
from .factories import make_contribution, make_process, make_user
from .test_browser import site  # noqa: F401  (the fixture)

pytestmark = pytest.mark.browser


def test_the_team_unticks_one_finding_agrees_and_the_public_reads_the_rest_redacted(
        site, page, app):  # noqa: F811
    with app.app_context():
        process = make_process(moderation="pre")
        make_user("mod@example.nl", role="moderator", name="Mod")
        anna = make_user("anna@example.nl", name="Anna")
        item = make_contribution(process, process.themes[0], anna, title="Parkeren",
                                 body="Ik ben Karin Smit, bel 06-12345678. Het Van der Valk "
                                      "hotel parkeert op de Kerkstraat.", state="pending")
        db.session.commit()
        item_id = item.id
    page.set_viewport_size({"width": 320, "height": 800})
    page.goto(site.url + "/account/login")
    page.get_by_label("E-mailadres").fill("mod@example.nl")
    page.get_by_label("Wachtwoord").fill("lange-wachtzin-42")
    page.get_by_role("button", name="Inloggen").click()
    page.get_by_role("button", name="English").click()
    site.open(f"/p/economie/moderation/contribution/{item_id}")
    colleague = page.context.new_page()  # the same page, opened before the decision
    colleague.goto(f"{site.url}/p/economie/moderation/contribution/{item_id}")
    findings = page.get_by_role("region", name="Personal data in this text")
    expect(findings.get_by_label("Karin Smit")).to_be_checked()
    findings.get_by_label("06-12345678").press("Space")  # keyboard: the phone stays
    findings.get_by_role("button", name="Publish with the ticked findings replaced").click()
    expect(page.get_by_role("status")).to_contain_text("decision on personal data")
    assert_accessible(page)
    colleague.get_by_role("button", name="Publish with the ticked findings replaced").click()
    expect(colleague.get_by_role("alert")).to_contain_text("Someone else decided")
    assert_accessible(colleague)
    colleague.close()
    page.get_by_role("button", name="Approve").click()
    expect(page.get_by_role("status")).to_contain_text("Done")
    site.open(f"/p/economie/input/{item_id}")
    text = page.locator(".prose").first
    expect(text).to_contain_text("Ik ben [naam], bel 06-12345678. Het Van der Valk hotel")
    expect(text).not_to_contain_text("Karin Smit")
