"""Round 1 in headless Chromium: a new stakeholder gives input with a PDF; axe on every new page."""
from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from participation.contributions.models import Contribution
from participation.core.extensions import db

from .browser import assert_accessible
from .factories import login, make_user, pdf_bytes, verify_membership
from .test_browser import site  # noqa: F401  (the fixture)

pytestmark = pytest.mark.browser

PASSWORD = "binnenstad-ondernemer-9"
SMALL = "/p/levendige-binnenstad"


def test_new_stakeholder_gives_input_on_two_themes_edits_and_finds_it(site, page, app,  # noqa: F811
                                                                       mailbox, tmp_path):
    assert app.test_cli_runner().invoke(args=["demo"]).exit_code == 0
    paper = tmp_path / "visie-binnenstad.pdf"
    paper.write_bytes(pdf_bytes(3))

    site.open("/")
    page.get_by_role("button", name="English").click()
    page.get_by_role("navigation").get_by_role("link", name="Register").click()
    page.get_by_label("Your name").fill("Sanne de Wit")
    page.get_by_label("E-mail address").fill("sanne@koffiebar.example")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Repeat the password").fill(PASSWORD)
    page.get_by_label("for an organisation that is not registered yet").check()
    page.get_by_label("Name of the organisation").fill("Koffiebar De Brink")
    page.get_by_label("Business", exact=True).check()
    page.get_by_label("Sector").fill("horeca")
    page.get_by_label("Your role or function in the organisation").fill("owner")
    page.locator("#consent").check()
    page.get_by_role("button", name="Register").click()
    mailbox.deliver()
    page.goto(mailbox.only("sanne@koffiebar.example").link("/account/confirm/").replace(
        "http://localhost", site.url))
    # The project team confirms the new organisation (tests/test_organisations.py does it
    # through the pages): from then on the input is listed under it.
    with app.app_context():
        from participation.accounts.models import User

        verify_membership(db.session.scalar(sa.select(User).where(
            User.email == "sanne@koffiebar.example")))
    page.get_by_label("E-mail address").fill("sanne@koffiebar.example")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()

    # The home page lists the processes; the small one is open for input.
    site.open("/")
    page.get_by_role("link", name="Levendige binnenstad Assen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Levendige binnenstad Assen")
    assert_accessible(page)
    themes = page.evaluate("""() => Array.from(document.querySelectorAll('main ul li strong'))
                                      .map(e => e.textContent)""")
    first_theme, second_theme = themes[0], themes[1]

    for theme, title in ((first_theme, "Terrassen tot later open"),
                         (second_theme, "Een vaste plek voor de weekmarkt")):
        page.get_by_role("link", name="Give your input").first.click()
        assert_accessible(page)
        page.get_by_label("Theme").select_option(label=theme)
        page.get_by_label("Title").fill(title)
        page.get_by_label("Your input").fill(
            f"Wij stellen voor: *{title.lower()}*.\n\n- punt een\n- punt twee")
        page.get_by_label("Position paper (PDF, optional)").set_input_files(str(paper))
        page.get_by_role("button", name="Send your input").click()
        expect(page.get_by_role("heading", level=1)).to_have_text(title)
        expect(page.get_by_role("status")).to_contain_text("published")
        expect(page.get_by_text("Koffiebar De Brink").first).to_be_visible()
        expect(page.get_by_role("link", name=re.compile("visie-binnenstad.pdf"))).to_be_visible()
        assert_accessible(page)
        page.get_by_role("link", name="Levendige binnenstad Assen").click()

    # Change the first one.
    page.goto(site.url + SMALL + "/input")
    assert_accessible(page)
    page.locator(".own").get_by_role("link", name="Terrassen tot later open").click()
    page.get_by_role("link", name="Change").click()
    assert_accessible(page)
    page.get_by_label("Title").fill("Terrassen tot middernacht open")
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Terrassen tot middernacht open")
    page.get_by_text("Earlier versions").click()
    expect(page.locator(".history").get_by_text("Terrassen tot later open", exact=True)).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Withdraw").click()
    assert_accessible(page)  # the confirmation page; we do not withdraw
    page.get_by_role("link", name="No, go back").click()

    # Find it in the list, filtered by theme.
    page.goto(site.url + SMALL + "/input")
    page.get_by_label("Theme", exact=True).select_option(label=first_theme)
    page.get_by_role("button", name="Show").click()
    results = page.locator(".list")
    expect(results.get_by_role("link", name="Terrassen tot middernacht open")).to_be_visible()
    expect(results.get_by_role("link", name="Een vaste plek voor de weekmarkt")).to_have_count(0)
    assert_accessible(page)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Contribution.id)).where(
            Contribution.organisation_name == "Koffiebar De Brink")) == 2


def test_team_pages_pass_axe(site, page, app):  # noqa: F811
    assert app.test_cli_runner().invoke(args=["demo"]).exit_code == 0
    with app.app_context():
        make_user("mod@example.nl", role="moderator", locale="en")
    client = app.test_client()
    login(client, "mod@example.nl")
    page.goto(site.url + "/account/login")
    page.get_by_label("E-mailadres").fill("mod@example.nl")
    page.get_by_label("Wachtwoord").fill("lange-wachtzin-42")
    page.get_by_role("button", name="Inloggen").click()
    for path in ("/p/economische-agenda-2026-2030", "/p/economische-agenda-2026-2030/input",
                 "/p/economische-agenda-2026-2030/themes",
                 "/p/economische-agenda-2026-2030/themes/new",
                 "/p/economische-agenda-2026-2030/input/offline"):
        site.open(path)
    page.get_by_role("button", name="Record input").click()
    expect(page.get_by_role("alert")).to_be_visible()
    assert_accessible(page)
    site.open("/p/economische-agenda-2026-2030/themes")
    page.get_by_role("button", name=re.compile("Stop new input")).first.click()
    expect(page.get_by_role("status")).to_be_visible()
    assert_accessible(page)
    site.open("/p/economische-agenda-2026-2030/input/1")
