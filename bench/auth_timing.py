"""Benchmark: do the account forms take as long for an address with an account as without?

Target (issue 14): for each form the median time of the two differs by at most 20%, so an
attacker cannot tell from the answer's time which addresses have an account. Pairs measured:

- password reset ("Forgot your password?"): an address with an account / without;
- registration: an address that already has an account (its owner is mailed) / a new one;
- login: a wrong password for an account / an address without an account;
- a new confirmation link: an unconfirmed account / an address without an account.

The real app in-process (Flask test client, no network), on a fresh SQLite file, or on a fresh
PostgreSQL database when DATABASE_URL is set, with the production password hashing (scrypt,
passwords.METHOD; checked below) and the rate limits and spam timer off (they would refuse the
runs, and they count both paths alike). Each form is loaded, then only its POST is timed;
the two paths alternate (known, unknown, unknown, known, ...) so that a change in the
machine's load falls on both, after a warm-up. Prints the medians, the difference in ms and
in % of the faster path, and exits 1 when a difference is over the target.

    .venv/bin/python bench/auth_timing.py [--runs 30]
"""
from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sqlalchemy as sa  # noqa: E402

TARGET_PERCENT = 20
WARMUP_PAIRS = 3
PASSWORD = "lange-wachtzin-42"
KNOWN = "bekend@bench.example"
UNCONFIRMED = "onbevestigd@bench.example"
CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


@dataclass(frozen=True)
class Form:
    label: str
    url: str
    #: The posted fields for the address with an account, and for run n without one.
    known: dict
    unknown: callable
    #: The answer both paths give (they must give the same).
    status: int


def registration(email: str) -> dict:
    return {"name": "Marieke Bos", "email": email, "password": "drentse-ondernemer-2026",
            "password_confirm": "drentse-ondernemer-2026", "participate_as": "individual",
            "consent": "y"}


FORMS = (
    Form("password reset", "/account/password/forgot", {"email": KNOWN},
         lambda n: {"email": f"onbekend-{n}@bench.example"}, 200),
    Form("registration", "/account/register", registration(KNOWN),
         lambda n: registration(f"nieuw-{n}@bench.example"), 302),
    Form("login (wrong password / no account)", "/account/login",
         {"email": KNOWN, "password": "geraden-wachtwoord"},
         lambda n: {"email": f"onbekend-{n}@bench.example", "password": "geraden-wachtwoord"},
         200),
    Form("new confirmation link", "/account/confirm", {"email": UNCONFIRMED},
         lambda n: {"email": f"onbekend-{n}@bench.example"}, 302),
)


def seed(app) -> None:
    from participation.accounts.models import User
    from participation.core.roles import Role
    from participation.accounts.passwords import METHOD, hash_password
    from participation.core.extensions import db
    from participation.core.timeutil import utcnow

    with app.app_context():
        hashed = hash_password(PASSWORD)
        assert hashed.startswith(METHOD + "$"), hashed[:40]  # production parameters
        for email, confirmed in ((KNOWN, utcnow()), (UNCONFIRMED, None)):
            db.session.add(User(email=email, name="Bench", password_hash=hashed,
                                role=Role.participant, locale="nl", email_confirmed_at=confirmed,
                                consent_at=utcnow(),
                                consent_version=app.config["PRIVACY_STATEMENT_VERSION"]))
        db.session.commit()


def timed_post(client, form: Form, data: dict) -> float:
    page = client.get(form.url)
    assert page.status_code == 200, (form.url, page.status_code)
    token = CSRF.search(page.get_data(as_text=True)).group(1)
    start = time.perf_counter()
    answer = client.post(form.url, data={"csrf_token": token, **data})
    elapsed = (time.perf_counter() - start) * 1000
    assert answer.status_code == form.status, (form.label, data, answer.status_code)
    return elapsed


def measure(app, form: Form, runs: int) -> tuple[list[float], list[float]]:
    client = app.test_client()
    known, unknown = [], []
    for n in range(-WARMUP_PAIRS, runs):
        order = ((known, form.known), (unknown, form.unknown(n + WARMUP_PAIRS)))
        for timings, data in (order if n % 2 == 0 else order[::-1]):
            elapsed = timed_post(client, form, data)
            if n >= 0:
                timings.append(elapsed)
    return known, unknown


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=30, help="runs per path (default 30)")
    args = parser.parse_args()

    from flask_migrate import upgrade

    from participation import create_app
    from participation.accounts.passwords import METHOD
    from participation.core.extensions import db
    from participation.mail.models import OutboxMessage
    from tests.conftest import create_database

    class Factory:
        def mktemp(self, name):
            return Path(tempfile.mkdtemp(prefix=name))

    url, drop = create_database(Factory())
    try:
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": uuid.uuid4().hex,
                          "RATELIMIT_ENABLED": False, "SPAM_MIN_SECONDS": 0,
                          "SERVER_NAME": None})
        with app.app_context():
            upgrade()
        seed(app)
        print(f"database: {sa.engine.make_url(url).get_backend_name()}, password hashing "
              f"{METHOD}, {args.runs} runs per path, python {sys.version.split()[0]}, "
              f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}")
        print(f"{'form':38s} {'account':>9s} {'none':>9s} {'difference':>18s}")
        ok = True
        for form in FORMS:
            known, unknown = measure(app, form, args.runs)
            a, b = statistics.median(known), statistics.median(unknown)
            percent = abs(a - b) / min(a, b) * 100
            met = percent <= TARGET_PERCENT
            ok &= met
            print(f"{form.label:38s} {a:7.1f}ms {b:7.1f}ms {b - a:+7.1f} ms {percent:5.1f}%  "
                  f"target <={TARGET_PERCENT}%: {'met' if met else 'NOT met'}")
        with app.app_context():
            mails = dict(db.session.execute(sa.select(OutboxMessage.kind, sa.func.count())
                                            .group_by(OutboxMessage.kind)).all())
            db.session.remove()
            db.engine.dispose()
        print(f"load average at the end {os.getloadavg()[0]:.1f}; mails queued: "
              + ", ".join(f"{kind} {count}" for kind, count in sorted(mails.items())))
        return 0 if ok else 1
    finally:
        drop()


if __name__ == "__main__":
    sys.exit(main())
