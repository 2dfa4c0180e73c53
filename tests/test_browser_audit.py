"""The audit trail in headless Chromium: axe with the disclosures closed and open, in Dutch and
English, on a 320 px wide screen."""
from __future__ import annotations

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from participation.accounts.models import User
from participation.audit.services import record
from participation.core.extensions import db
from participation.processes.models import Process

from .browser import assert_accessible
from .test_audit import respond, trail  # noqa: F401  (the fixture)
from .test_browser import site  # noqa: F401  (the fixture)
from .factories import login

pytestmark = pytest.mark.browser

#: One word longer than a phone is wide, as people paste them (addresses, compound words).
LONG_WORD = "arbeidsmarktcommunicatieondersteuningsprogrammabegeleidingscommissie@example.nl"


def _overflow(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


def test_the_trail_passes_axe_and_fits_320_px_in_both_languages(site, page, app, client,  # noqa: F811
                                                                 trail):  # noqa: F811
    login(client, "mod@example.nl")
    respond(client, trail, f"Dank. Mail ons via {LONG_WORD}.", "publish")
    with app.app_context():
        moderator = db.session.scalar(sa.select(User).where(User.email == "mod@example.nl"))
        record("invitation.send", actor=moderator, target_type="invitation", target_id=1,
               process_id=db.session.scalar(sa.select(Process.id)),
               after={"email": LONG_WORD, "kind": "read_along"})
        db.session.commit()
    page.set_viewport_size({"width": 320, "height": 740})
    page.goto(site.url + "/account/login")
    page.get_by_label("E-mailadres").fill("mod@example.nl")
    page.get_by_label("Wachtwoord").fill("lange-wachtzin-42")
    page.get_by_role("button", name="Inloggen").click()

    site.open("/p/economie/audit")
    assert _overflow(page) <= 0
    events = page.locator("li.audit-event")
    expect(events).to_have_count(4)  # the invitation, publishing, writing, the draft
    writing = events.nth(2)
    expect(writing.locator(".audit-sentence")).to_contain_text("paragrafen 2.1, 2.2")
    details = writing.locator("details")
    expect(details.get_by_text("Paragrafen:")).to_be_hidden()
    details.locator("summary").click()
    expect(details.get_by_text("Paragrafen:")).to_be_visible()
    events.nth(0).locator("summary").click()
    assert_accessible(page)  # with two disclosures open
    assert _overflow(page) <= 0, "an open disclosure scrolls sideways"

    page.get_by_role("button", name="English").click()
    site.open("/audit?action=response")
    expect(page.locator("li.audit-event .audit-sentence").first).to_contain_text(
        "Marieke de Vries published the response to the contribution")
    page.locator("li.audit-event summary").first.click()
    assert_accessible(page)
    assert _overflow(page) <= 0
