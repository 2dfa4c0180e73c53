"""Answering in headless Chromium, with axe: a response with two sections saved as a draft,
published and changed twice; the same for a comment; a moderator's answer in the thread."""
from __future__ import annotations

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from participation.core.extensions import db
from participation.moderation.models import Response, ResponseSection, TargetType

from .browser import assert_accessible
from .test_browser import site  # noqa: F401  (the fixture)
from .test_responses import _document, world  # noqa: F401  (the fixture)

pytestmark = pytest.mark.browser


def _log_in(page, site):  # noqa: F811
    page.goto(site.url + "/account/login")
    page.get_by_label("E-mailadres").fill("mod@example.nl")
    page.get_by_label("Wachtwoord").fill("lange-wachtzin-42")
    page.get_by_role("button", name="Inloggen").click()
    page.get_by_role("button", name="English").click()


@pytest.mark.parametrize("kind", ["contribution", "comment"])
def test_draft_publish_edit_edit_with_two_sections(site, page, app, world, kind):  # noqa: F811
    _log_in(page, site)
    site.open(f"/p/economie/moderation/{kind}/{world[kind]}")
    sections = page.get_by_label("Taken up in section(s) of the draft")
    steps = [("Save as draft", "adopted", "Adopted", "Eerste opzet.", ["2.1", "2.2"]),
             ("Publish response", "adopted", "Adopted", "Eerste opzet.", ["2.1", "2.2"]),
             ("Publish response", "partly", "Partly adopted", "Tweede versie.", ["2.1", "2.2"]),
             ("Publish response", "already", "Already in the draft", "Definitief.", ["2.2", "1"])]
    for button, _, label, text, numbers in steps:
        page.get_by_label(label, exact=True).check()
        page.get_by_label("Response", exact=True).fill(text)
        sections.select_option(label=[world["names"][n] for n in numbers])
        page.get_by_role("button", name=button).click()
        expect(page.get_by_role("status")).to_contain_text(
            "draft" if button == "Save as draft" else "published")
        # The team goes on to the next item without a published response (test_moderation_next).
        assert_accessible(page)
        # Back on the item, the page shows what was saved: the text and the sections chosen.
        site.open(f"/p/economie/moderation/{kind}/{world[kind]}")
        expect(page.get_by_label("Response", exact=True)).to_have_value(text)
        chosen = sections.evaluate("s => [...s.selectedOptions].map(o => o.textContent)")
        assert sorted(chosen) == sorted(world["names"][n] for n in numbers)
    with app.app_context():
        response = db.session.scalar(sa.select(Response).where(
            Response.target_type == TargetType(kind), Response.target_id == world[kind]))
        assert response.body_md == "Definitief." and response.published_at is not None
        assert sorted(db.session.scalars(sa.select(ResponseSection.lineage_id).where(
            ResponseSection.response_id == response.id))) == sorted(
            [world["lineages"]["2.2"], world["lineages"]["1"]])
    item = _document(app)[(kind, world[kind])]
    assert item.response_md == "Definitief." and item.disposition == "already"
    assert sorted(item.response_sections) == sorted([world["names"]["1"], world["names"]["2.2"]])


def test_a_moderator_answers_in_the_thread(site, page, app, world):  # noqa: F811
    _log_in(page, site)
    site.open("/p/economie/draft/s/2.2")
    page.get_by_role("link", name="Reply").first.click()
    assert_accessible(page)
    page.get_by_label("The municipality's response to this reaction").check()
    page.get_by_label("Your reaction").fill("Dit nemen we over in paragraaf 2.2.")
    page.get_by_role("button", name="Place reply").click()
    # No disposition chosen: the message is at the field and the text is still there.
    expect(page.get_by_role("alert")).to_be_visible()
    expect(page.get_by_label("Your reaction")).to_have_value("Dit nemen we over in paragraaf 2.2.")
    assert_accessible(page)
    page.get_by_label("Adopted", exact=True).check()
    page.get_by_role("button", name="Place reply").click()
    expect(page.get_by_role("status")).to_contain_text("municipality's response")
    expect(page.locator(".response-inline")).to_contain_text("Dit nemen we over in paragraaf 2.2.")
    assert_accessible(page)
    item = _document(app)[("comment", world["comment"])]
    assert item.disposition == "adopted"
