"""Registration, confirmation, login, password reset and profile, through the real views and mail."""
from __future__ import annotations

import re
from urllib.parse import urlsplit

import sqlalchemy as sa
from itsdangerous import URLSafeTimedSerializer

from participation.accounts.models import Organisation, OrganisationKind, User
from participation.core.extensions import db

from .factories import count, field_errors, login, make_organisation, make_user, submit

PASSWORD = "zonnige-werklocatie-7"

NEW_ORG = {
    "name": "Anna Jansen", "email": "Anna@Example.nl", "password": PASSWORD,
    "password_confirm": PASSWORD, "participate_as": "new", "org_name": "Bakker & Zn",
    "org_kind": "business", "org_sector": "bakkerij", "org_role": "eigenaar", "consent": "y",
}


def path_of(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def test_register_for_new_organisation_confirm_and_log_in(client, app, mailbox):
    response = submit(client, "/account/register", NEW_ORG)
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "anna@example.nl" in page

    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.email == "anna@example.nl"))
        assert user.name == "Anna Jansen" and not user.is_confirmed
        assert user.organisation.name == "Bakker & Zn"
        assert user.organisation.kind is OrganisationKind.business
        assert user.organisation.sector == "bakkerij"
        assert user.consent_at is not None and user.consent_version == app.config[
            "PRIVACY_STATEMENT_VERSION"]
        # Hashed with the configured method (the suite's cheap one; production's: below).
        assert user.password_hash.startswith(app.config["PASSWORD_HASH_METHOD"] + "$")

    # Not confirmed yet: no login, a clear way forward instead.
    page = submit(client, "/account/login", {"email": "anna@example.nl", "password": PASSWORD})
    assert page.status_code == 200
    assert "/account/confirm" in page.get_data(as_text=True)

    assert mailbox.deliver()["sent"] == 1
    mail = mailbox.only("anna@example.nl")
    assert mail.subject == "Bevestig uw e-mailadres"
    assert mail.html and "Anna Jansen" in mail.text
    confirmed = client.get(path_of(mail.link("/account/confirm/")))
    assert confirmed.status_code == 302
    with app.app_context():
        assert db.session.scalar(sa.select(User).where(User.email == "anna@example.nl")).is_confirmed

    login(client, "ANNA@example.nl ", PASSWORD)
    home = client.get("/").get_data(as_text=True)
    assert "Anna Jansen" in home


def test_register_for_existing_organisation_and_as_individual(client, app, mailbox):
    with app.app_context():
        org_id = make_organisation("Drenthe College", "education", "onderwijs").id
    data = {**NEW_ORG, "email": "docent@example.nl", "participate_as": "existing",
            "organisation_id": str(org_id), "org_name": "", "org_kind": "", "org_sector": ""}
    assert submit(client, "/account/register", data).status_code == 302
    data = {**NEW_ORG, "email": "inwoner@example.nl", "participate_as": "individual",
            "org_name": "ignored", "org_kind": "", "org_sector": ""}
    assert submit(client, "/account/register", data).status_code == 302
    with app.app_context():
        docent = db.session.scalar(sa.select(User).where(User.email == "docent@example.nl"))
        inwoner = db.session.scalar(sa.select(User).where(User.email == "inwoner@example.nl"))
        assert docent.organisation_id == org_id
        assert inwoner.organisation_id is None
        assert count(Organisation) == 1


def test_register_with_known_email_answers_the_same_and_mails_the_owner(client, app, mailbox):
    with app.app_context():
        make_user("anna@example.nl", name="Anna")
        users_before = count(User)
    first = submit(client, "/account/register", {**NEW_ORG, "org_name": "Ander bedrijf"})
    assert first.status_code == 302
    assert first.headers["Location"].endswith("/account/register/check-your-mail")
    with app.app_context():
        assert count(User) == users_before
        assert count(Organisation) == 0  # nothing half-made for a known address
    mailbox.deliver()
    mail = mailbox.only("anna@example.nl")
    assert mail.subject == "U heeft al een account"
    assert "/account/login" in mail.text


def test_bad_registration_input_is_explained_next_to_fields_and_kept(client, app):
    data = {**NEW_ORG, "name": "", "email": "anna-at-example", "password": "welkom123",
            "password_confirm": "anders", "org_sector": "x" * 121, "consent": ""}
    response = submit(client, "/account/register", data)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    errors = field_errors(html)
    assert any(e.startswith("name: Vul uw naam in") for e in errors), errors
    assert any(e.startswith("email:") for e in errors)
    assert any(e.startswith("password:") for e in errors)
    assert any(e.startswith("password_confirm:") for e in errors)
    assert any(e.startswith("org_sector:") for e in errors)
    assert any(e.startswith("consent:") for e in errors)
    # The summary links to each field, and what was typed is still there.
    assert 'href="#name"' in html and 'href="#consent"' in html
    assert 'value="anna-at-example"' in html and 'value="Bakker &amp; Zn"' in html
    with app.app_context():
        assert count(User) == 0 and count(Organisation) == 0


def test_overlong_fields_and_common_password(client, app):
    data = {**NEW_ORG, "name": "N" * 121, "email": ("a" * 250) + "@x.nl", "org_name": "O" * 201,
            "password": "password123", "password_confirm": "password123"}
    errors = field_errors(submit(client, "/account/register", data).get_data(as_text=True))
    assert any(e.startswith("name: Gebruik maximaal 120 tekens") for e in errors), errors
    assert any(e.startswith("email:") for e in errors)
    assert any(e.startswith("org_name: Gebruik maximaal 200 tekens") for e in errors)
    assert any(e.startswith("password:") and "vaak gebruikt" in e for e in errors), errors
    with app.app_context():
        assert count(User) == 0


def test_duplicate_organisation_name_points_to_the_list(client, app):
    with app.app_context():
        make_organisation("Bakker & Zn")
    response = submit(client, "/account/register", {**NEW_ORG, "org_name": "  bakker &  zn "})
    errors = field_errors(response.get_data(as_text=True))
    assert any(e.startswith("org_name:") and "kies" in e.lower() for e in errors), errors
    with app.app_context():
        assert count(User) == 0 and count(Organisation) == 1


def test_organisation_name_is_cleaned_of_markup(client, app):
    data = {**NEW_ORG, "org_name": "<b>Vis</b> & <script>alert(1)</script>Co"}
    assert submit(client, "/account/register", data).status_code == 302
    with app.app_context():
        assert db.session.scalar(sa.select(Organisation.name)) == "Vis & alert(1)Co"


def test_missing_csrf_token_keeps_the_text(client, app):
    response = client.post("/account/register", data=NEW_ORG)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "verlopen" in html  # the form explains and asks to send it again
    assert 'value="Anna Jansen"' in html and 'value="Bakker &amp; Zn"' in html
    with app.app_context():
        assert count(User) == 0


def test_tampered_and_expired_confirmation_links(client, app, mailbox):
    submit(client, "/account/register", NEW_ORG)
    mailbox.deliver()
    link = path_of(mailbox.only("anna@example.nl").link("/account/confirm/"))
    tampered = client.get(link[:-3] + ("aaa" if not link.endswith("aaa") else "bbb"))
    assert tampered.status_code == 400
    assert "veranderd" in tampered.get_data(as_text=True)

    app.config["CONFIRM_LINK_MAX_AGE"] = -1
    try:
        expired = client.get(link)
    finally:
        app.config["CONFIRM_LINK_MAX_AGE"] = 3 * 24 * 3600
    assert expired.status_code == 400
    assert "verlopen" in expired.get_data(as_text=True)
    with app.app_context():
        assert not db.session.scalar(sa.select(User)).is_confirmed


def test_confirmation_link_signed_with_another_key_is_refused(client, app):
    with app.app_context():
        user = make_user(confirmed=False)
        forged = URLSafeTimedSerializer("another-key", salt="confirm-email").dumps(
            {"u": user.id, "e": user.email})
    assert client.get(f"/account/confirm/{forged}").status_code == 400


def test_resend_confirmation_answers_the_same_for_unknown_addresses(client, app, mailbox):
    with app.app_context():
        make_user("wacht@example.nl", confirmed=False)
    known = submit(client, "/account/confirm", {"email": "wacht@example.nl"})
    unknown = submit(client, "/account/confirm", {"email": "niemand@example.nl"})
    assert known.status_code == unknown.status_code == 302
    mailbox.deliver()
    assert len(mailbox.to("wacht@example.nl")) == 1
    assert mailbox.to("niemand@example.nl") == []


def test_login_errors_keep_the_address(client, app):
    with app.app_context():
        make_user()
    response = submit(client, "/account/login", {"email": "pieter@example.nl", "password": "fout"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "klopt niet" in html and 'value="pieter@example.nl"' in html
    empty = submit(client, "/account/login", {"email": "", "password": ""})
    errors = field_errors(empty.get_data(as_text=True))
    assert [e.split(":")[0] for e in errors] == ["email", "password"]


def test_remember_me_sets_a_lasting_cookie_and_logout_ends_it(client, app):
    with app.app_context():
        make_user()
    response = login(client, remember=True)
    cookies = response.headers.getlist("Set-Cookie")
    remember = [c for c in cookies if c.startswith("remember_token=")]
    assert remember and "HttpOnly" in remember[0] and "Expires=" in remember[0]
    assert client.get("/account/").status_code == 200

    # Logging out is a POST with a token; a GET does nothing.
    assert client.get("/account/logout").status_code == 405
    assert client.get("/account/").status_code == 200
    submit(client, "/account/logout", {}, page_url="/")
    assert client.get("/account/").status_code == 302


def test_login_redirects_only_within_the_site(client, app):
    with app.app_context():
        make_user()
    page = client.get("/account/login?next=https://evil.example/x").get_data(as_text=True)
    from .factories import csrf_token
    response = client.post("/account/login?next=https://evil.example/x", data={
        "csrf_token": csrf_token(page), "email": "pieter@example.nl",
        "password": "lange-wachtzin-42"})
    assert response.headers["Location"] == "/"


def test_password_reset_same_answer_link_works_once(client, app, mailbox):
    with app.app_context():
        make_user()
    known = submit(client, "/account/password/forgot", {"email": "pieter@example.nl"})
    unknown = submit(client, "/account/password/forgot", {"email": "onbekend@example.nl"})
    assert known.status_code == unknown.status_code == 200
    strip = lambda html: html.replace("pieter@example.nl", "X").replace("onbekend@example.nl", "X")  # noqa: E731
    no_tokens = lambda html: re.sub(r'value="[^"]+"', "", html)  # noqa: E731
    assert no_tokens(strip(known.get_data(as_text=True))) == no_tokens(
        strip(unknown.get_data(as_text=True)))

    mailbox.deliver()
    assert mailbox.to("onbekend@example.nl") == []
    link = path_of(mailbox.only("pieter@example.nl").link("/account/password/reset/"))

    mismatch = submit(client, link, {"password": "nieuw-wachtwoord-99",
                                     "password_confirm": "nieuw-wachtwoord-98"})
    assert any(e.startswith("password_confirm:") for e in field_errors(
        mismatch.get_data(as_text=True)))

    done = submit(client, link, {"password": "nieuw-wachtwoord-99",
                                 "password_confirm": "nieuw-wachtwoord-99"})
    assert done.status_code == 302
    assert client.get(link).status_code == 400  # used once, no more
    login(client, password="nieuw-wachtwoord-99")
    mailbox.deliver()
    assert [m.subject for m in mailbox.to("pieter@example.nl")][-1] == "Uw wachtwoord is gewijzigd"


def test_expired_reset_link(client, app, mailbox):
    with app.app_context():
        make_user()
    submit(client, "/account/password/forgot", {"email": "pieter@example.nl"})
    mailbox.deliver()
    link = path_of(mailbox.only("pieter@example.nl").link("/account/password/reset/"))
    app.config["RESET_LINK_MAX_AGE"] = -1
    try:
        response = client.get(link)
    finally:
        app.config["RESET_LINK_MAX_AGE"] = 2 * 3600
    assert response.status_code == 400 and "verlopen" in response.get_data(as_text=True)


def test_profile_change_and_duplicate_organisation(client, app):
    with app.app_context():
        org = make_organisation("Provincie Drenthe", "government", "overheid")
        org_id = org.id
        make_user()
    login(client)
    page = client.get("/account/").get_data(as_text=True)
    assert re.search(r'<input checked [^>]*name="participate_as"[^>]*value="individual"', page)

    response = submit(client, "/account/", {"name": "Pieter V.", "locale": "en",
                                            "participate_as": "existing",
                                            "organisation_id": str(org_id),
                                            "org_role": "beleidsmedewerker"})
    assert response.status_code == 302
    with app.app_context():
        user = db.session.scalar(sa.select(User))
        assert (user.name, user.locale, user.organisation_id) == ("Pieter V.", "en", org_id)
    # Now in English, the chosen language.
    assert "My account" in client.get("/account/").get_data(as_text=True)

    response = submit(client, "/account/", {"name": "", "locale": "en", "participate_as": "new",
                                            "org_name": "provincie drenthe", "org_kind": "government",
                                            "org_sector": "overheid"})
    errors = field_errors(response.get_data(as_text=True))
    assert any(e.startswith("name:") for e in errors)
    response = submit(client, "/account/", {"name": "Pieter", "locale": "en", "participate_as": "new",
                                            "org_name": "provincie drenthe", "org_kind": "government",
                                            "org_sector": "overheid", "org_role": "adviseur"})
    errors = field_errors(response.get_data(as_text=True))
    assert any(e.startswith("org_name:") and "already registered" in e for e in errors), errors
    with app.app_context():
        assert db.session.scalar(sa.select(User)).name == "Pieter V."


def test_password_change_ends_other_sessions(client, app, mailbox):
    with app.app_context():
        make_user()
    other = app.test_client()
    login(client)
    login(other)
    wrong = submit(client, "/account/password", {"current_password": "fout", "password": "x",
                                                 "password_confirm": "x"})
    errors = field_errors(wrong.get_data(as_text=True))
    assert any(e.startswith("password:") for e in errors)
    wrong = submit(client, "/account/password", {"current_password": "fout",
                                                 "password": "nieuw-wachtwoord-99",
                                                 "password_confirm": "nieuw-wachtwoord-99"})
    assert any(e.startswith("current_password:") for e in field_errors(wrong.get_data(as_text=True)))

    done = submit(client, "/account/password", {"current_password": "lange-wachtzin-42",
                                                "password": "nieuw-wachtwoord-99",
                                                "password_confirm": "nieuw-wachtwoord-99"})
    assert done.status_code == 302
    assert client.get("/account/").status_code == 200  # this session goes on
    assert other.get("/account/").status_code == 302  # the other one has ended
    mailbox.deliver()
    assert mailbox.only("pieter@example.nl").subject == "Uw wachtwoord is gewijzigd"


def test_login_required_pages_send_visitors_to_login(client):
    for url in ("/account/", "/account/password"):
        response = client.get(url)
        assert response.status_code == 302
        assert "/account/login?next=" in response.headers["Location"]


def test_production_hashes_with_scrypt(app, monkeypatch):
    from participation.accounts.passwords import hash_password, verify_password

    monkeypatch.delitem(app.config, "PASSWORD_HASH_METHOD")
    with app.app_context():
        hashed = hash_password("lange-wachtzin-42")
        assert hashed.startswith("scrypt:32768:8:1$")
        assert verify_password(hashed, "lange-wachtzin-42")
        assert not verify_password(None, "lange-wachtzin-42")
