"""Throughput of posting under load: how many POSTs a second the site answers when 50 people post
at once, spread over two gunicorn instances that share PostgreSQL and Redis.

The load is that of tests/test_load.py, which asserts that nothing is lost and nothing is stored
twice and has no time bound; this measures how fast it goes:

- a fresh PostgreSQL database (dropped after) with a process in round 1 (three themes) and one
  in round 2 (a draft of 50 sections, each with a question of the team);
- `--users` participants (50) log in, each from an address of their own (PROXIES=1, as behind
  a load balancer), and send `--posts` posts each (100) at the same moment: half input on a
  theme, half reactions on a section (a third of them replies to the team's question); of every
  40 posts two are sent again after their answer and two are double clicks (the same form to
  both instances at once);
- `--instances` gunicorn instances (2) with `--workers` sync workers each (2), the rate limits
  on with their counters in Redis and the test's figures (45 input and 45 reactions an hour per
  person, so every person is refused some posts: the 429 path is part of the load).

It reports POSTs a second (all answers, over the time from the first to the last), the answers
by status, the latency of a POST (p50, p95, p99) and the rows stored, and checks what the test
checks in short: no 5xx, no error in the instances' logs, as many rows as accepted posts. A run
that fails those checks is broken (exit 1). It prints one line and writes `--output`
(bench/load.json).

    .venv/bin/python bench/load.py [--users 50] [--posts 100] [--instances 2] [--workers 2]
                                   [--pg-url URL] [--redis-url URL] [--output FILE]

Needs PostgreSQL (--pg-url, default postgresql://postgres@127.0.0.1:5432/postgres) and Redis
(--redis-url, default redis://127.0.0.1:6379). The HTTP client, the gunicorn instances (bench/
pages.py's Server) and the seed are bench's own: bench does not import the tests.
"""
from __future__ import annotations

import argparse
import collections
import http.client
import http.cookies
import json
import os
import re
import statistics
import sys
import threading
import time
import uuid
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlencode

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH.parent))
sys.path.insert(0, str(BENCH))

import sqlalchemy as sa  # noqa: E402

from pages import BrokenRun, Server, log, machine  # noqa: E402
from seed import BENCH_PASSWORD, PG_DEFAULT, fresh_database, make_app  # noqa: E402

REDIS_DEFAULT = "redis://127.0.0.1:6379"
#: As tests/test_load.py: below what each person sends, so everyone is refused some posts.
LIMITS = {"contributions": "45/hour", "comments": "45/hour"}
SECTIONS = 50
#: Of every 40 posts of a person: sent again after the answer; a double click.
RESEND, TWIN = {6, 27}, {12, 33}
CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
MARKER = re.compile(r"\bm\d{2,}-\d{3,}-[0-9a-f]{8}\b")


# --- the data -----------------------------------------------------------------------------

def seed(url: str, users: int) -> dict:
    """Migrate the empty database at `url`; two processes and `users` participants."""
    from flask_migrate import upgrade

    app = make_app(url)
    with app.app_context():
        upgrade()
        from participation.accounts.models import User
        from participation.core.roles import Role
        from participation.accounts.passwords import hash_password
        from participation.comments.models import Comment
        from participation.core.mixins import ModerationState
        from participation.drafts.parsing import parse_markdown
        from participation.drafts.services import add_version, proposed_matches, publish
        from participation.core.extensions import db
        from participation.processes.models import Audience, ModerationMode, RoundKind
        from participation.processes.services import add_round, add_theme, create_process
        from participation.core.sanitize import markdown_to_html
        from participation.core.timeutil import utcnow

        now, day = utcnow(), timedelta(days=1)
        consent = app.config["PRIVACY_STATEMENT_VERSION"]
        hashed = hash_password(BENCH_PASSWORD)  # one hash for all: scrypt takes a while

        def person(email: str, name: str, role: Role) -> User:
            user = User(email=email, name=name, password_hash=hashed, role=role, locale="en",
                        email_confirmed_at=now, consent_at=now, consent_version=consent)
            db.session.add(user)
            return user

        def process(slug: str, input_round, feedback_round):
            made = create_process(slug=slug, title=f"Belastingtest {slug}", summary="Bench.",
                                  intro_md="", contact="team@assen.example")
            for kind, (opens, closes) in ((RoundKind.input, input_round),
                                          (RoundKind.feedback, feedback_round)):
                add_round(made, kind=kind, opens_at=now + opens * day,
                          closes_at=now + closes * day, moderation=ModerationMode.post,
                          audience=Audience.registered)
            return made

        economie = process("economie", (-1, 10), (30, 50))
        themes = [add_theme(economie, title=title, description=f"Over {title.lower()}.")
                  for title in ("Werklocaties", "Arbeidsmarkt", "Energietransitie")]
        concept = process("concept", (-40, -10), (-1, 14))
        team = person("team@assen.example", "Projectteam", Role.moderator)
        db.session.flush()
        markdown = "Inleiding.\n\n" + "\n\n".join(
            f"# Paragraaf {k}\n\nTekst van paragraaf {k}." for k in range(1, SECTIONS + 1))
        version = add_version(concept, parse_markdown(markdown), source_kind="markdown",
                              source_name="concept.md", by=team)
        publish(version, proposed_matches(version), by=team)
        sections = [s for s in version.sections if s.lineage_id is not None]
        feedback = concept.round_of(RoundKind.feedback)
        questions = []
        for section in sections:
            body = f"Vraag bij {section.number}."
            questions.append(Comment(
                round_id=feedback.id, lineage_id=section.lineage_id, section_id=section.id,
                depth=0, author_id=team.id, by_team=True, body_md=body,
                body_html=markdown_to_html(body), state=ModerationState.published,
                submission_key=uuid.uuid4().hex, created_at=now, updated_at=now))
        db.session.add_all(questions)
        emails = [f"deelnemer{n:02d}@example.nl" for n in range(users)]
        for n, email in enumerate(emails):
            person(email, f"Deelnemer {n}", Role.participant)
        db.session.commit()
        seeded = {"theme_ids": [t.id for t in themes],
                  "sections": [s.number for s in sections],
                  "questions": [c.id for c in questions], "emails": emails}
        db.session.remove()
        db.engine.dispose()
    if len(seeded["sections"]) != SECTIONS:
        raise BrokenRun(f"the draft has {len(seeded['sections'])} sections, not {SECTIONS}")
    return seeded


def stored(url: str) -> dict[str, int]:
    """Rows the load wrote: input and participants' reactions, and markers stored twice."""
    from participation.comments.models import Comment
    from participation.contributions.models import Contribution

    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            texts = list(conn.scalars(sa.select(Contribution.title)))
            texts += list(conn.scalars(sa.select(Comment.body_md).where(
                Comment.by_team.is_(False))))
    finally:
        engine.dispose()
    markers = collections.Counter(m.group(0) for m in map(MARKER.search, texts) if m)
    return {"rows": len(texts), "without_marker": len(texts) - sum(markers.values()),
            "stored_twice": sum(1 for n in markers.values() if n > 1),
            "markers": set(markers)}


# --- people over HTTP ---------------------------------------------------------------------

@dataclass
class Answer:
    status: int | None
    seconds: float
    location: str = ""
    error: str = ""


class Person:
    """A browser: a cookie jar, seen by the site at `address` (X-Forwarded-For, PROXIES=1)."""

    def __init__(self, address: str):
        self.address = address
        self.cookies: dict[str, str] = {}
        self.lock = threading.Lock()

    def request(self, port: int, method: str, path: str, fields: dict | None = None):
        headers = {"X-Forwarded-For": self.address}
        with self.lock:
            if self.cookies:
                headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if fields is not None:
            body = urlencode(fields).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            text = response.read().decode("utf-8", "replace")
            cookies = response.headers.get_all("Set-Cookie") or []
        finally:
            conn.close()
        with self.lock:
            for header in cookies:
                for name, morsel in http.cookies.SimpleCookie(header).items():
                    self.cookies[name] = morsel.value
        return response.status, response.getheader("Location", ""), text

    def log_in(self, port: int, email: str) -> str:
        """Log in; the CSRF token for the posts (one per session)."""
        _, _, page = self.request(port, "GET", "/account/login")
        status, _, text = self.request(port, "POST", "/account/login", {
            "csrf_token": CSRF.search(page).group(1), "email": email,
            "password": BENCH_PASSWORD})
        if status != 302:
            raise BrokenRun(f"{email} could not log in: {status}\n{text[-1500:]}")
        _, _, form = self.request(port, "GET", "/p/economie/input/new")
        return CSRF.search(form).group(1)

    def post(self, port: int, path: str, fields: dict) -> Answer:
        began = time.perf_counter()
        try:
            status, location, _ = self.request(port, "POST", path, fields)
        except (OSError, http.client.HTTPException) as error:
            return Answer(None, time.perf_counter() - began, error=f"{type(error).__name__}")
        return Answer(status, time.perf_counter() - began, location)


def plan(user: int, token: str, seeded: dict, posts: int) -> list[tuple[int, str, dict]]:
    """(index, path, fields) of every post of `user`, as tests/test_load.py sends them."""
    planned = []
    for i in range(posts):
        marker = f"m{user:02d}-{i:03d}-{uuid.uuid4().hex[:8]}"
        common = {"csrf_token": token, "submission_key": uuid.uuid4().hex}
        k = user + i
        if i % 2 == 0:
            planned.append((i, "/p/economie/input/new", {
                **common, "theme_id": str(seeded["theme_ids"][k % len(seeded["theme_ids"])]),
                "title": f"Inbreng {marker}",
                "body": f"Tekst bij {marker}: *meer ruimte* voor bedrijven.\n\n- werk\n- wonen"}))
        elif i % 6 == 1:
            planned.append((i, f"/p/concept/comments/{seeded['questions'][k % SECTIONS]}/reply",
                            {**common, "body": f"Antwoord {marker} op de vraag van het team."}))
        else:
            planned.append((i, f"/p/concept/draft/s/{seeded['sections'][k % SECTIONS]}",
                            {**common, "body": f"Reactie {marker} op deze *paragraaf*."}))
    return planned


def send_all(person: Person, n: int, ports: list[int], posts, start: threading.Barrier,
             record) -> None:
    def send(port: int, path: str, fields: dict) -> None:
        record(person.post(port, path, fields))

    start.wait()
    for index, path, fields in posts:
        here, there = ports[(n + index) % len(ports)], ports[(n + index + 1) % len(ports)]
        if index % 40 in TWIN:
            twin = threading.Thread(target=send, args=(there, path, fields))
            twin.start()
            record(person.post(here, path, fields))
            twin.join()
            continue
        record(person.post(here, path, fields))
        if index % 40 in RESEND:
            record(person.post(there, path, fields))


# --- the run ------------------------------------------------------------------------------

def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0.0


def clear_redis(url: str, prefix: str) -> None:
    import redis

    store = redis.Redis.from_url(url)
    try:
        for key in store.scan_iter(match=f"*{prefix}*"):
            store.delete(key)
    finally:
        store.close()


def run(args) -> dict:
    prefix = f"participation-bench-{uuid.uuid4().hex[:12]}"
    url, drop = fresh_database("postgresql", args.pg_url)
    servers: list[Server] = []
    try:
        log(f"seeding {args.users} participants")
        seeded = seed(url, args.users)
        env = {"RATELIMIT_ENABLED": "true", "RATELIMIT_STORAGE_URI": args.redis_url,
               "RATELIMIT_KEY_PREFIX": prefix, "RATE_LIMITS": json.dumps(LIMITS),
               "PROXIES": "1", "SPAM_MIN_SECONDS": "0",
               # One deployment: a session made by one instance is read by the other.
               "SECRET_KEY": "bench-load-" + uuid.uuid4().hex}
        for _ in range(args.instances):
            servers.append(Server(url, env, workers=args.workers))
        ports = [server.port for server in servers]
        log(f"{args.instances} instances x {args.workers} workers on ports {ports}")
        people = [Person(f"10.20.{n // 200}.{n % 200 + 1}") for n in range(args.users)]
        tokens: list[str | None] = [None] * args.users
        failures: list[str] = []

        def log_in(n: int) -> None:
            try:
                tokens[n] = people[n].log_in(ports[n % len(ports)], seeded["emails"][n])
            except (BrokenRun, OSError, AttributeError) as error:
                failures.append(f"{seeded['emails'][n]}: {error}")
        logins = [threading.Thread(target=log_in, args=(n,)) for n in range(args.users)]
        for thread in logins:
            thread.start()
        for thread in logins:
            thread.join()
        if failures:
            raise BrokenRun("log in failed: " + "; ".join(failures[:3]))

        answers: list[Answer] = []
        lock = threading.Lock()

        def record(answer: Answer) -> None:
            with lock:
                answers.append(answer)
        plans = [plan(n, tokens[n], seeded, args.posts) for n in range(args.users)]
        start = threading.Barrier(args.users + 1)
        threads = [threading.Thread(target=send_all,
                                    args=(people[n], n, ports, plans[n], start, record))
                   for n in range(args.users)]
        for thread in threads:
            thread.start()
        log(f"{args.users} participants send {args.users * args.posts} posts")
        start.wait()
        began = time.perf_counter()
        for thread in threads:
            thread.join()
        seconds = time.perf_counter() - began

        statuses = collections.Counter(a.status for a in answers)
        latencies = [a.seconds * 1000 for a in answers if a.status is not None]
        rows = stored(url)
        sent_markers = {MARKER.search(f.get("title") or f["body"]).group(0)
                        for posts in plans for _, _, f in posts}
        accepted = len({a.location for a in answers if a.status == 302})
        trouble = [f"{s.port}: {word}" for s in servers
                   for word in ("Traceback", "WORKER TIMEOUT", "[ERROR]") if word in s.tail()]
        result = {
            "users": args.users, "posts_planned": args.users * args.posts,
            "instances": args.instances, "workers": args.workers, "limits": LIMITS,
            "posts_sent": len(answers), "seconds": round(seconds, 1),
            "posts_per_second": round(len(answers) / seconds, 1) if seconds else 0.0,
            "statuses": {str(k): v for k, v in sorted(statuses.items(), key=str)},
            "p50_ms": round(statistics.median(latencies), 1) if latencies else 0.0,
            "p95_ms": round(percentile(latencies, 0.95), 1),
            "p99_ms": round(percentile(latencies, 0.99), 1),
            "accepted": accepted, "rows": rows["rows"], "stored_twice": rows["stored_twice"],
            "rows_not_sent": len(rows["markers"] - sent_markers) + rows["without_marker"],
            "instance_log_trouble": trouble,
        }
        # The broken-run checks: what the test asserts in detail, in short. A re-send and a
        # double click are sent to the item of the first send: one row per distinct redirect.
        problems = []
        if set(statuses) - {302, 429}:
            problems.append(f"answers other than 302 and 429: {dict(statuses)}")
        if rows["stored_twice"] or result["rows_not_sent"]:
            problems.append(f"{rows['stored_twice']} stored twice, "
                            f"{result['rows_not_sent']} rows not sent")
        if rows["rows"] != accepted:
            problems.append(f"{rows['rows']} rows for {accepted} posts answered as saved")
        if trouble:
            problems.append("instance logs: " + ", ".join(trouble))
        if problems:
            raise BrokenRun("; ".join(problems) + "\n" + servers[0].tail())
        return result
    finally:
        for server in servers:
            server.stop()
        drop()
        clear_redis(args.redis_url, prefix)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--posts", type=int, default=100, help="posts per participant")
    parser.add_argument("--instances", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers per instance")
    parser.add_argument("--pg-url", default=os.environ.get("BENCH_PG_URL", PG_DEFAULT))
    parser.add_argument("--redis-url", default=REDIS_DEFAULT)
    parser.add_argument("--output", type=Path, default=BENCH / "load.json")
    args = parser.parse_args()
    report = {"machine": machine(args.pg_url)}
    try:
        report["load"] = run(args)
    except (BrokenRun, sa.exc.SQLAlchemyError, OSError) as error:
        log(f"BROKEN RUN: {error}")
        return 1
    report["machine"]["load_at_end"] = [round(x, 2) for x in os.getloadavg()]
    args.output.write_text(json.dumps(report, indent=1, default=str))
    load = report["load"]
    log(f"load: {load['posts_sent']} POSTs ({load['posts_planned']} posts with re-sends and "
        f"double clicks) from {load['users']} participants over {load['instances']} instances "
        f"x {load['workers']} workers in {load['seconds']} s = {load['posts_per_second']} "
        f"POSTs/s; p50 {load['p50_ms']} / p95 {load['p95_ms']} / p99 {load['p99_ms']} ms; "
        f"answers {load['statuses']}; {load['rows']} rows, 0 lost or twice; "
        f"load average {report['machine'].get('load_at_start')} -> "
        f"{report['machine']['load_at_end']}")
    log(f"written: {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
