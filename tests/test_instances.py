"""Several web processes side by side, as in production: two gunicorn instances of `wsgi:app` on
one PostgreSQL database, one Redis and one upload folder, and two mail workers on one outbox.
Whatever one instance does, the other must see: the session, the rate-limit counters, the files;
and two mail workers must never send a message twice.
"""
from __future__ import annotations

import collections
import re
import threading
import time
import uuid
from dataclasses import dataclass
from types import SimpleNamespace
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from participation.accounts.models import User
from participation.comments.models import Comment
from participation.contributions.models import Contribution
from participation.core.extensions import db
from participation.mail.models import OutboxMessage, OutboxState
from participation.mail.services import queue_mail

from .factories import make_process, make_user, open_feedback_round, publish_draft
from .instances import Instance, Person, Site, pdf_with, running_site

pytestmark = pytest.mark.once

PASSWORD = "lange-wachtzin-42"
NEW_INPUT = "/p/economie/input/new"


@dataclass
class TwoInstances:
    site: Site
    a: Instance
    b: Instance
    theme_id: int


@pytest.fixture(scope="module")
def two(tmp_path_factory, smtp_server):
    # PROXIES=1: as behind the load balancer that spreads visitors over the instances, the
    # client's address comes from X-Forwarded-For (each Person below has its own).
    with running_site(tmp_path_factory.mktemp("instances"), mail_port=smtp_server.port,
                      SPAM_MIN_SECONDS="0", PROXIES="1") as site:
        with site.app().app_context():
            theme_id = make_process().themes[0].id
            concept = make_process("concept")
            open_feedback_round(concept, audience="registered")
            publish_draft(concept, make_user("team@assen.example", role="moderator"))
            for name in ("Anna Jansen", "Carla Smit", "Dirk Mulder", "Eva de Boer"):
                make_user(f"{name.split()[0].lower()}@example.nl", name=name, locale="en")
        yield TwoInstances(site, site.start_instance("a"), site.start_instance("b"), theme_id)


def path_of(location: str) -> str:
    return urlsplit(location).path


def contribution_form(token: str, theme_id: int, title: str, **more) -> dict:
    return {"csrf_token": token, "theme_id": str(theme_id), "title": title,
            "body": f"Mijn inbreng: {title}.", "submission_key": uuid.uuid4().hex, **more}


def test_a_session_started_on_one_instance_works_on_the_other(two):
    assert Person("192.0.2.1").get(f"{two.b.url}/account/").status == 302  # a visitor: to login
    anna = Person("192.0.2.2")
    anna.log_in(two.a.url, "anna@example.nl", PASSWORD)

    account = anna.get(f"{two.b.url}/account/")
    assert account.status == 200
    assert "<h1>My account</h1>" in account.text and "anna@example.nl" in account.text

    # A form loaded from A, sent to B: B accepts A's CSRF token, and A shows B's message.
    token = anna.form_token(f"{two.a.url}{NEW_INPUT}")
    title = f"Sessie van A naar B {uuid.uuid4().hex[:8]}"
    sent = anna.post(f"{two.b.url}{NEW_INPUT}", contribution_form(token, two.theme_id, title))
    assert sent.status == 302, sent.plain()[:2000]
    assert re.fullmatch(r"/p/economie/input/\d+", path_of(sent.location))
    shown = anna.get(two.a.url + path_of(sent.location))
    assert "Thank you. Your input has been published." in shown.plain() and title in shown.text

    # The token is really checked on B: a forged one is refused, with the text kept.
    forged = anna.post(f"{two.b.url}{NEW_INPUT}",
                       contribution_form("forged-token", two.theme_id, title + " vervalst"))
    assert forged.status != 302 and title + " vervalst" in forged.text

    with two.site.app().app_context():
        rows = db.session.execute(sa.select(Contribution.title, Contribution.author_id)
                                  .where(Contribution.title.like("Sessie van A naar B%"))).all()
        anna_id = db.session.scalar(sa.select(User.id).where(User.email == "anna@example.nl"))
    assert rows == [(title, anna_id)]


def test_rate_limits_are_counted_across_instances(two):
    """Login: 10 wrong passwords per account in 15 minutes (the default), half on A, half on B."""
    guesser = Person("192.0.2.50")
    guesser.choose_language(two.a.url, "en")
    for attempt in range(10):
        instance = two.a if attempt % 2 == 0 else two.b
        token = guesser.form_token(f"{instance.url}/account/login")
        wrong = guesser.post(f"{instance.url}/account/login", {
            "csrf_token": token, "email": "carla@example.nl", "password": f"geraden-{attempt}"})
        assert wrong.status == 200, (attempt, wrong.status)
        assert "The e-mail address or the password is not right." in wrong.plain()
    for instance in (two.a, two.b):
        token = guesser.form_token(f"{instance.url}/account/login")  # loading is not limited
        refused = guesser.post(f"{instance.url}/account/login", {
            "csrf_token": token, "email": "carla@example.nl", "password": PASSWORD})
        assert refused.status == 429, (instance.name, refused.status)
        assert "too many times in a short time, so it is locked for now" in refused.plain()
        assert 'value="carla@example.nl"' in refused.text  # the form stays filled in
        assert 1 <= int(refused.headers["Retry-After"]) <= 900
    assert guesser.get(f"{two.b.url}/account/").status == 302  # not logged in on either

    # The lock is Carla's account's: Dirk, from the same address, logs in.
    Person("192.0.2.50").log_in(two.b.url, "dirk@example.nl", PASSWORD)


def test_an_upload_through_one_instance_is_served_by_the_other(two):
    anna = Person("192.0.2.3")
    anna.log_in(two.a.url, "anna@example.nl", PASSWORD)
    paper = pdf_with(f"positiepaper-{uuid.uuid4().hex}")
    token = anna.form_token(f"{two.a.url}{NEW_INPUT}")
    sent = anna.post(f"{two.a.url}{NEW_INPUT}",
                     contribution_form(token, two.theme_id, "Met positiepaper"),
                     files={"paper": ("positiepaper.pdf", paper, "application/pdf")})
    assert sent.status == 302, sent.plain()[:2000]
    item = path_of(sent.location)

    page = Person("192.0.2.4").get(two.b.url + item)  # a visitor, on the other instance
    assert page.status == 200 and f'href="{item}/paper"' in page.text
    download = Person("192.0.2.4").get(f"{two.b.url}{item}/paper")
    assert download.status == 200
    assert download.headers["Content-Type"] == "application/pdf"
    assert download.body == paper
    stored = [f.read_bytes() for f in two.site.upload_folder.iterdir()]
    assert stored.count(paper) == 1


def double_click(person: Person, urls: list[str], fields: dict) -> list:
    """The same form sent twice at the same moment, once to each URL."""
    answers, ready = [None, None], threading.Barrier(2)

    def send(n: int) -> None:
        ready.wait()
        answers[n] = person.post(urls[n], fields)
    threads = [threading.Thread(target=send, args=(n,)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return answers


def test_a_double_click_answered_by_both_instances_saves_once(two):
    """Both halves reach different web processes at once: one saves, the other finds it (the
    unique submission key settles a race that the check before saving cannot see), and both
    lead the person to the one row. Within the default limits: 10 input, 30 reactions an hour."""
    sections = [f"{two.a.url}/p/concept/draft/s/1", f"{two.b.url}/p/concept/draft/s/1"]
    inputs = [f"{two.a.url}{NEW_INPUT}", f"{two.b.url}{NEW_INPUT}"]
    cases = []
    dirk, eva = Person("192.0.2.6"), Person("192.0.2.7")
    dirk.log_in(two.b.url, "dirk@example.nl", PASSWORD)
    eva.log_in(two.a.url, "eva@example.nl", PASSWORD)
    token = dirk.form_token(sections[0])
    for n in range(12):
        fields = {"csrf_token": token, "submission_key": uuid.uuid4().hex,
                  "body": f"Dubbelklik {n} {uuid.uuid4().hex[:8]}"}
        cases.append(("comment", fields["body"], double_click(dirk, sections, fields)))
    token = eva.form_token(inputs[0])
    for n in range(4):
        fields = contribution_form(token, two.theme_id, f"Dubbelklik {n} {uuid.uuid4().hex[:8]}")
        cases.append(("input", fields["title"], double_click(eva, inputs, fields)))

    with two.site.app().app_context():
        stored = collections.Counter(db.session.scalars(
            sa.select(Comment.body_md).where(Comment.body_md.like("Dubbelklik%"))))
        stored.update(db.session.scalars(
            sa.select(Contribution.title).where(Contribution.title.like("Dubbelklik%"))))
    for kind, text, answers in cases:
        assert [a.status for a in answers] == [302, 302], (kind, text, [
            (a.status, a.plain()[-1500:]) for a in answers if a.status != 302])
        assert len({urlsplit(a.location).fragment or a.location for a in answers}) == 1, \
            (kind, [a.location for a in answers])
        assert stored[text] == 1, (kind, text, stored[text])


def test_two_mail_workers_send_each_message_exactly_once(two, smtp_server):
    site, count = two.site, 300
    # Both workers run and poll an empty outbox before anything is queued: they meet the same
    # rows at the same time, which is what the row locks must settle.
    workers = [site.start_mail_worker("mail-1"), site.start_mail_worker("mail-2")]
    tag = uuid.uuid4().hex[:8]
    recipients = [f"ontvanger-{tag}-{n}@example.nl" for n in range(count)]
    app = site.app()
    with app.test_request_context():
        for recipient in recipients:
            queue_mail(recipient, "password_changed", _l("Your password was changed"), "en",
                       user=SimpleNamespace(name=recipient.split("@")[0]),
                       reset_url="http://127.0.0.1/account/password/forgot")
        db.session.commit()

    def states() -> collections.Counter:
        with app.app_context():
            found = collections.Counter(db.session.scalars(
                sa.select(OutboxMessage.state).where(OutboxMessage.recipient.in_(recipients))))
            db.session.remove()
        return found
    deadline = time.monotonic() + 60
    while states()[OutboxState.sent] < count and time.monotonic() < deadline:
        assert all(w.alive() for w in workers), [w.tail() for w in workers]
        time.sleep(0.2)
    time.sleep(0.5)  # a second send, if there were one, would come now
    for worker in workers:
        assert worker.stop() == 0, worker.tail()
        assert "mail worker: stopped" in worker.output()

    assert states() == {OutboxState.sent: count}
    received = collections.Counter(m.recipient for m in smtp_server.inbox.messages
                                   if m.recipient in set(recipients))
    assert sorted(received) == sorted(recipients)
    assert set(received.values()) == {1}, [r for r, n in received.items() if n > 1][:10]
    with app.app_context():
        attempts = set(db.session.scalars(sa.select(OutboxMessage.attempts)
                                          .where(OutboxMessage.recipient.in_(recipients))))
    assert attempts == {1}
    by_worker = [sum(int(n) for n in re.findall(r"^sent (\d+),", w.output(), re.M))
                 for w in workers]
    assert sum(by_worker) == count, by_worker
    assert all(by_worker), f"one worker sent nothing, so they did not compete: {by_worker}"
    print(f"\nmail: {count} messages, sent by the two workers {by_worker[0]} + {by_worker[1]}, "
          "each received once")
