"""Logging out ends the session on the server: a copy of the cookies taken before (a stolen
cookie, a browser that did not delete it) no longer logs in, on any device or instance."""
from __future__ import annotations

import threading

import sqlalchemy as sa

from participation import create_app
from participation.accounts.models import User
from participation.core.extensions import db

from .factories import csrf_token, login, make_user, submit
from .conftest import test_config as base_config

ACCOUNT = "/account/"
LOGIN_REDIRECT = "/account/login?next=%2Faccount%2F"


def cookies_of(client, *names: str) -> dict[str, str]:
    """The values of the named cookies in the client's jar (all of them must be there)."""
    found = {name: client.get_cookie(name) for name in names}
    assert all(found.values()), found
    return {name: cookie.value for name, cookie in found.items()}


def replayed(app, cookies: dict[str, str]):
    """A fresh browser that sends only these cookies."""
    client = app.test_client()
    for name, value in cookies.items():
        client.set_cookie(name, value)
    return client


def assert_logged_in(client, email="pieter@example.nl"):
    page = client.get(ACCOUNT)
    assert page.status_code == 200, page.headers.get("Location")
    html = page.get_data(as_text=True)
    assert "<h1>Mijn account</h1>" in html and email in html


def assert_refused(client):
    page = client.get(ACCOUNT)
    assert page.status_code == 302
    assert page.headers["Location"] == LOGIN_REDIRECT


def log_out(client):
    answer = submit(client, "/account/logout", {}, page_url="/")
    assert answer.status_code == 302
    return answer


def epoch(app) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(User.session_epoch))


def test_a_session_cookie_copied_before_logout_no_longer_logs_in(client, app):
    with app.app_context():
        make_user()
    login(client)
    copy = cookies_of(client, "session")
    assert_logged_in(replayed(app, copy))  # the copy works while the session lasts

    log_out(client)
    assert_refused(client)
    assert_refused(replayed(app, copy))
    assert epoch(app) == 1


def test_a_remember_me_cookie_copied_before_logout_no_longer_logs_in(client, app):
    with app.app_context():
        make_user()
    login(client, remember=True)
    remember = cookies_of(client, "remember_token")
    both = cookies_of(client, "session", "remember_token")
    # The remember-me cookie alone logs a new browser in, as it should until logout.
    assert_logged_in(replayed(app, remember))

    log_out(client)
    assert_refused(replayed(app, remember))
    assert_refused(replayed(app, both))


def test_logout_ends_the_sessions_on_other_devices_and_a_new_login_works(client, app):
    with app.app_context():
        make_user()
    phone = app.test_client()
    login(client)
    login(phone, remember=True)
    first = cookies_of(client, "session")

    log_out(client)
    assert_refused(phone)  # documented: a logout ends the person's sessions everywhere
    assert epoch(app) == 1

    # Logging in again gives a session that works; the old copy stays refused.
    login(client)
    assert_logged_in(client)
    assert_refused(replayed(app, first))
    second = cookies_of(client, "session")
    log_out(client)  # and again: the second session ends alike
    assert_refused(replayed(app, second))
    assert_refused(replayed(app, first))
    assert epoch(app) == 2


def test_a_logout_refused_for_its_token_ends_nothing(client, app):
    with app.app_context():
        make_user()
    login(client)
    answer = client.post("/account/logout", data={"csrf_token": "vervalst"})
    assert answer.status_code == 400  # the global CSRF check
    assert_logged_in(client)
    assert epoch(app) == 0


def test_two_devices_logging_out_at_once_both_end(client, app):
    with app.app_context():
        make_user()
    laptop, phone = client, app.test_client()
    login(laptop)
    login(phone)
    copies = [cookies_of(laptop, "session"), cookies_of(phone, "session")]
    tokens = [csrf_token(c.get("/").get_data(as_text=True)) for c in (laptop, phone)]
    answers, ready = [None, None], threading.Barrier(2)

    def send(n: int) -> None:
        ready.wait()
        answers[n] = (laptop, phone)[n].post("/account/logout", data={"csrf_token": tokens[n]})
    threads = [threading.Thread(target=send, args=(n,)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert [a.status_code for a in answers] == [302, 302]
    # 2 when both loaded the person before either had committed (raised in SQL, neither is
    # lost); 1 when the second came after the first's commit and so was logged out already.
    assert epoch(app) in (1, 2)
    for copy in copies:
        assert_refused(replayed(app, copy))


def test_logging_out_on_one_instance_ends_the_session_on_the_other(client, app, database_url,
                                                                    smtp_server):
    other = create_app({**base_config(database_url, smtp_server.port),
                        "SECRET_KEY": app.config["SECRET_KEY"]})
    try:
        with app.app_context():
            make_user()
        login(client, remember=True)
        copy = cookies_of(client, "session", "remember_token")
        assert_logged_in(replayed(other, copy))  # one login, valid on both instances

        log_out(replayed(other, copy))  # logged out on the other instance
        assert_refused(client)
        assert_refused(replayed(app, copy))
        assert_refused(replayed(app, {"remember_token": copy["remember_token"]}))
    finally:
        with other.app_context():
            db.session.remove()
            db.engine.dispose()
