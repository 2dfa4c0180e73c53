"""Logging in through a real OpenID Provider (tests/oidc) in headless Chromium: the first login
makes the account, logging out ends the provider's session too, the second login finds the
same account; each failure gets a clear page of ours and makes nothing. axe on our pages."""
from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from participation.accounts.models import User
from participation.core.extensions import db
from participation.oidc.models import Identity

from .browser import LiveServer, assert_accessible
from .conftest import free_port
from .conftest import test_config as base_config
from .oidc_provider import CLIENT_ID, PASSWORD, claims_of, start_site, stop_site

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def site(app, database_url, smtp_server):
    site = start_site(database_url, smtp_server.port)
    yield site
    stop_site(site)


@pytest.fixture
def provider(site):
    site.provider.id_token_mode("normal")
    site.provider.accounts(anna=claims_of("anna"))
    yield site.provider
    site.provider.id_token_mode("normal")


def counts(app) -> tuple[int, int]:
    with app.app_context():
        return (db.session.scalar(sa.select(sa.func.count(User.id))),
                db.session.scalar(sa.select(sa.func.count(Identity.id))))


def open_login(page, url: str) -> None:
    page.set_default_timeout(20_000)
    page.goto(url + "/account/login")
    if page.get_by_role("button", name="English").count():
        page.get_by_role("button", name="English").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Log in")


def log_in_at_provider(page, username: str = "anna") -> None:
    expect(page.get_by_role("heading", level=1)).to_have_text("Log in at the test provider")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in at the provider").click()


def expect_problem(page, text: str) -> None:
    expect(page.get_by_role("heading", level=1)).to_have_text("You have not been logged in")
    expect(page.get_by_role("alert")).to_contain_text(text)
    assert_accessible(page)


def test_first_login_makes_the_account_logout_ends_both_and_the_second_finds_it(site, provider,
                                                                               page):
    open_login(page, site.url)
    assert_accessible(page)
    page.get_by_role("button", name="Log in with Test-ID").click()
    log_in_at_provider(page)
    expect(page.get_by_role("status")).to_contain_text(
        "Welcome! Your account has been made with your name and e-mail address from Test-ID.")
    assert_accessible(page)
    assert counts(site.app) == (1, 1)

    page.get_by_role("link", name="My account").click()
    expect(page.get_by_text("anna@example.nl")).to_be_visible()
    expect(page.get_by_role("listitem").filter(has_text=re.compile(r"^Test-ID$"))).to_be_visible()
    assert_accessible(page)

    # Logging out here sends the browser to the provider, which asks, logs out and sends it
    # back to the home page.
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Log out at the provider?")
    page.get_by_role("button", name="Yes, log me out").click()
    page.wait_for_url(re.compile(re.escape(site.url) + r"/(\?state=[^&]+)?$"))
    expect(page.get_by_role("status")).to_contain_text("You are logged out")
    expect(page.get_by_role("button", name="Log out")).to_have_count(0)

    # The provider's session ended too: it asks for the password again.
    open_login(page, site.url)
    page.get_by_role("button", name="Log in with Test-ID").click()
    log_in_at_provider(page)
    expect(page.get_by_role("status")).to_contain_text("You are logged in.")
    assert counts(site.app) == (1, 1)
    page.get_by_role("link", name="My account").click()
    expect(page.get_by_text("anna@example.nl")).to_be_visible()


def record_callbacks(page) -> list[str]:
    """The provider's answers (callback URLs) this page is sent to, as they happen."""
    callbacks: list[str] = []
    page.on("request", lambda request: callbacks.append(request.url)
            if "/account/oidc/test/callback?" in request.url else None)
    return callbacks


def test_an_answer_in_another_browser_gets_a_clear_page(site, provider, page, browser):
    """Someone's answer (its state) opened in a browser that began a login of its own: the
    state is not that browser's, so nobody is logged in there (login CSRF)."""
    callbacks = record_callbacks(page)
    open_login(page, site.url)
    page.get_by_role("button", name="Log in with Test-ID").click()
    log_in_at_provider(page)
    expect(page.get_by_role("status")).to_contain_text("Welcome!")

    other = browser.new_context()
    try:
        victim = other.new_page()
        open_login(victim, site.url)
        victim.get_by_role("button", name="Log in with Test-ID").click()
        expect(victim.get_by_role("heading", level=1)).to_have_text("Log in at the test provider")
        victim.goto(re.sub(r"state=[^&]+", "state=not-this-browsers", callbacks[0]))
        expect_problem(victim, "does not belong to a login started in this browser")
        victim.goto(callbacks[0])
        expect_problem(victim, "does not belong to a login started in this browser")
        expect(victim.get_by_role("button", name="Log out")).to_have_count(0)
    finally:
        other.close()
    assert counts(site.app) == (1, 1)


def test_an_answer_used_again_gets_a_clear_page(site, provider, page):
    callbacks = record_callbacks(page)
    open_login(page, site.url)
    page.get_by_role("button", name="Log in with Test-ID").click()
    log_in_at_provider(page)
    expect(page.get_by_role("status")).to_contain_text("Welcome!")
    page.goto(callbacks[0])
    expect_problem(page, "or it has been used already")
    assert counts(site.app) == (1, 1)


@pytest.mark.parametrize("mode", ["expired", "tampered", "wrong_audience", "wrong_issuer"])
def test_a_bad_id_token_gets_a_clear_page_and_makes_nothing(site, provider, page, mode):
    provider.id_token_mode(mode)
    open_login(page, site.url)
    page.get_by_role("button", name="Log in with Test-ID").click()
    log_in_at_provider(page)
    expect_problem(page, "did not pass this site's security checks")
    assert counts(site.app) == (0, 0)
    expect(page.get_by_role("button", name="Log out")).to_have_count(0)


@pytest.fixture
def site_without_provider(app, database_url, smtp_server):
    """The site configured for a provider that is down (nothing listens at its issuer)."""
    from participation import create_app

    down = create_app({**base_config(database_url, smtp_server.port), "OIDC_PROVIDERS": [
        {"name": "test", "label": "Test-ID", "issuer": f"http://localhost:{free_port()}",
         "client_id": CLIENT_ID, "client_secret": "secret"}]})
    server = LiveServer(down)
    server.start()
    yield down, server
    server.stop()
    with down.app_context():
        db.session.remove()
        db.engine.dispose()


def test_a_provider_that_is_down_gets_a_clear_page_and_makes_nothing(site_without_provider,
                                                                     page):
    down, server = site_without_provider
    open_login(page, server.url)
    page.get_by_role("button", name="Log in with Test-ID").click()
    expect_problem(page, "Test-ID could not be reached just now")
    assert counts(down) == (0, 0)
    page.get_by_role("link", name="Back to the login page").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Log in")
