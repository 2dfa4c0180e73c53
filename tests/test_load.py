"""Load without loss: 5,000 posts from 50 logged-in participants at once, spread over two gunicorn
instances (2 workers each) that share PostgreSQL and Redis, with the rate limits on.

Every response is recorded. Afterwards: no 5xx; every post the person saw accepted (a redirect to
their input, or to their reaction in the thread) has exactly one row, and every refused one none;
double clicks and re-sent forms (the same submission key) never make a second row; the shared
rate-limit counters held per person across both instances. However long it takes: how fast it
goes is measured by bench/load.py (see the README, Benchmarks), not asserted here.
"""
from __future__ import annotations

import collections
import http.client
import re
import threading
import uuid
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa

from participation.accounts.models import User
from participation.core.roles import Role
from participation.accounts.passwords import hash_password
from participation.comments.models import Comment
from participation.core.config import Defaults, from_environment
from participation.contributions.models import Contribution
from participation.core.extensions import db
from participation.core.timeutil import utcnow

from .factories import make_comment, make_process, make_user, open_feedback_round, publish_draft
from .instances import Instance, Person, as_json, running_site

pytestmark = pytest.mark.once

USERS = 50
#: Per participant: first sends, half input on a theme, half reactions (a third of those replies).
POSTS_PER_USER = 100
SECTIONS = 50
PASSWORD = "lange-wachtzin-42"
#: Per person an hour; the defaults (10 input, 30 reactions) would refuse most of a load of 50
#: posts of each kind per person. Raised, still below what each person sends, so the limits
#: refuse some posts of everyone, counted in Redis across both instances.
LIMITS = {"contributions": "45/hour", "comments": "45/hour"}
LIMIT = 45
#: Of every 40 posts of a person (20 of each kind): one input and one reaction are sent again
#: after their answer (reload, back and send), one of each is a double click (the same form twice
#: at once, one to each instance).
RESEND, TWIN = {6, 27}, {12, 33}
#: Of every 10 posts, the person follows the redirect and reads the confirmation.
FOLLOW = 3

CONFIRMED = {"input": "Thank you. Your input has been published.",
             "comment": "Thank you. Your reaction has been placed."}
ALREADY = {"input": "Your input had already been received.",
           "comment": "Your reaction had already been received."}
KEPT = "You have sent this form many times in a short time. Your text is kept"
ACCEPTED_AT = {"input": re.compile(r"/p/economie/input/(\d+)"),
               "comment": re.compile(r"/p/concept/draft/s/\d+(?:\?[^#]*)?#c-(\d+)")}
MARKER = re.compile(r"\bm\d{2}-\d{3}-[0-9a-f]{8}\b")


@dataclass
class Post:
    user: int
    index: int
    kind: str  # "input" or "comment" (a reply is a comment)
    path: str
    fields: dict[str, str]

    @property
    def marker(self) -> str:
        return MARKER.search(self.fields.get("title") or self.fields["body"]).group(0)

    @property
    def limit(self) -> str:
        return "contributions" if self.kind == "input" else "comments"


@dataclass
class Sent:
    post: Post
    role: str  # "first", "resend" or "twin"
    instance: str
    status: int | None
    location: str = ""
    body: str = ""
    error: str = ""

    @property
    def accepted_id(self) -> int | None:
        if self.status != 302:
            return None
        match = ACCEPTED_AT[self.post.kind].fullmatch(self.location)
        return int(match.group(1)) if match else None


@dataclass
class Seeded:
    theme_ids: list[int]
    section_numbers: list[str]
    team_comment_ids: list[int]
    emails: list[str] = field(default_factory=list)


@pytest.fixture
def two_instances(tmp_path, smtp_server):
    # PROXIES=1: the load balancer in front of the instances tells each person's address, so the
    # per-address login limit counts per person, as in production.
    with running_site(tmp_path, mail_port=smtp_server.port, SPAM_MIN_SECONDS="0", PROXIES="1",
                      RATE_LIMITS=as_json(LIMITS)) as site:
        seeded = seed(site.app())
        yield site, [site.start_instance("a", workers=2), site.start_instance("b", workers=2)], \
            seeded


def seed(app) -> Seeded:
    with app.app_context():
        themes = make_process("economie").themes
        moderator = make_user("team@assen.example", role="moderator", name="Projectteam")
        concept = make_process("concept")
        open_feedback_round(concept, audience="registered")
        markdown = "Inleiding.\n\n" + "\n\n".join(
            f"# Paragraaf {k}\n\nTekst van paragraaf {k}." for k in range(1, SECTIONS + 1))
        version = publish_draft(concept, moderator, markdown)
        sections = [s for s in version.sections if s.lineage_id is not None]
        team_comments = [make_comment(s, moderator, body=f"Vraag bij {s.number}.", by_team=True)
                         for s in sections]
        hashed = hash_password(PASSWORD)  # one hash for all: scrypt takes a while per call
        emails = [f"deelnemer{n:02d}@example.nl" for n in range(USERS)]
        for n, email in enumerate(emails):
            db.session.add(User(email=email, name=f"Deelnemer {n}", password_hash=hashed,
                                role=Role.participant, locale="en", email_confirmed_at=utcnow(),
                                consent_at=utcnow(),
                                consent_version=app.config["PRIVACY_STATEMENT_VERSION"]))
        db.session.commit()
        seeded = Seeded([t.id for t in themes], [s.number for s in sections],
                        [c.id for c in team_comments], emails)
        db.session.remove()
    assert len(seeded.section_numbers) == SECTIONS
    return seeded


def plan(user: int, token: str, seeded: Seeded) -> list[Post]:
    posts = []
    for i in range(POSTS_PER_USER):
        marker = f"m{user:02d}-{i:03d}-{uuid.uuid4().hex[:8]}"
        common = {"csrf_token": token, "submission_key": uuid.uuid4().hex}
        k = user + i
        if i % 2 == 0:
            posts.append(Post(user, i, "input", "/p/economie/input/new", {
                **common, "theme_id": str(seeded.theme_ids[k % len(seeded.theme_ids)]),
                "title": f"Inbreng {marker}",
                "body": f"Tekst bij {marker}: *meer ruimte* voor bedrijven.\n\n- werk\n- wonen"}))
        elif i % 6 == 1:
            parent = seeded.team_comment_ids[k % SECTIONS]
            posts.append(Post(user, i, "comment", f"/p/concept/comments/{parent}/reply", {
                **common, "body": f"Antwoord {marker} op de vraag van het team."}))
        else:
            number = seeded.section_numbers[k % SECTIONS]
            posts.append(Post(user, i, "comment", f"/p/concept/draft/s/{number}", {
                **common, "body": f"Reactie {marker} op deze *paragraaf*."}))
    return posts


def where_to(location: str) -> str:
    parts = urlsplit(location)
    return (parts.path + (f"?{parts.query}" if parts.query else "")
            + (f"#{parts.fragment}" if parts.fragment else ""))


class Participant:
    def __init__(self, n: int, instances: list[Instance], seeded: Seeded, record, problems):
        self.n, self.instances, self.seeded = n, instances, seeded
        self.record, self.problem = record, problems.append
        self.person = Person(f"10.20.{n // 200}.{n % 200 + 1}")

    def log_in(self) -> str:
        home = self.instances[self.n % 2]
        self.person.log_in(home.url, self.seeded.emails[self.n], PASSWORD)
        return self.person.form_token(f"{home.url}/p/economie/input/new")

    def send(self, post: Post, role: str, instance: Instance) -> Sent:
        try:
            answer = self.person.post(instance.url + post.path, post.fields)
        except (OSError, http.client.HTTPException) as error:
            sent = Sent(post, role, instance.name, None, error=f"{type(error).__name__}: {error}")
        else:
            sent = Sent(post, role, instance.name, answer.status, where_to(answer.location),
                        answer.text if answer.status != 302 else "")
        self.record(sent)
        return sent

    def read(self, sent: Sent, message: str, instance: Instance) -> None:
        """Follow the redirect, as the browser does, and check what the person reads there."""
        if sent.accepted_id is None:
            return
        page = self.person.get(instance.url + sent.location.split("#")[0])
        if page.status != 200 or message not in page.plain() \
                or sent.post.marker not in page.text:
            self.problem(f"{sent.post.marker} ({sent.role}): after the redirect {page.status}, "
                         f"{message!r} or the text not shown")

    def run(self, posts: list[Post], start: threading.Barrier) -> None:
        start.wait()
        try:
            self._run(posts)
        except Exception as error:  # reported with the other problems, not lost in a thread
            self.problem(f"participant {self.n} stopped: {type(error).__name__}: {error}")

    def _run(self, posts: list[Post]) -> None:
        for post in posts:
            here = self.instances[(self.n + post.index) % 2]
            there = self.instances[(self.n + post.index + 1) % 2]
            if post.index % 40 in TWIN:
                twin = threading.Thread(target=self.send, args=(post, "twin", there))
                twin.start()
                self.send(post, "first", here)
                twin.join()
                continue
            first = self.send(post, "first", here)
            if post.index % 40 in RESEND:
                self.read(first, CONFIRMED[post.kind], here)
                again = self.send(post, "resend", there)
                self.read(again, ALREADY[post.kind], there)
            elif post.index % 10 == FOLLOW:
                self.read(first, CONFIRMED[post.kind], here)


def test_rate_limit_figures_come_from_the_environment_and_are_checked(monkeypatch):
    monkeypatch.setenv("RATE_LIMITS", as_json(LIMITS))
    figures = from_environment()["RATE_LIMITS"]
    assert figures == {**Defaults.RATE_LIMITS, **LIMITS}
    assert figures["failed_login_per_account"] == "10 per 15 minutes"  # the others: defaults
    for wrong in ('{"comment": "45/hour"}', '{"comments": "45 an hour"}', '["comments"]', "45"):
        monkeypatch.setenv("RATE_LIMITS", wrong)
        with pytest.raises(ValueError):
            from_environment()


def test_load_without_loss(two_instances):
    site, instances, seeded = two_instances
    sent: list[Sent] = []
    problems: list[str] = []
    lock = threading.Lock()

    def record(item: Sent) -> None:
        with lock:
            sent.append(item)

    people = [Participant(n, instances, seeded, record, problems) for n in range(USERS)]
    tokens = [None] * USERS

    def log_in(n: int) -> None:
        tokens[n] = people[n].log_in()
    logins = [threading.Thread(target=log_in, args=(n,)) for n in range(USERS)]
    for thread in logins:
        thread.start()
    for thread in logins:
        thread.join()
    assert all(tokens), "not every participant could log in"
    plans = [plan(n, tokens[n], seeded) for n in range(USERS)]

    start = threading.Barrier(USERS + 1)
    threads = [threading.Thread(target=people[n].run, args=(plans[n], start), daemon=True)
               for n in range(USERS)]
    for thread in threads:
        thread.start()
    start.wait()
    for thread in threads:
        thread.join()

    # --- every answer ---------------------------------------------------------------------
    all_posts = [post for posts in plans for post in posts]
    assert len(all_posts) == USERS * POSTS_PER_USER
    assert [f"{s.post.marker}: {s.error}" for s in sent if s.error] == []
    server_errors = [(s.post.marker, s.post.path, s.instance, s.status, s.body[-1500:])
                     for s in sent if s.status >= 500]
    assert server_errors == [], f"{len(server_errors)} answers 5xx, first: {server_errors[:1]}"
    statuses = collections.Counter(s.status for s in sent)
    assert set(statuses) <= {302, 429}, [
        (s.post.marker, s.status, re.sub(r"\s+", " ", s.body)[-1500:])
        for s in sent if s.status not in (302, 429)][:2]
    wrong_redirect = [(s.post.marker, s.location) for s in sent
                      if s.status == 302 and s.accepted_id is None]
    assert wrong_redirect == []
    # A refused post shows the form again with the message and the person's text.
    not_kept = [s.post.marker for s in sent
                if s.status == 429 and (KEPT not in re.sub(r"\s+", " ", s.body)
                                        or s.post.marker not in s.body)]
    assert not_kept == []
    assert problems == []

    # --- what is stored -------------------------------------------------------------------
    answers_per_marker = collections.defaultdict(list)
    for s in sent:
        answers_per_marker[s.post.marker].append(s)
    assert len(answers_per_marker) == len(all_posts)
    accepted = {marker: {s.accepted_id for s in answers} - {None}
                for marker, answers in answers_per_marker.items()}
    # A double click or a re-send leads to the same input as the first send, never another.
    assert [m for m, ids in accepted.items() if len(ids) > 1] == []
    accepted = {marker: ids.pop() for marker, ids in accepted.items() if ids}

    with site.app().app_context():
        stored = [(MARKER.search(title), "input", id_, email) for title, id_, email in
                  db.session.execute(sa.select(Contribution.title, Contribution.id, User.email)
                                     .join(User, User.id == Contribution.author_id))]
        stored += [(MARKER.search(body), "comment", id_, email) for body, id_, email in
                   db.session.execute(sa.select(Comment.body_md, Comment.id, User.email)
                                      .join(User, User.id == Comment.author_id)
                                      .where(Comment.by_team.is_(False)))]
        row_count = (db.session.scalar(sa.select(sa.func.count(Contribution.id)))
                + db.session.scalar(sa.select(sa.func.count(Comment.id))) - SECTIONS)
        db.session.remove()
    assert row_count == len(stored)
    stored_ids = collections.defaultdict(list)
    for match, _kind, id_, email in stored:
        assert match, "a row without a marker: the load wrote something it did not send"
        stored_ids[match.group(0)].append(id_)
        # Under the author who sent it, whichever instance answered.
        assert email == seeded.emails[int(match.group(0)[1:3])], (match.group(0), email)
    duplicates = {m: ids for m, ids in stored_ids.items() if len(ids) > 1}
    assert duplicates == {}, f"{len(duplicates)} posts stored more than once"
    lost = sorted(set(accepted) - set(stored_ids))
    assert lost == [], f"{len(lost)} accepted posts have no row, e.g. {lost[:5]}"
    unasked = sorted(set(stored_ids) - set(accepted))
    assert unasked == [], f"{len(unasked)} rows for posts the person was told were refused"
    assert {m: ids[0] for m, ids in stored_ids.items()} == accepted
    assert len(stored) == len(accepted)

    # --- the shared rate limits held, per person, across both instances -------------------
    for n in range(USERS):
        for limit in ("contributions", "comments"):
            mine = [s for s in sent if s.post.user == n and s.post.limit == limit]
            twins = sum(1 for s in mine if s.role == "twin")
            saved = sum(1 for s in mine if s.status == 302)
            # Sent one after the other, a person gets exactly LIMIT redirects; a double click
            # whose two halves are checked before either is counted may add one.
            assert LIMIT <= saved <= LIMIT + twins, (n, limit, saved, twins)
            rows = len({accepted[s.post.marker] for s in mine if s.post.marker in accepted})
            assert rows <= LIMIT, (n, limit, rows)

    # --- the instances themselves ---------------------------------------------------------
    for instance in instances:
        log = instance.output()
        for trouble in ("Traceback", "WORKER TIMEOUT", "[ERROR]"):
            assert trouble not in log, f"{instance.name}: {trouble}\n{instance.tail(60)}"

    posts_sent = sum(1 for _ in sent)
    kinds = collections.Counter(p.kind for p in all_posts)
    replies = sum(1 for p in all_posts if "/reply" in p.path)
    saved_kinds = collections.Counter(kind for _m, kind, _i, _e in stored)
    print(f"\nload: {len(all_posts)} posts ({kinds['input']} input, {kinds['comment']} reactions "
          f"of which {replies} replies) from {USERS} participants over 2 instances x 2 workers; "
          f"{posts_sent} POSTs with re-sends and double clicks; answers {dict(statuses)}; "
          f"{len(accepted)} accepted = {len(stored)} rows ({saved_kinds['input']} input, "
          f"{saved_kinds['comment']} reactions), 0 lost, 0 duplicates")
