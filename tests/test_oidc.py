"""OpenID Connect login against a real provider (tests/oidc: the certified oidc-provider on
127.0.0.1), at the HTTP level: the site's test client is the person's browser on our side, a
requests session their browser at the provider. What each case shows and stores."""
from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
import sqlalchemy as sa

from participation.accounts.models import DecisionBasis, Membership, User, VerificationState
from participation.core.extensions import db
from participation.oidc.models import Identity

from .conftest import free_port
from .conftest import test_config as base_config
from .factories import csrf_token, make_organisation, make_user
from .oidc_provider import CLIENT_ID, PASSWORD, claims_of, start_site, stop_site

CALLBACK = "http://localhost/account/oidc/test/callback"


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


def english(client):
    with client.session_transaction() as session:
        session["locale"] = "en"
    return client


@pytest.fixture
def browser_here(site):
    return english(site.app.test_client())


def press_login_button(client, name: str = "test", from_page: str = "/account/login"):
    """The button for the provider (on the login page; on the profile: "Link"): the redirect
    to the provider's login."""
    page = client.get(from_page)
    answer = client.post(f"/account/oidc/{name}/login", data={"csrf_token": csrf_token(page.text)})
    return answer


def log_in_at_provider(authorization_url: str, username: str = "anna") -> str:
    """What the person does at the provider: its login page, then back. The callback URL the
    provider sends the browser to (not followed)."""
    at_provider = requests.Session()
    url, answer = authorization_url, None
    for _ in range(12):
        answer = at_provider.get(url, allow_redirects=False, timeout=30)
        if answer.status_code == 200 and 'name="password"' in answer.text:
            form_url = re.search(r'action="([^"]+)"', answer.text).group(1)
            answer = at_provider.post(requests.compat.urljoin(url, form_url),
                                      data={"login": username, "password": PASSWORD},
                                      allow_redirects=False, timeout=30)
        assert answer.status_code in (302, 303), (answer.status_code, answer.text[:500])
        url = requests.compat.urljoin(url, answer.headers["Location"])
        if url.startswith(CALLBACK):
            return url
    raise AssertionError(f"the provider never sent the browser back: {url}")


def callback_path(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


def full_login(client, username: str = "anna", from_page: str = "/account/login"):
    start = press_login_button(client, from_page=from_page)
    assert start.status_code == 302, start.text
    return client.get(callback_path(log_in_at_provider(start.headers["Location"], username)),
                      follow_redirects=True)


def counts(app) -> tuple[int, int]:
    with app.app_context():
        return (db.session.scalar(sa.select(sa.func.count(User.id))),
                db.session.scalar(sa.select(sa.func.count(Identity.id))))


def logged_in_as(client) -> str | None:
    page = client.get("/account/").text
    match = re.search(r"<dt>E-mail address</dt><dd>([^<]+)</dd>", page)
    return match.group(1) if match else None


# --- the way in ---------------------------------------------------------------------------

def test_the_button_sends_the_browser_to_the_provider_with_pkce_state_and_nonce(site, provider,
                                                                                 browser_here):
    answer = press_login_button(browser_here)
    assert answer.status_code == 302
    location = urlsplit(answer.headers["Location"])
    query = parse_qs(location.query)
    assert f"{location.scheme}://{location.netloc}" == provider.issuer
    assert query["client_id"] == [CLIENT_ID]
    assert query["response_type"] == ["code"]
    assert query["redirect_uri"] == [CALLBACK]
    assert query["code_challenge_method"] == ["S256"]
    assert len(query["code_challenge"][0]) == 43  # base64url of a SHA-256
    assert query["state"][0] and query["nonce"][0]
    assert set(query["scope"][0].split()) == {"openid", "email", "profile", "kvk"}
    # The login page allows its form to go on to the provider (Chromium checks redirects).
    csp = browser_here.get("/account/login").headers["Content-Security-Policy"]
    assert f"form-action 'self' {provider.issuer};" in csp


def test_the_button_needs_a_csrf_token(site, provider, browser_here):
    assert browser_here.post("/account/oidc/test/login").status_code == 400


def test_first_login_makes_the_account_and_the_second_finds_it(site, provider, browser_here):
    page = full_login(browser_here)
    assert "Welcome! Your account has been made with your name and e-mail address from " \
           "Test-ID. You are logged in." in page.text
    assert logged_in_as(browser_here) == "anna@example.nl"
    with site.app.app_context():
        user = db.session.scalar(sa.select(User))
        assert (user.email, user.name, user.is_confirmed) == ("anna@example.nl", "Anna de Vries",
                                                              True)
        identity = db.session.scalar(sa.select(Identity))
        assert (identity.provider, identity.subject, identity.user_id) == ("test", "anna", user.id)
        first_id = user.id

    again = english(site.app.test_client())
    page = full_login(again)
    assert "You are logged in." in page.text
    assert logged_in_as(again) == "anna@example.nl"
    assert counts(site.app) == (1, 1)
    with site.app.app_context():
        assert db.session.scalar(sa.select(User.id)) == first_id


def test_the_bsn_the_provider_sends_is_stored_nowhere(site, provider, browser_here):
    full_login(browser_here)
    with site.app.app_context(), db.engine.connect() as conn:
        for table in db.metadata.sorted_tables:
            for row in conn.execute(table.select()):
                assert "999990019" not in repr(tuple(row)), table.name


# --- answers that must not log anyone in --------------------------------------------------

def test_a_changed_state_logs_nobody_in(site, provider, browser_here):
    start = press_login_button(browser_here)
    url = log_in_at_provider(start.headers["Location"])
    changed = re.sub(r"state=[^&]+", "state=someone-elses-state", url)
    page = browser_here.get(callback_path(changed))
    assert page.status_code == 400
    assert "does not belong to a login started in this browser" in page.text
    assert counts(site.app) == (0, 0)
    assert logged_in_as(browser_here) is None


def test_an_answer_sent_to_another_browser_logs_nobody_in(site, provider, browser_here):
    """Login CSRF: someone's callback URL opened in another's browser has no state there."""
    start = press_login_button(browser_here)
    url = log_in_at_provider(start.headers["Location"])
    victim = english(site.app.test_client())
    page = victim.get(callback_path(url))
    assert page.status_code == 400
    assert "does not belong to a login started in this browser" in page.text
    assert counts(site.app) == (0, 0)
    assert logged_in_as(victim) is None


def test_a_replayed_code_is_refused_by_the_provider_and_logs_nobody_in(site, provider,
                                                                       browser_here):
    start = press_login_button(browser_here)
    url = log_in_at_provider(start.headers["Location"])
    # The session as it was, state and PKCE verifier in it: a copy in another browser.
    session_cookie = browser_here.get_cookie("session").value
    assert browser_here.get(callback_path(url)).status_code == 302
    assert logged_in_as(browser_here) == "anna@example.nl"

    replaying = english(site.app.test_client())
    replaying.set_cookie("session", session_cookie, domain="localhost")
    page = replaying.get(callback_path(url))
    assert page.status_code == 400
    assert "This login at Test-ID has been used already or has expired." in page.text
    assert logged_in_as(replaying) is None
    assert counts(site.app) == (1, 1)


@pytest.mark.parametrize("mode", ["expired", "tampered", "wrong_key", "wrong_audience",
                                  "wrong_issuer", "wrong_nonce"])
def test_a_bad_id_token_logs_nobody_in_and_makes_nothing(site, provider, browser_here, mode):
    provider.id_token_mode(mode)
    page = full_login(browser_here)
    assert page.status_code == 400
    assert "did not pass this site's security checks" in page.text
    assert counts(site.app) == (0, 0)
    assert logged_in_as(browser_here) is None


def test_an_unknown_provider_name_is_a_page_not_found(site, provider, browser_here):
    assert browser_here.get("/account/oidc/elsewhere/callback?code=x&state=y").status_code == 404
    page = browser_here.get("/account/login")
    assert browser_here.post("/account/oidc/elsewhere/login",
                             data={"csrf_token": csrf_token(page.text)}).status_code == 404


def test_a_provider_whose_discovery_names_another_issuer_is_refused(app, database_url,
                                                                    smtp_server, site, provider):
    from participation import create_app

    # The same provider under another name: its discovery document says http://localhost:...
    wrong = {**provider.settings(), "issuer": provider.issuer.replace("localhost", "127.0.0.1")}
    other = create_app({**base_config(database_url, smtp_server.port),
                        "OIDC_PROVIDERS": [wrong]})
    client = english(other.test_client())
    answer = press_login_button(client)
    assert answer.status_code == 502
    assert "The login with Test-ID is not set up correctly on this site." in answer.text
    assert counts(other) == (0, 0)


def test_a_provider_that_is_down_gets_a_clear_page_and_makes_nothing(app, database_url,
                                                                     smtp_server):
    from participation import create_app

    nothing_there = {"name": "test", "label": "Test-ID", "client_id": CLIENT_ID,
                     "client_secret": "s", "issuer": f"http://127.0.0.1:{free_port()}"}
    down = create_app({**base_config(database_url, smtp_server.port),
                       "OIDC_PROVIDERS": [nothing_there]})
    client = english(down.test_client())
    answer = press_login_button(client)
    assert answer.status_code == 503
    assert "Test-ID could not be reached just now" in answer.text
    assert counts(down) == (0, 0)


def test_a_provider_that_goes_down_during_the_login_gets_a_clear_page(app, database_url,
                                                                      smtp_server):
    own = start_site(database_url, smtp_server.port)
    try:
        own.provider.accounts(anna=claims_of("anna"))
        client = english(own.app.test_client())
        start = press_login_button(client)
        url = log_in_at_provider(start.headers["Location"])
        own.provider.stop()
        page = client.get(callback_path(url))
        assert page.status_code == 503
        assert "Test-ID could not be reached just now" in page.text
        assert counts(own.app) == (0, 0)
    finally:
        stop_site(own)


def test_stopping_at_the_provider_says_so(site, provider, browser_here):
    start = press_login_button(browser_here)
    state = parse_qs(urlsplit(start.headers["Location"]).query)["state"][0]
    page = browser_here.get(f"/account/oidc/test/callback?error=access_denied&state={state}")
    assert page.status_code == 400
    assert "You stopped logging in at Test-ID." in page.text
    assert counts(site.app) == (0, 0)


# --- accounts that exist already ----------------------------------------------------------

def test_an_existing_address_is_linked_only_after_the_password(site, provider, browser_here):
    with site.app.app_context():
        make_user("anna@example.nl", name="Anna", locale="en")
        db.session.commit()
    page = full_login(browser_here)
    assert "An account with the e-mail address anna@example.nl already exists on this site. " \
           "Log in with its password once to link your Test-ID login to it" in page.text
    assert logged_in_as(browser_here) is None
    assert counts(site.app) == (1, 0)

    form = browser_here.get("/account/login").text
    page = browser_here.post("/account/login", data={
        "csrf_token": csrf_token(form), "email": "anna@example.nl",
        "password": "lange-wachtzin-42"}, follow_redirects=True)
    assert "Your Test-ID login is now linked to your account" in page.text
    assert counts(site.app) == (1, 1)

    later = english(site.app.test_client())
    full_login(later)
    assert logged_in_as(later) == "anna@example.nl"
    assert counts(site.app) == (1, 1)


def test_a_pending_link_is_not_made_for_another_account(site, provider, browser_here):
    with site.app.app_context():
        make_user("anna@example.nl", name="Anna", locale="en")
        make_user("bram@example.nl", name="Bram", locale="en")
        db.session.commit()
    full_login(browser_here)
    form = browser_here.get("/account/login").text
    browser_here.post("/account/login", data={
        "csrf_token": csrf_token(form), "email": "bram@example.nl",
        "password": "lange-wachtzin-42"})
    assert counts(site.app) == (2, 0)


def test_an_existing_address_the_provider_did_not_verify_is_not_linked(site, provider,
                                                                       browser_here):
    provider.accounts(anna=claims_of("anna", email_verified=False))
    with site.app.app_context():
        make_user("anna@example.nl", name="Anna", locale="en")
        db.session.commit()
    page = full_login(browser_here)
    assert page.status_code == 400
    assert "but Test-ID has not confirmed that this address is yours" in page.text
    assert counts(site.app) == (1, 0)


def test_no_verified_address_makes_no_account(site, provider, browser_here):
    provider.accounts(anna={"name": "Anna", "bsn": "999990019"})
    page = full_login(browser_here)
    assert page.status_code == 400
    assert "did not give this site an e-mail address it has confirmed" in page.text
    assert counts(site.app) == (0, 0)


def test_a_logged_in_person_links_the_provider_from_their_profile(site, provider, browser_here):
    with site.app.app_context():
        make_user("pieter@example.nl", locale="en")
        db.session.commit()
    form = browser_here.get("/account/login").text
    browser_here.post("/account/login", data={"csrf_token": csrf_token(form),
                                              "email": "pieter@example.nl",
                                              "password": "lange-wachtzin-42"})
    profile = browser_here.get("/account/").text
    assert "No other service logs you in to this account yet." in profile
    assert "Link Test-ID" in profile
    # anna@example.nl at the provider: the person proved both accounts.
    page = full_login(browser_here, from_page="/account/")
    assert "Your Test-ID login is now linked to your account" in page.text
    assert "These services log you in to this account:" in page.text
    assert counts(site.app) == (1, 1)
    later = english(site.app.test_client())
    full_login(later)
    assert logged_in_as(later) == "pieter@example.nl"


# --- eHerkenning: the KvK number ----------------------------------------------------------

def test_a_kvk_claim_verifies_the_membership_of_that_organisation(site, provider, browser_here):
    with site.app.app_context():
        bakery = make_organisation("Bakkerij Bolk")
        bakery.kvk = "12345678"
        make_organisation("Slagerij Smit").kvk = "87654321"
        db.session.commit()
    provider.accounts(anna=claims_of("anna", kvk="12345678"))
    page = full_login(browser_here)
    assert "Test-ID confirmed that you act for Bakkerij Bolk" in page.text
    with site.app.app_context():
        user = db.session.scalar(sa.select(User))
        assert user.organisation.name == "Bakkerij Bolk"
        membership = db.session.scalar(sa.select(Membership))
        assert (membership.state, membership.decided_via, membership.kvk) == (
            VerificationState.verified, DecisionBasis.kvk, "12345678")


def test_a_kvk_claim_of_no_known_organisation_verifies_nothing(site, provider, browser_here):
    with site.app.app_context():
        make_organisation("Bakkerij Bolk").kvk = "12345678"
        db.session.commit()
    provider.accounts(anna=claims_of("anna", kvk="11112222"))
    full_login(browser_here)
    with site.app.app_context():
        assert db.session.scalar(sa.select(User)).organisation is None
        assert db.session.scalar(sa.select(sa.func.count(Membership.id))) == 0


# --- logging out, and only providers ------------------------------------------------------

def test_logout_ends_the_session_here_and_goes_to_the_providers_end_session(site, provider,
                                                                           browser_here):
    full_login(browser_here)
    page = browser_here.get("/account/").text
    answer = browser_here.post("/account/logout", data={"csrf_token": csrf_token(page)})
    assert answer.status_code == 302
    location = urlsplit(answer.headers["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == \
        provider.issuer + "/session/end"
    query = parse_qs(location.query)
    assert query["post_logout_redirect_uri"] == ["http://localhost/"]
    assert query["id_token_hint"][0].count(".") == 2
    assert query["client_id"] == [CLIENT_ID]
    assert logged_in_as(browser_here) is None
    # The provider accepts the hint and the address to come back to (a wrong one is its error
    # page); the browser test follows the whole logout.
    at_provider = requests.get(answer.headers["Location"], timeout=30)
    assert at_provider.status_code == 200 and "Provider error" not in at_provider.text


def test_a_password_logout_stays_here(site, provider, browser_here):
    with site.app.app_context():
        make_user("pieter@example.nl", locale="en")
        db.session.commit()
    form = browser_here.get("/account/login").text
    browser_here.post("/account/login", data={"csrf_token": csrf_token(form),
                                              "email": "pieter@example.nl",
                                              "password": "lange-wachtzin-42"})
    page = browser_here.get("/account/").text
    answer = browser_here.post("/account/logout", data={"csrf_token": csrf_token(page)})
    assert answer.headers["Location"] == "/"


def test_local_login_switched_off_hides_the_form_and_refuses_its_post(app, database_url,
                                                                      smtp_server, site,
                                                                      provider):
    from participation import create_app

    only_providers = create_app({**base_config(database_url, smtp_server.port),
                                 "OIDC_PROVIDERS": [provider.settings()], "LOCAL_LOGIN": False})
    with only_providers.app_context():
        make_user("pieter@example.nl", locale="en")
        db.session.commit()
    client = english(only_providers.test_client())
    page = client.get("/account/login")
    assert "Log in with Test-ID" in page.text
    assert 'name="password"' not in page.text
    assert 'href="/account/register"' not in page.text
    assert 'href="/account/password/forgot"' not in page.text
    answer = client.post("/account/login", data={"csrf_token": csrf_token(page.text),
                                                 "email": "pieter@example.nl",
                                                 "password": "lange-wachtzin-42"})
    assert answer.status_code == 403
    assert logged_in_as(client) is None
    # Nor can anyone register or set a password by going to those pages directly.
    for path in ("/account/register", "/account/password/forgot", "/account/password/reset/x"):
        for method in (client.get, client.post):
            sent = method(path, data={"csrf_token": csrf_token(page.text),
                                      "email": "nieuw@example.nl", "password": "x" * 12})
            assert sent.status_code == 302 and sent.headers["Location"] == "/account/login"
    shown = client.get("/account/login").text
    assert "there are no separate passwords" in shown
    with only_providers.app_context():
        assert db.session.scalar(sa.select(sa.func.count(User.id))) == 1


def test_failed_answers_from_one_address_are_limited(app, database_url, smtp_server):
    own = start_site(database_url, smtp_server.port, {
        "RATELIMIT_ENABLED": True,
        "RATE_LIMITS": {**app.config["RATE_LIMITS"], "failed_oidc_login_per_address": "2/hour"}})
    try:
        client = english(own.app.test_client())
        for _ in range(2):
            assert client.get("/account/oidc/test/callback?code=x&state=y").status_code == 400
        page = client.get("/account/oidc/test/callback?code=x&state=y")
        assert page.status_code == 429
        assert "Very many logins have come from your network in a short time." in page.text
        assert int(page.headers["Retry-After"]) > 0
        assert press_login_button(client).status_code == 429
        # The team sees the lock with the login locks, and lifts it.
        from participation.admin.services import login_locks

        with own.app.app_context():
            locks = login_locks()
            assert [lock.limit for lock in locks] == ["failed_oidc_login_per_address"]
    finally:
        stop_site(own)


def test_the_persons_data_name_the_provider_login(site, provider, browser_here):
    import json

    full_login(browser_here)
    data = json.loads(browser_here.get("/account/data.json").text)
    assert [(login["provider"], login["subject"]) for login in
            data["account"]["provider_logins"]] == [("test", "anna")]
    assert "<dt>Logging in through another service</dt><dd>test: " in \
        browser_here.get("/account/data").text


def test_deleting_the_account_forgets_the_provider_login(site, provider, browser_here):
    from participation.privacy.erasure import ItemChoice, delete_account

    full_login(browser_here)
    with site.app.app_context():
        delete_account(db.session.scalar(sa.select(User)), ItemChoice.remove)
        db.session.commit()
        assert db.session.scalar(sa.select(sa.func.count(Identity.id))) == 0
