"""Rate limits on the real views: each route's limit is reached, answered and lifted again.

The suite's shared app has the limits off (TESTING); these tests make apps with them on, on the
same test database, with small figures so a limit is reached in a few posts.
"""
from __future__ import annotations

import io
import re
import time
import uuid

import pytest
import redis
import sqlalchemy as sa

from participation import create_app
from participation.accounts.models import User
from participation.comments.models import Comment
from participation.config import Defaults
from participation.contributions.models import Contribution
from participation.extensions import db
from participation.invitations.models import Invitation
from participation.mail.models import OutboxMessage
from participation.moderation.models import Flag

from .conftest import csrf_token, field_errors, login, make_organisation, make_user
from .conftest import test_config as base_config
from .factories import make_contribution, make_process, open_feedback_round, publish_draft

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


def count(model, *where) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


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


def log_in(client, email="pieter@example.nl", password=PASSWORD):
    return post_form(client, LOGIN, {"email": email, "password": password})


def test_login_is_limited_per_address_and_every_attempt_counts(limited):
    site = limited(login="3/hour")
    with site.app_context():
        make_user(locale="en")
    client = client_at(site, "192.0.2.10")
    for _ in range(3):
        wrong = log_in(client, password="niet-het-goede-wachtwoord")
        assert wrong.status_code == 200
        assert "The e-mail address or the password is not right." in text(wrong)
    limited_answer = log_in(client)  # even the right password waits now
    assert 3595 <= assert_limited_page(limited_answer) <= 3601
    assert client.get("/account/").status_code == 302  # not logged in
    assert client.get(LOGIN).status_code == 200  # loading the form is never limited
    assert log_in(client_at(site, "192.0.2.11")).status_code == 302  # another address


def test_login_is_limited_per_email_address_from_many_addresses(limited):
    site = limited(login="100/hour", login_per_email="2/hour")
    with site.app_context():
        make_user(locale="en")
        make_user("anna@example.nl", name="Anna", locale="en")
    for address in ("192.0.2.20", "192.0.2.21"):
        assert log_in(client_at(site, address), password="geraden-wachtwoord").status_code == 200
    # A third address, the right password: this account is protected for the rest of the hour,
    # however the address is written.
    assert_limited_page(log_in(client_at(site, "192.0.2.22")))
    assert_limited_page(log_in(client_at(site, "192.0.2.23"), email="  Pieter@Example.NL "))
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
    waits = {}
    for name, post in routes.items():
        assert post().status_code in (200, 302), name
        refused = post()
        assert refused.status_code == 429, name
        waits[name] = int(refused.headers["Retry-After"])
        assert 1 <= waits[name] <= 5, (name, waits[name])
    time.sleep(max(waits.values()))
    for name, post in routes.items():
        assert post().status_code in (200, 302), name


# --- several web processes ----------------------------------------------------------------

def test_two_app_instances_share_their_counters_through_redis(limited):
    prefix = f"participation-test-{uuid.uuid4().hex}"
    shared = {"RATELIMIT_STORAGE_URI": REDIS_URL, "RATELIMIT_KEY_PREFIX": prefix}
    one, two = limited(shared, login="3/hour"), limited(shared, login="3/hour")
    with one.app_context():
        make_user(locale="en")
    store = redis.Redis.from_url(REDIS_URL)
    try:
        first, second = client_at(one, "192.0.2.70"), client_at(two, "192.0.2.70")
        for client in (first, second, first):
            assert log_in(client, password="fout-wachtwoord-1").status_code == 200
        assert_limited_page(log_in(second))  # the fourth attempt, whichever process gets it
        assert_limited_page(log_in(first))
        keys = [key.decode() for key in store.scan_iter(match=f"*{prefix}*")]
        assert keys and all("pieter@example.nl" not in key for key in keys)
    finally:
        for key in store.scan_iter(match=f"*{prefix}*"):
            store.delete(key)
        store.close()
        for site in (one, two):
            site.extensions["participation.limiter"].storage.storage.close()

    # Without a shared store each process counts on its own: the reason for Redis.
    alone_one, alone_two = limited(login="3/hour"), limited(login="3/hour")
    for _ in range(3):
        log_in(client_at(alone_one, "192.0.2.71"), password="fout-wachtwoord-1")
    assert_limited_page(log_in(client_at(alone_one, "192.0.2.71")))
    assert log_in(client_at(alone_two, "192.0.2.71")).status_code == 302
