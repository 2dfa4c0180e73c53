"""Rate limits on the real views: each route's limit is reached, answered and lifted again.

The suite's shared app has the limits off (TESTING); these tests make apps with them on, on the
same test database, with small figures so a limit is reached in a few posts.
"""
from __future__ import annotations

import html
import io
import re
import threading
import time
import uuid
from urllib.parse import urlsplit

import pytest
import redis
import sqlalchemy as sa

from participation import create_app
from participation.accounts.models import User
from participation.audit.models import AuditEvent
from participation.comments.models import Comment
from participation.core.config import Defaults
from participation.contributions.models import Contribution
from participation.core.extensions import db
from participation.invitations.models import Invitation
from participation.mail.models import OutboxMessage
from participation.moderation.models import Flag

from .conftest import QueryCounter
from .factories import (count, csrf_token, field_errors, login, make_contribution,
                        make_organisation, make_process, make_user, open_feedback_round,
                        publish_draft)
from .conftest import test_config as base_config

REDIS_URL = "redis://127.0.0.1:6379"
PASSWORD = "lange-wachtzin-42"
LIMITED_FORM = ("You have sent this form many times in a short time. Your text is kept: wait "
                "{wait} and send it again.")
AN_HOUR = r"(1 hour|60 minutes)"


@pytest.fixture
def limited(app, database_url, smtp_server):
    """`limited(**figures)`: a new app with the rate limits on, on the test database.

    `figures` replace entries of RATE_LIMITS; `config=` adds other settings.
    """
    made = []

    def make(config: dict | None = None, **figures):
        new = create_app({**base_config(database_url, smtp_server.port),
                          "RATELIMIT_ENABLED": True,
                          "RATE_LIMITS": {**Defaults.RATE_LIMITS, **figures}, **(config or {})})
        made.append(new)
        return new
    yield make
    for made_app in made:
        with made_app.app_context():
            db.session.remove()
            db.engine.dispose()


def english(client):
    """A visitor who chose English (logged-in users get their account's language)."""
    with client.session_transaction() as session:
        session["locale"] = "en"
    return client


def client_at(app_, address: str):
    client = app_.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return english(client)


def post_form(client, url: str, data: dict, page_url: str | None = None):
    """Load the form page and post `data` with its CSRF token and submission key, if any."""
    page = client.get(page_url or url)
    assert page.status_code == 200, page.status_code
    html = page.get_data(as_text=True)
    key = re.search(r'name="submission_key" type="hidden" value="([^"]*)"', html)
    fields = {"csrf_token": csrf_token(html)}
    if key:
        fields["submission_key"] = key.group(1)
    return client.post(url, data={**fields, **data})


def text(response) -> str:
    return re.sub(r"\s+", " ", response.get_data(as_text=True))


def assert_limited_page(response, wait=AN_HOUR):
    """The friendly 429 page: what happened, how long to wait, and Retry-After in seconds."""
    assert response.status_code == 429
    page = text(response)
    assert "<h1>Too many attempts in a short time</h1>" in page
    assert re.search(r"a form can be sent only a limited number of times in a row\. "
                     rf"Wait {wait} and try again\.", page), page[-800:]
    return int(response.headers["Retry-After"])


def assert_form_kept(response, *kept: str, wait=AN_HOUR):
    """A limited form shown again: status 429, Retry-After, the message, and the text."""
    assert response.status_code == 429
    page = text(response)
    assert re.search(re.escape(LIMITED_FORM).replace(re.escape("{wait}"), wait), page), \
        page[:3000]
    for value in kept:
        assert value in page, value
    return int(response.headers["Retry-After"])


# --- accounts -----------------------------------------------------------------------------

LOGIN = "/account/login"
WRONG = "The e-mail address or the password is not right."
ACCOUNT_LOCKED = ("Someone has typed a wrong password for this account too many times in a "
                  "short time, so it is locked for now. Wait {wait} and try again, or choose a "
                  "new password with “Forgot your password?”: that lifts the lock at once.")
ADDRESS_FAILED = ("Too many wrong passwords have been typed from your network in a short time. "
                  "Wait {wait} and try again. If many people log in here together, the project "
                  "team can lift this limit.")
ADDRESS_LOGINS = ("Very many people have logged in from your network in the past hour. Wait "
                  "{wait} and try again, or ask the project team to lift this limit.")
QUARTER = r"(15 minutes|14 minutes)"


def log_in(client, email="pieter@example.nl", password=PASSWORD):
    return post_form(client, LOGIN, {"email": email, "password": password})


def assert_login_refused(response, message: str, wait: str, email: str):
    """The login form again, status 429 with Retry-After: the message with the wait next to
    the form, the e-mail address still filled in."""
    assert response.status_code == 429, response.status_code
    page = text(response)
    assert re.search(re.escape(message).replace(re.escape("{wait}"), wait), page), page[:3000]
    assert f'value="{email}"' in page
    assert WRONG not in page
    return int(response.headers["Retry-After"])


def assert_wrong_password(response):
    assert response.status_code == 200, response.status_code
    assert WRONG in text(response)


def logged_in(client) -> bool:
    """The login page sends someone who is logged in on to the home page."""
    return client.get(LOGIN).status_code == 302


def make_people(count: int, password=PASSWORD) -> list[str]:
    """`count` confirmed participants with one password hash (scrypt takes a while per call)."""
    from flask import current_app

    from participation.core.roles import Role
    from participation.accounts.passwords import hash_password
    from participation.core.timeutil import utcnow

    hashed = hash_password(password)
    emails = [f"deelnemer{n:02d}@example.nl" for n in range(count)]
    for n, email in enumerate(emails):
        db.session.add(User(email=email, name=f"Deelnemer {n}", password_hash=hashed,
                            role=Role.participant, locale="en", email_confirmed_at=utcnow(),
                            consent_at=utcnow(),
                            consent_version=current_app.config["PRIVACY_STATEMENT_VERSION"]))
    db.session.commit()
    return emails


def test_a_room_of_sixty_people_behind_one_address_all_log_in(limited):
    """A participation evening: everyone logs in, one after the other, from the venue's address,
    with the default figures (before: the 11th in a minute, and the 51st in an hour, waited)."""
    site = limited()
    with site.app_context():
        emails = make_people(60)
    for email in emails:
        person = client_at(site, "192.0.2.10")
        assert log_in(person, email).status_code == 302, email
        assert logged_in(person), email
    # Logging in is not counted as a failure: a wrong password from the room is still answered.
    assert_wrong_password(log_in(client_at(site, "192.0.2.10"), emails[0], "typfout-in-zaal"))


def test_logins_per_address_have_a_limit_of_their_own(limited):
    site = limited(login_per_address="3/hour")
    with site.app_context():
        emails = make_people(4)
    for email in emails[:3]:
        assert log_in(client_at(site, "192.0.2.11"), email).status_code == 302
    fourth = client_at(site, "192.0.2.11")
    retry = assert_login_refused(log_in(fourth, emails[3]), ADDRESS_LOGINS, AN_HOUR, emails[3])
    assert 3595 <= retry <= 3601
    assert not logged_in(fourth)
    assert log_in(client_at(site, "192.0.2.12"), emails[3]).status_code == 302


def test_wrong_passwords_lock_the_account_but_not_other_accounts_from_that_address(limited):
    site = limited()  # the defaults: 10 wrong passwords per account in 15 minutes
    with site.app_context():
        make_user(locale="en")
        make_user("anna@example.nl", name="Anna", locale="en")
    guesser = client_at(site, "192.0.2.13")
    for attempt in range(10):
        assert_wrong_password(log_in(guesser, password=f"geraden-wachtwoord-{attempt}"))
    eleventh = log_in(guesser, password="geraden-wachtwoord-10")
    retry = assert_login_refused(eleventh, ACCOUNT_LOCKED, QUARTER, "pieter@example.nl")
    assert 895 <= retry <= 901
    # Locked for the right password too, from any address, however the address is written.
    for address, email in (("192.0.2.13", "pieter@example.nl"),
                           ("192.0.2.14", "  Pieter@Example.NL ")):
        owner = client_at(site, address)
        assert_login_refused(log_in(owner, email), ACCOUNT_LOCKED, QUARTER,
                             email.strip().lower())
        assert not logged_in(owner)
    assert client_at(site, "192.0.2.13").get(LOGIN).status_code == 200  # loading is never limited
    # Another account, from the guesser's own address, logs in.
    anna = client_at(site, "192.0.2.13")
    assert log_in(anna, "anna@example.nl").status_code == 302
    assert logged_in(anna)


def test_an_address_without_an_account_is_locked_alike(limited):
    """The limit does not tell whether an account exists: an unknown address locks the same."""
    site = limited(failed_login_per_account="2/hour")
    with site.app_context():
        make_user(locale="en")
    for email in ("pieter@example.nl", "niemand@example.nl"):
        client = client_at(site, "192.0.2.15")
        for _ in range(2):
            assert_wrong_password(log_in(client, email, "geraden-wachtwoord"))
        assert_login_refused(log_in(client, email, "geraden-wachtwoord"), ACCOUNT_LOCKED,
                             AN_HOUR, email)


def test_wrong_passwords_over_many_accounts_reach_the_limit_per_address(limited):
    site = limited()  # the defaults: 50 wrong passwords per address in an hour
    with site.app_context():
        emails = make_people(51)
    guesser = client_at(site, "192.0.2.16")
    for email in emails[:50]:
        assert_wrong_password(log_in(guesser, email, "zomer2026!"))
    refused = log_in(guesser, emails[50], "zomer2026!")
    # Until the hour since the first wrong password has passed (50 scrypt checks took a while).
    within_the_hour = r"(1 hour|\d\d? minutes)"
    retry = assert_login_refused(refused, ADDRESS_FAILED, within_the_hour, emails[50])
    assert 60 < retry <= 3601
    # The address waits, also with a right password; every other address does not.
    assert_login_refused(log_in(guesser, emails[50]), ADDRESS_FAILED, within_the_hour,
                         emails[50])
    assert not logged_in(guesser)
    elsewhere = client_at(site, "192.0.2.17")
    assert log_in(elsewhere, emails[50]).status_code == 302
    assert logged_in(elsewhere)


def test_a_right_password_forgets_the_accounts_wrong_ones_but_not_the_addresses(limited):
    site = limited(failed_login_per_account="3/hour", failed_login_per_address="5/hour")
    with site.app_context():
        make_user(locale="en")
    client = client_at(site, "192.0.2.18")
    for _ in range(2):
        assert_wrong_password(log_in(client, password="geraden-wachtwoord"))
    assert log_in(client).status_code == 302
    client.post("/account/logout", data={"csrf_token": csrf_token(client.get("/").get_data(
        as_text=True))})
    assert not logged_in(client)
    for _ in range(3):  # three more for the account: the first two were forgotten
        assert_wrong_password(log_in(client, password="geraden-wachtwoord"))
    # The address counted all five: a guesser's own account does not reset that.
    assert_login_refused(log_in(client, "anna@example.nl", "geraden-wachtwoord"),
                         ADDRESS_FAILED, AN_HOUR, "anna@example.nl")


def test_a_new_password_through_the_reset_link_lifts_the_account_lock(limited, mailbox):
    site = limited(failed_login_per_account="2/hour")
    with site.app_context():
        make_user(locale="en")
    client = client_at(site, "192.0.2.19")
    for _ in range(2):
        assert_wrong_password(log_in(client, password="geraden-wachtwoord"))
    assert_login_refused(log_in(client), ACCOUNT_LOCKED, AN_HOUR, "pieter@example.nl")
    assert post_form(client, "/account/password/forgot",
                     {"email": "pieter@example.nl"}).status_code == 200
    mailbox.deliver()
    link = urlsplit(mailbox.only("pieter@example.nl").link("/account/password/reset/")).path
    new_password = "nieuwe-lange-wachtzin-2026"
    done = post_form(client, link, {"password": new_password, "password_confirm": new_password})
    assert done.status_code == 302, field_errors(done.get_data(as_text=True))
    assert log_in(client, password=new_password).status_code == 302
    assert logged_in(client)


def test_login_is_limited_per_account_from_many_addresses(limited):
    site = limited(failed_login_per_account="2/hour")
    with site.app_context():
        make_user(locale="en")
        make_user("anna@example.nl", name="Anna", locale="en")
    for address in ("192.0.2.20", "192.0.2.21"):
        assert_wrong_password(log_in(client_at(site, address), password="geraden-wachtwoord"))
    # A third address, the right password: this account is protected for the rest of the hour.
    assert_login_refused(log_in(client_at(site, "192.0.2.22")), ACCOUNT_LOCKED, AN_HOUR,
                         "pieter@example.nl")
    # Other accounts, from the same address, are not affected.
    assert log_in(client_at(site, "192.0.2.22"), "anna@example.nl").status_code == 302


def register(client, email: str, **changes):
    data = {"name": "Marieke Bos", "email": email, "password": "drentse-ondernemer-2026",
            "password_confirm": "drentse-ondernemer-2026", "participate_as": "individual",
            "consent": "y", **changes}
    return post_form(client, "/account/register", data)


def test_register_counts_registrations_per_address_and_keeps_the_form(limited):
    site = limited(register="2/hour")
    client = client_at(site, "192.0.2.30")
    mistake = register(client, "eerste@example.nl", password_confirm="iets-anders-2026")
    assert mistake.status_code == 200  # sent back with a mistake: does not count
    assert field_errors(mistake.get_data(as_text=True)) == [
        "password_confirm: The two passwords are not the same."]
    assert register(client, "eerste@example.nl").status_code == 302
    assert register(client, "tweede@example.nl").status_code == 302
    third = register(client, "derde@example.nl", name="Derk Derksen")
    retry = assert_form_kept(third, 'value="Derk Derksen"', 'value="derde@example.nl"')
    assert 3595 <= retry <= 3601
    with site.app_context():
        assert count(User) == 2
        assert count(User, User.email == "derde@example.nl") == 0
    assert register(client_at(site, "192.0.2.31"), "derde@example.nl").status_code == 302


def test_reset_links_are_limited_per_address_and_per_email(limited, mailbox):
    site = limited(password_reset="2/hour", password_reset_per_email="100/hour")
    with site.app_context():
        make_user(locale="en")
        make_user("nieuw@example.nl", name="Nieuw", confirmed=False, locale="en")
    client = client_at(site, "192.0.2.40")
    forgot = post_form(client, "/account/password/forgot", {"email": "pieter@example.nl"})
    assert forgot.status_code == 200
    # A new confirmation link is mail to an address too: it shares the counter.
    assert post_form(client, "/account/confirm", {"email": "nieuw@example.nl"}).status_code == 302
    assert_limited_page(post_form(client, "/account/password/forgot",
                                  {"email": "pieter@example.nl"}))
    assert_limited_page(post_form(client, "/account/confirm", {"email": "nieuw@example.nl"}))
    with site.app_context():
        assert count(OutboxMessage, OutboxMessage.recipient == "pieter@example.nl") == 1

    per_email = limited(password_reset="100/hour", password_reset_per_email="2/hour")
    for address in ("192.0.2.41", "192.0.2.42"):
        assert post_form(client_at(per_email, address), "/account/password/forgot",
                         {"email": "pieter@example.nl"}).status_code == 200
    other = client_at(per_email, "192.0.2.43")
    assert_limited_page(post_form(other, "/account/password/forgot",
                                  {"email": "pieter@example.nl"}))
    assert post_form(other, "/account/password/forgot",
                     {"email": "nieuw@example.nl"}).status_code == 200
    with per_email.app_context():
        assert count(OutboxMessage, OutboxMessage.recipient == "pieter@example.nl") == 3


# --- round 1 ------------------------------------------------------------------------------

NEW_INPUT = "/p/economie/input/new"


def input_process(site) -> dict[str, int]:
    with site.app_context():
        process = make_process()
        make_user(organisation=make_organisation("Drenth Logistiek BV", "business", "logistiek"),
                  locale="en")
        make_user("anna@example.nl", name="Anna", locale="en")
        return {t.title: t.id for t in process.themes}


def give(client, theme_id: int, title: str, body: str = "We hebben ruimte nodig."):
    return post_form(client, NEW_INPUT, {"theme_id": str(theme_id), "title": title,
                                         "body": body})


def test_contributions_are_limited_per_user_and_the_text_is_kept(limited):
    site = limited(contributions="2/hour")
    themes = input_process(site)
    client = site.test_client()
    login(client)
    assert give(client, themes["Werklocaties"], "").status_code == 200  # a mistake: not counted
    assert give(client, themes["Werklocaties"], "Eerste inbreng").status_code == 302
    assert give(client, themes["Arbeidsmarkt"], "Tweede inbreng").status_code == 302
    long_text = "Een lang verhaal over netcongestie.\n\n" + "Zin na zin. " * 300
    third = give(client, themes["Energietransitie"], "Derde inbreng", long_text)
    retry = assert_form_kept(third, 'value="Derde inbreng"', "Zin na zin. " * 300,
                             f'<option selected value="{themes["Energietransitie"]}">')
    assert 3595 <= retry <= 3601
    with site.app_context():
        assert [c.title for c in db.session.scalars(
            sa.select(Contribution).order_by(Contribution.id))] == ["Eerste inbreng",
                                                                     "Tweede inbreng"]
    assert client.get(NEW_INPUT).status_code == 200
    anna = site.test_client()
    login(anna, "anna@example.nl")
    assert give(anna, themes["Werklocaties"], "Van Anna").status_code == 302


def test_flags_are_limited_per_user_and_the_note_is_kept(limited):
    site = limited(flags="1/hour")
    input_process(site)
    with site.app_context():
        process = make_process("tweede")
        anna = db.session.scalar(sa.select(User).where(User.email == "anna@example.nl"))
        items = [make_contribution(process, process.themes[0], anna, title=f"Inbreng {n}")
                 for n in (1, 2)]
        db.session.commit()
        ids = [item.id for item in items]
    client = site.test_client()
    login(client)
    first = post_form(client, f"/p/tweede/flag/contribution/{ids[0]}", {"reason": "spam"})
    assert first.status_code == 302
    second = post_form(client, f"/p/tweede/flag/contribution/{ids[1]}",
                       {"reason": "other", "note": "Dit is reclame voor een webwinkel."})
    assert_form_kept(second, "Dit is reclame voor een webwinkel.")
    with site.app_context():
        assert count(Flag) == 1


# --- round 2 ------------------------------------------------------------------------------

def feedback_process(site) -> None:
    with site.app_context():
        process = make_process()
        open_feedback_round(process)
        moderator = make_user("mod@example.nl", role="moderator", name="Mod", locale="en")
        make_user(organisation=make_organisation("Drenth Logistiek BV", "business", "logistiek"),
                  locale="en")
        publish_draft(process, moderator)


def test_comments_and_replies_share_one_limit_per_user_and_keep_the_text(limited):
    site = limited(comments="2/hour")
    feedback_process(site)
    url = "/p/economie/draft/s/2.2"
    client = site.test_client()
    login(client)
    assert post_form(client, url, {"body": "Eens met de koers."}).status_code == 302
    with site.app_context():
        first = db.session.scalar(sa.select(Comment.id))
    reply_url = f"/p/economie/comments/{first}/reply"
    assert post_form(client, reply_url, {"body": "En nog een aanvulling."}).status_code == 302
    on_section = post_form(client, url, {"body": "Een derde reactie die ik niet kwijt wil."})
    assert_form_kept(on_section, "Een derde reactie die ik niet kwijt wil.")
    reply = post_form(client, reply_url, {"body": "Een antwoord dat ik niet kwijt wil."})
    assert_form_kept(reply, "Een antwoord dat ik niet kwijt wil.")
    with site.app_context():
        assert count(Comment) == 2
    assert client.get(url).status_code == 200


def invite(client, email: str):
    return post_form(client, "/p/economie/invitations", {
        "name": "Iris de Boer", "email": email, "organisation": "Nieuw BV",
        "kind": "read_along"})


def test_invitations_and_csv_imports_share_one_limit_per_team_member(limited):
    site = limited(invitations="2/hour")
    feedback_process(site)
    client = site.test_client()
    login(client, "mod@example.nl")
    assert invite(client, "iris@example.nl").status_code == 302
    page = client.get("/p/economie/invitations").get_data(as_text=True)
    imported = client.post("/p/economie/invitations/import", data={
        "csrf_token": csrf_token(page), "kind": "read_along",
        "file": (io.BytesIO(b"Kees,kees@example.nl,Bakkerij\n"), "lijst.csv")})
    assert imported.status_code == 302
    third = invite(client, "joost@example.nl")
    assert_form_kept(third, 'value="joost@example.nl"', 'value="Iris de Boer"')
    csv = client.post("/p/economie/invitations/import", data={
        "csrf_token": csrf_token(page), "kind": "read_along",
        "file": (io.BytesIO(b"Joost,joost@example.nl,\n"), "lijst.csv")})
    assert csv.status_code == 429
    with site.app_context():
        assert sorted(db.session.scalars(sa.select(Invitation.email))) == [
            "iris@example.nl", "kees@example.nl"]


# --- every route: the limit lifts when its window has passed ------------------------------

def test_every_limit_lifts_when_its_window_has_passed(limited):
    """One post fills each route's limit, the next is refused; after Retry-After it goes."""
    window = "1 per 4 seconds"
    site = limited(**{name: window for name in Defaults.RATE_LIMITS})
    themes = input_process(site)
    with site.app_context():
        second = make_process("tweede")
        open_feedback_round(second)
        moderator = make_user("mod@example.nl", role="moderator", name="Mod", locale="en")
        publish_draft(second, moderator)
        anna = db.session.scalar(sa.select(User).where(User.email == "anna@example.nl"))
        flag_ids = [make_contribution(second, second.themes[0], anna, title=f"Inbreng {n}")
                    for n in range(3)]
        db.session.commit()
        flag_ids = [item.id for item in flag_ids]
    visitor = client_at(site, "192.0.2.50")
    participant = client_at(site, "192.0.2.51")  # logging in counts too: other addresses
    login(participant)
    team = client_at(site, "192.0.2.52")
    login(team, "mod@example.nl")
    flags = iter(flag_ids)
    counter = iter(range(100))

    routes = {
        "login": lambda: log_in(visitor, "anna@example.nl", "fout-wachtwoord-1"),
        "register": lambda: register(visitor, f"persoon{next(counter)}@example.nl"),
        "reset": lambda: post_form(visitor, "/account/password/forgot",
                                   {"email": "pieter@example.nl"}),
        "contribution": lambda: give(participant, themes["Werklocaties"],
                                     f"Inbreng {next(counter)}"),
        "comment": lambda: post_form(participant, "/p/tweede/draft/s/2.2",
                                     {"body": f"Reactie {next(counter)}"}),
        "flag": lambda: post_form(participant, f"/p/tweede/flag/contribution/{next(flags)}",
                                  {"reason": "spam"}),
        "invitation": lambda: post_form(team, "/p/tweede/invitations", {
            "name": "Iris", "email": f"iris{next(counter)}@example.nl", "kind": "read_along"}),
    }
    # Accepted: the form again (a wrong password; "a mail is on its way if we know you") or on.
    answer = {"login": 200, "reset": 200}
    waits = {}
    for name, post in routes.items():
        assert post().status_code == answer.get(name, 302), name
        refused = post()
        assert refused.status_code == 429, name
        waits[name] = int(refused.headers["Retry-After"])
        assert 1 <= waits[name] <= 5, (name, waits[name])
    time.sleep(max(waits.values()))
    for name, post in routes.items():
        assert post().status_code == answer.get(name, 302), name


# --- the team sees and lifts login locks --------------------------------------------------

LOCKS = "/admin/login-locks"


def admin_client(site, address="192.0.2.90"):
    with site.app_context():
        make_user("beheer@example.nl", role="admin", name="Beheerder", locale="en")
    admin = client_at(site, address)
    login(admin, "beheer@example.nl")
    return admin


def lock_rows(page) -> list[str]:
    """The rows of the locks table as the admin reads them: who, what, attempts, time left."""
    body = page.get_data(as_text=True)
    rows = re.findall(r"<tr>\s*<th scope=\"row\">(.*?)</tr>", body, re.S)
    return [re.sub(r"\s+", " ", re.sub(r"<form.*?</form>|<[^>]+>", " ",
                                        html.unescape(row), flags=re.S)).strip()
            for row in rows]


def lift(client, limit: str, subject: str):
    page = client.get(LOCKS).get_data(as_text=True)
    return client.post(f"{LOCKS}/lift", data={"csrf_token": csrf_token(page), "limit": limit,
                                               "subject": subject}, follow_redirects=True)


def lifts() -> list[AuditEvent]:
    return list(db.session.scalars(sa.select(AuditEvent).where(
        AuditEvent.action == "ratelimit.lift").order_by(AuditEvent.id)))


def locked_site(limited):
    """Pieter's account locked, an unknown address locked, and the address 192.0.2.80 locked
    for wrong passwords; Pieter's account id."""
    site = limited(failed_login_per_account="2/hour", failed_login_per_address="6/hour")
    with site.app_context():
        pieter = make_user(locale="en").id
        make_user("anna@example.nl", name="Anna", locale="en")
    guesser = client_at(site, "192.0.2.80")
    for email in ("pieter@example.nl", "niemand@example.nl") * 2 + ("a@example.nl", "b@x.nl"):
        assert_wrong_password(log_in(guesser, email, "geraden-wachtwoord"))
    return site, pieter


def test_the_admin_sees_the_locks_and_lifting_one_lets_the_person_log_in_at_once(limited):
    site, pieter = locked_site(limited)
    admin = admin_client(site)
    page = admin.get(LOCKS)
    assert page.status_code == 200
    rows = lock_rows(page)
    assert len(rows) == 3, rows
    # Accounts first (by e-mail address, or hashed when there is no account), then addresses.
    accounts = sorted(rows[:2])
    assert re.fullmatch(r"An e-mail address without an account \(email:[0-9a-f]{8}…\) Wrong "
                        rf"passwords for one account 2 {AN_HOUR}", accounts[0]), rows
    assert re.fullmatch(r"pieter@example\.nl \(Pieter de Vries\) Wrong passwords for one "
                        rf"account 2 {AN_HOUR}", accounts[1]), rows
    assert re.fullmatch(r"Address 192\.0\.2\.80 Wrong passwords from one address, for any "
                        rf"account 6 {AN_HOUR}", rows[2]), rows
    assert "Wrong passwords for one account: 2 in 1 hour" in text(page)

    # Pieter, at home, is locked out; the admin lifts his lock; he logs in at once.
    pieter_at_home = client_at(site, "192.0.2.81")
    assert_login_refused(log_in(pieter_at_home), ACCOUNT_LOCKED, AN_HOUR, "pieter@example.nl")
    lifted = lift(admin, "failed_login_per_account", f"user:{pieter}")
    assert "The lock on pieter@example.nl has been lifted: logging in works again at once." \
        in text(lifted)
    assert not any(row.startswith("pieter@example.nl") for row in lock_rows(lifted))
    assert len(lock_rows(lifted)) == 2
    assert log_in(pieter_at_home).status_code == 302
    with site.app_context():
        [event] = lifts()
        assert event.actor.email == "beheer@example.nl"
        assert (event.target_type, event.target_id) == ("user", pieter)
        assert event.before["limit"] == "failed_login_per_account"
        # The account is the target; its address is not copied into the trail.
        assert "pieter@example.nl" not in str(event.before) + str(event.after)
        assert event.before["attempts"] == 2 and 3500 < event.before["seconds_left"] <= 3600
        assert event.after["seconds_left"] == 0

    # Lifting it again is harmless: nothing changes and nothing more is recorded.
    again = lift(admin, "failed_login_per_account", f"user:{pieter}")
    assert "This lock had already been lifted or has run out; nothing has changed." \
        in text(again)
    assert len(lock_rows(again)) == 2
    with site.app_context():
        assert len(lifts()) == 1


def test_lifting_the_lock_of_an_address_lets_everyone_there_log_in(limited):
    site, _pieter = locked_site(limited)
    admin = admin_client(site)
    anna = client_at(site, "192.0.2.80")
    assert_login_refused(log_in(anna, "anna@example.nl"), ADDRESS_FAILED, AN_HOUR,
                         "anna@example.nl")
    lifted = lift(admin, "failed_login_per_address", "addr:192.0.2.80")
    assert "The lock on 192.0.2.80 has been lifted" in text(lifted)
    assert not any(row.startswith("Address") for row in lock_rows(lifted))
    assert log_in(anna, "anna@example.nl").status_code == 302
    with site.app_context():
        [event] = lifts()
        assert (event.target_type, event.target_id) == ("login_lock", None)
        assert event.before["address"] == "192.0.2.80"


def test_two_admins_lifting_one_lock_at_once_lift_it_once(limited):
    site, pieter = locked_site(limited)
    admins = [admin_client(site)]
    with site.app_context():
        make_user("beheer2@example.nl", role="admin", name="Beheerder 2", locale="en")
    admins.append(client_at(site, "192.0.2.91"))
    login(admins[1], "beheer2@example.nl")
    tokens = [csrf_token(a.get(LOCKS).get_data(as_text=True)) for a in admins]
    answers, ready = [None, None], threading.Barrier(2)

    def send(n: int) -> None:
        ready.wait()
        answers[n] = admins[n].post(f"{LOCKS}/lift", data={
            "csrf_token": tokens[n], "limit": "failed_login_per_account",
            "subject": f"user:{pieter}"}, follow_redirects=True)
    threads = [threading.Thread(target=send, args=(n,)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    said = sorted("has been lifted" in text(a) for a in answers)
    assert said == [False, True]
    [second] = [a for a in answers if "has been lifted" not in text(a)]
    assert "already been lifted" in text(second)
    with site.app_context():
        assert len(lifts()) == 1
    assert log_in(client_at(site, "192.0.2.82")).status_code == 302


def test_only_admins_see_and_lift_login_locks(limited):
    site, pieter = locked_site(limited)
    with site.app_context():
        make_user("mod@example.nl", role="moderator", name="Mod", locale="en")
    moderator = client_at(site, "192.0.2.92")
    login(moderator, "mod@example.nl")
    assert moderator.get(LOCKS).status_code == 403
    token = csrf_token(moderator.get("/").get_data(as_text=True))
    refused = moderator.post(f"{LOCKS}/lift", data={
        "csrf_token": token, "limit": "failed_login_per_account", "subject": f"user:{pieter}"})
    assert refused.status_code == 403
    visitor = client_at(site, "192.0.2.93")
    assert visitor.get(LOCKS).status_code == 302  # to the login page
    assert_login_refused(log_in(client_at(site, "192.0.2.94")), ACCOUNT_LOCKED, AN_HOUR,
                         "pieter@example.nl")
    with site.app_context():
        assert lifts() == []
    # A forged lift without the page's token changes nothing either.
    admin = admin_client(site)
    forged = admin.post(f"{LOCKS}/lift", data={"limit": "failed_login_per_account",
                                               "subject": f"user:{pieter}"})
    assert forged.status_code == 400
    assert any(row.startswith("pieter@example.nl") for row in lock_rows(admin.get(LOCKS)))
    with site.app_context():
        assert lifts() == []


def test_the_locks_page_has_the_same_queries_for_two_locks_or_twelve(limited):
    site = limited(failed_login_per_account="1/hour", failed_login_per_address="1000/hour")
    with site.app_context():
        emails = make_people(12)
    admin = admin_client(site)
    counter = QueryCounter()
    with site.app_context():
        engine = db.engine

    def queries() -> tuple[int, int]:
        sa.event.listen(engine, "before_cursor_execute", counter)
        try:
            counter.statements.clear()
            rows = len(lock_rows(admin.get(LOCKS)))
            return rows, counter.count
        finally:
            sa.event.remove(engine, "before_cursor_execute", counter)
    guesser = client_at(site, "192.0.2.95")
    for email in emails[:2]:
        assert_wrong_password(log_in(guesser, email, "geraden-wachtwoord"))
    rows_two, few = queries()
    for email in emails[2:]:
        assert_wrong_password(log_in(guesser, email, "geraden-wachtwoord"))
    rows_twelve, many = queries()
    assert (rows_two, rows_twelve) == (2, 12)
    assert few == many


def test_without_its_redis_logging_in_still_works_and_the_admin_is_told(limited):
    """Redis away: a login is let through rather than refused, and the locks page says why it
    lists nothing."""
    from .conftest import free_port

    site = limited({"RATELIMIT_STORAGE_URI": f"redis://127.0.0.1:{free_port()}"})
    with site.app_context():
        make_user(locale="en")
    admin = admin_client(site)  # logging in works
    page = admin.get(LOCKS)
    assert page.status_code == 200
    assert ("The store of the rate limits cannot be reached now, so the locks cannot be "
            "shown. Try again in a moment.") in text(page)
    assert_wrong_password(log_in(client_at(site, "192.0.2.96"), password="geraden-wachtwoord"))



def test_without_its_redis_a_limited_form_is_counted_in_the_process(limited):
    """Redis away: a post is neither refused with a 500 nor let through uncounted; the process
    counts in its own memory (RATELIMIT_IN_MEMORY_FALLBACK_ENABLED) until Redis is back."""
    from .conftest import free_port

    site = limited({"RATELIMIT_STORAGE_URI": f"redis://127.0.0.1:{free_port()}"},
                   contributions="2/hour")
    themes = input_process(site)
    client = site.test_client()
    login(client)
    assert give(client, themes["Werklocaties"], "Eerste inbreng").status_code == 302
    assert give(client, themes["Arbeidsmarkt"], "Tweede inbreng").status_code == 302
    third = give(client, themes["Energietransitie"], "Derde inbreng")
    assert_form_kept(third, 'value="Derde inbreng"')
    with site.app_context():
        assert count(Contribution) == 2

# --- several web processes ----------------------------------------------------------------

def test_two_app_instances_share_their_counters_through_redis(limited):
    prefix = f"participation-test-{uuid.uuid4().hex}"
    shared = {"RATELIMIT_STORAGE_URI": REDIS_URL, "RATELIMIT_KEY_PREFIX": prefix}
    one, two = (limited(shared, failed_login_per_address="3/hour"),
                limited(shared, failed_login_per_address="3/hour"))
    with one.app_context():
        make_user(locale="en")
        make_user("anna@example.nl", name="Anna", locale="en")
    store = redis.Redis.from_url(REDIS_URL)
    try:
        first, second = client_at(one, "192.0.2.70"), client_at(two, "192.0.2.70")
        for client, email in ((first, "pieter@example.nl"), (second, "anna@example.nl"),
                              (first, "niemand@example.nl")):
            assert_wrong_password(log_in(client, email, "fout-wachtwoord-1"))
        # The fourth attempt waits, whichever process gets it.
        assert_login_refused(log_in(second), ADDRESS_FAILED, AN_HOUR, "pieter@example.nl")
        assert_login_refused(log_in(first), ADDRESS_FAILED, AN_HOUR, "pieter@example.nl")
        keys = [key.decode() for key in store.scan_iter(match=f"*{prefix}*")]
        assert keys and all("@example.nl" not in key for key in keys)
    finally:
        for key in store.scan_iter(match=f"*{prefix}*"):
            store.delete(key)
        store.close()
        for site in (one, two):
            site.extensions["participation.limiter"].storage.storage.close()

    # Without a shared store each process counts on its own: the reason for Redis.
    alone_one, alone_two = (limited(failed_login_per_address="3/hour"),
                            limited(failed_login_per_address="3/hour"))
    for _ in range(3):
        log_in(client_at(alone_one, "192.0.2.71"), "anna@example.nl", "fout-wachtwoord-1")
    assert_login_refused(log_in(client_at(alone_one, "192.0.2.71")), ADDRESS_FAILED, AN_HOUR,
                         "pieter@example.nl")
    assert log_in(client_at(alone_two, "192.0.2.71")).status_code == 302


def test_a_lock_counted_in_redis_is_listed_and_lifted_through_another_instance(limited):
    prefix = f"participation-test-{uuid.uuid4().hex}"
    shared = {"RATELIMIT_STORAGE_URI": REDIS_URL, "RATELIMIT_KEY_PREFIX": prefix}
    one, two = (limited(shared, failed_login_per_account="2/hour"),
                limited(shared, failed_login_per_account="2/hour"))
    with one.app_context():
        pieter = make_user(locale="en").id
    store = redis.Redis.from_url(REDIS_URL)
    try:
        for site in (one, two):
            assert_wrong_password(log_in(client_at(site, "192.0.2.72"),
                                         password="fout-wachtwoord-1"))
        assert_login_refused(log_in(client_at(one, "192.0.2.73")), ACCOUNT_LOCKED, AN_HOUR,
                             "pieter@example.nl")
        admin = admin_client(two)
        [row] = lock_rows(admin.get(LOCKS))
        assert re.fullmatch(r"pieter@example\.nl \(Pieter de Vries\) Wrong passwords for one "
                            rf"account 2 {AN_HOUR}", row), row
        lifted = lift(admin, "failed_login_per_account", f"user:{pieter}")
        assert "The lock on pieter@example.nl has been lifted" in text(lifted)
        assert lock_rows(lifted) == []
        assert log_in(client_at(one, "192.0.2.73")).status_code == 302  # the other instance
        again = lift(admin, "failed_login_per_account", f"user:{pieter}")
        assert "already been lifted" in text(again)
        with two.app_context():
            assert len(lifts()) == 1
    finally:
        for key in store.scan_iter(match=f"*{prefix}*"):
            store.delete(key)
        store.close()
        for site in (one, two):
            site.extensions["participation.limiter"].storage.storage.close()
