"""An edit from another tab, in headless Chromium with axe: the second tab's save comes back with
its own text in the form, the first tab's text beside it and the message in the error summary;
readable at 320 px; sent again, it is saved."""
from __future__ import annotations

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from participation.contributions.models import Contribution, ContributionRevision
from participation.core.extensions import db

from .browser import assert_accessible
from .test_browser import site  # noqa: F401  (the fixture)
from .test_concurrent_edits import world  # noqa: F401  (the fixture)

pytestmark = pytest.mark.browser


def test_a_save_from_another_tab_shows_both_texts_and_can_be_sent_again(site, page, app,  # noqa: F811
                                                                       world):  # noqa: F811
    page.goto(site.url + "/account/login")
    page.get_by_label("E-mailadres").fill("anna@example.nl")
    page.get_by_label("Wachtwoord").fill("lange-wachtzin-42")
    page.get_by_role("button", name="Inloggen").click()
    url = f"/p/economie/input/{world['contribution']}/edit"
    first = site.open(url)
    second = page.context.new_page()  # a second tab, the same session
    second.goto(site.url + url)

    first.get_by_label("Your input").fill("Tekst uit het eerste tabblad.")
    first.get_by_role("button", name="Save changes").click()
    expect(first.get_by_role("status")).to_contain_text("Your changes have been saved.")

    second.get_by_label("Your input").fill("Tekst uit het tweede tabblad.")
    second.get_by_role("button", name="Save changes").click()
    expect(second.get_by_role("alert")).to_contain_text(
        "Someone else (or you, in another tab) saved a change here")
    saved = second.get_by_role("region", name="Saved meanwhile by someone else (or in another tab)")
    expect(saved).to_contain_text("Tekst uit het eerste tabblad.")
    expect(second.get_by_label("Your input")).to_have_value("Tekst uit het tweede tabblad.")
    assert_accessible(second)
    second.set_viewport_size({"width": 320, "height": 800})
    assert second.evaluate("document.documentElement.scrollWidth") <= 320
    assert_accessible(second)

    second.get_by_role("button", name="Save changes").click()
    expect(second.get_by_role("status")).to_contain_text("Your changes have been saved.")
    with app.app_context():
        item = db.session.get(Contribution, world["contribution"])
        assert item.body_md == "Tekst uit het tweede tabblad."
        assert "Tekst uit het eerste tabblad." in db.session.scalars(
            sa.select(ContributionRevision.body_md)).all()
