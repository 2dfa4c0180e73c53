"""Round 2 in headless Chromium: from the invitation mail to a nested reply; axe on every page."""
from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from participation.comments.models import Comment
from participation.drafts.models import Section
from participation.core.extensions import db

from .browser import assert_accessible
from .factories import (login, make_comment, make_organisation, make_process, make_user,
                        open_feedback_round, publish_draft, submit)
from .test_browser import site  # noqa: F401  (the fixture)

pytestmark = pytest.mark.browser

AGENDA = """Inleiding van de agenda.

# Aanleiding

De economie verandert.

# Koers

Waar we heen willen.

# Ambities per thema

## Werklocaties

Ruimte voor bedrijven.

## Arbeidsmarkt

Meer stageplekken en bijscholing.

# Uitvoering

Het projectteam voert uit.
"""


@pytest.fixture
def invited_round(app):
    with app.app_context():
        process = make_process()
        open_feedback_round(process, audience="invited")
        moderator = make_user("mod@example.nl", role="moderator", name="Mod")
        anna = make_user("anna@example.nl", name="Anna", locale="en",
                         organisation=make_organisation("Drenthe College", "education", "mbo"))
        version = publish_draft(process, moderator, AGENDA)
        section = next(s for s in version.sections if s.number == "3.2")
        comment = make_comment(section, anna, "We need **more internships** in the region.")
        db.session.commit()
        return comment.id


def test_invitee_reads_comments_and_replies_by_keyboard(site, page, app, mailbox,  # noqa: F811
                                                         invited_round):
    moderator = app.test_client()
    login(moderator, "mod@example.nl")
    assert submit(moderator, "/p/economie/invitations", {
        "name": "Jeroen Smit", "email": "jeroen@bouwbedrijf.example", "organisation":
        "Smit Bouw", "kind": "read_along"}, page_url="/p/economie/invitations").status_code == 302
    mailbox.deliver()
    invitation = mailbox.only("jeroen@bouwbedrijf.example")
    assert invitation.subject.startswith("Uitnodiging")

    page.goto(invitation.link("/invite/").replace("http://localhost", site.url))
    assert_accessible(page)
    page.get_by_role("button", name="English").click()
    expect(page.get_by_label("Your name")).to_have_value("Jeroen Smit")
    page.get_by_label("Choose a password").fill("bouwen-aan-assen-2030")
    page.get_by_label("Repeat the password").fill("bouwen-aan-assen-2030")
    page.locator("#consent").check()
    page.get_by_role("button", name="Accept and go to the draft").click()
    expect(page).to_have_url(re.compile(r"/p/economie/draft$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Draft")
    assert_accessible(page)

    # The reading view counts the reactions of 3.2; its page shows the thread, then the form.
    page.get_by_role("link", name="Read the 1 reaction on section 3.2").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Arbeidsmarkt")
    expect(page.get_by_text("more internships")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Your reaction").fill("Bouwbedrijven zoeken ook **leerlingen**.")
    page.get_by_role("button", name="Place reaction").click()
    expect(page.get_by_role("status")).to_contain_text("placed")
    assert_accessible(page)

    # Reply to Anna's comment using only the keyboard.
    reply_link = page.get_by_role("link", name=re.compile("Reply to Drenthe College"))
    for _ in range(80):
        page.keyboard.press("Tab")
        if reply_link.evaluate("e => e === document.activeElement"):
            break
    expect(reply_link).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Reply to Drenthe College")
    assert_accessible(page)
    textarea = page.get_by_label("Your reaction")
    for _ in range(40):
        page.keyboard.press("Tab")
        if textarea.evaluate("e => e === document.activeElement"):
            break
    expect(textarea).to_be_focused()
    page.keyboard.type("Wij bieden tien stageplekken aan.")
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Place reply")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_contain_text("placed")

    # The reply sits under Anna's comment, one level deeper.
    anna = page.locator(f"#c-{invited_round}")
    nested = page.locator(f"li:has(> #c-{invited_round}) > ol.thread-replies > li.depth-1")
    expect(nested).to_contain_text("Wij bieden tien stageplekken aan.")
    expect(nested).to_contain_text("Smit Bouw")
    expect(anna).to_contain_text("more internships")
    assert_accessible(page)

    mailbox.deliver()
    mail = mailbox.only("anna@example.nl")
    assert mail.subject == "Someone replied to your comment"
    assert "Wij bieden tien stageplekken aan." in mail.text
    page.goto(mail.link("#c-").replace("http://localhost", site.url))
    expect(page.get_by_text("Wij bieden tien stageplekken aan.")).to_be_visible()
    with app.app_context():
        reply = db.session.scalar(sa.select(Comment).where(Comment.parent_id == invited_round))
        assert reply.organisation_name == "Smit Bouw" and reply.depth == 1
        assert db.session.get(Section, reply.section_id).number == "3.2"


def test_team_draft_and_invitation_pages_pass_axe(site, page, app, invited_round):  # noqa: F811
    page.goto(site.url + "/account/login")
    page.get_by_label("E-mailadres").fill("mod@example.nl")
    page.get_by_label("Wachtwoord").fill("lange-wachtzin-42")
    page.get_by_role("button", name="Inloggen").click()
    page.get_by_role("button", name="English").click()
    for path in ("/p/economie/invitations", "/p/economie/draft/upload",
                 "/p/economie/notifications", "/invite/ongeldig"):
        site.open(path)
    site.open("/p/economie/draft/upload")
    page.get_by_label("Or paste the draft as Markdown").fill(AGENDA.replace(
        "Meer stageplekken", "Veel meer stageplekken").replace(
        "## Arbeidsmarkt", "## Arbeidsmarkt en onderwijs"))
    page.get_by_role("button", name="Upload and preview").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Preview of version 2")
    # The renamed 3.2 is found by its text, and the preview says so beside the choice.
    choice = page.locator("section.preview-section").filter(
        has=page.get_by_role("heading", name="3.2 Arbeidsmarkt en onderwijs")).get_by_role(
        "combobox")
    expect(choice).to_have_accessible_description(
        "Matched by text: “3.2 Arbeidsmarkt” → “3.2 Arbeidsmarkt en onderwijs”")
    assert_accessible(page)
    # Left unmatched, its reaction would lose its section: checking the choices says so.
    choice.select_option("new")
    page.get_by_role("button", name="Check the choices").click()
    expect(page.get_by_role("note")).to_contain_text(
        "3.2 Arbeidsmarkt: 1 reaction would no longer belong to a section of this version")
    assert_accessible(page)
    choice.select_option(label="3.2 Arbeidsmarkt")
    page.get_by_role("button", name="Publish version 2").click()
    expect(page).to_have_url(re.compile(r"/p/economie/draft$"))
    page.locator("#s-3-2 ~ details.changes > summary").click()
    expect(page.locator("#s-3-2 ~ details.changes ins")).to_contain_text("Veel")
    assert_accessible(page)
