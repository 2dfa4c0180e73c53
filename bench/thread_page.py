"""Benchmark: one thread page at 500 and at 5,000 comments in the section (issue 19).

The same page, the first of a section's thread (50 conversations of five comments: a reply,
a reply to it and two deeper replies, some withdrawn, hidden or pending), is timed with 500
comments in the section and again after 4,500 more have been added after it. The page must
cost the same: target, the median at 5,000 within 20% of the median at 500. The last page,
a link to the newest comment (which opens the last page) and a participant who sees their
own pending replies are timed too.

Runs the real app in-process (Flask test client, no network) on a fresh SQLite file and a
fresh PostgreSQL database (dropped after). Prints median and p95 per page and size, the SQL
queries per page, the comments on the page, and whether the target was met (exit status 1
when it was not, 2 for a broken run: a page that errs, or page 1 not the same at both sizes).

    .venv/bin/python bench/thread_page.py [--runs 40] [--databases sqlite,postgresql]
                                          [--sizes 500,5000] [--pg-url URL]
"""
from __future__ import annotations

import argparse
import contextlib
import io
import os
import re
import statistics
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH.parent))
sys.path.insert(0, str(BENCH))

import sqlalchemy as sa  # noqa: E402

from seed import PG_DEFAULT, fresh_database, make_app  # noqa: E402

TARGET = 0.20
#: Five comments per conversation: 50 conversations, a page, are 250 comments.
CHAIN = 5
SECTION = "2.2"
PARTICIPANT = "lezer@bench.example"
PASSWORD = "lange-wachtzin-42"


class BrokenRun(Exception):
    pass


def setup(app) -> str:
    """A process with round 2 open, a published draft and a few authors; the section's URL."""
    from tests.factories import (make_organisation, make_process, make_user,
                                 open_feedback_round, publish_draft)

    with app.app_context():
        process = make_process("bench")
        open_feedback_round(process)
        moderator = make_user("mod@bench.example", PASSWORD, role="moderator", name="Mod")
        publish_draft(process, moderator)
        make_user(PARTICIPANT, PASSWORD, name="Lezer")
        for n in range(9):
            make_user(f"u{n}@bench.example", PASSWORD, name=f"Deelnemer {n}",
                      organisation=make_organisation(f"Organisatie {n}"))
    return f"/p/bench/draft/s/{SECTION}"


def add_comments(app, n: int) -> None:
    """`n` more comments on the section, after those already there, in conversations of
    CHAIN; then, over all of them, some withdrawn, hidden or waiting for the team (the
    participant is one of the authors, so some of the pending ones are theirs)."""
    from participation.accounts.models import User
    from participation.comments.models import Comment
    from participation.core.extensions import db
    from participation.drafts.models import Section
    from tests.factories import make_many_comments

    with app.app_context():
        section = db.session.scalar(sa.select(Section).where(Section.number == SECTION))
        authors = list(db.session.scalars(sa.select(User).where(User.role == "participant")
                                          .order_by(User.id)))
        bodies = [f"Reactie {i} met *nadruk* en een [link](https://example.org/{i})."
                  for i in range(n)]
        make_many_comments(section, authors, bodies, thread=CHAIN)
        for state, where in (("withdrawn", Comment.id % 7 == 3), ("pending", Comment.id % 11 == 5)):
            db.session.execute(sa.update(Comment).where(where).values(state=state))
        db.session.execute(sa.update(Comment).where(Comment.id % 13 == 8).values(
            hidden_at=sa.func.now(), hidden_reason="bench"))
        db.session.commit()
        if db.engine.dialect.name == "postgresql":
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(sa.text("VACUUM ANALYZE comment"))


def newest_comment(app) -> int:
    from participation.comments.models import Comment
    from participation.core.extensions import db

    with app.app_context():
        return db.session.scalar(sa.select(sa.func.max(Comment.id)).where(Comment.is_shown))


def measure(client, engine, url: str, runs: int) -> dict:
    statements = []

    def count(*_args):
        statements.append(1)
    client.get(url)  # warm caches (templates, compiled queries)
    timings = []
    for _ in range(runs):
        statements.clear()
        sa.event.listen(engine, "before_cursor_execute", count)
        start = time.perf_counter()
        response = client.get(url)
        timings.append((time.perf_counter() - start) * 1000)
        sa.event.remove(engine, "before_cursor_execute", count)
        if response.status_code != 200:
            raise BrokenRun(f"{url}: status {response.status_code}")
    html = response.get_data(as_text=True)
    timings.sort()
    return {"median": statistics.median(timings),
            "p95": timings[max(0, int(len(timings) * 0.95) - 1)],
            "queries": len(statements), "ids": re.findall(r'<article id="c-(\d+)"', html),
            "page": (re.search(r"Pagina \d+ van \d+", html) or re.search("", html)).group(0)}


def run(kind: str, pg_url: str, sizes: list[int], runs: int) -> bool:
    from tests.factories import login

    url, drop = fresh_database(kind, pg_url)
    try:
        from flask_migrate import upgrade

        app = make_app(url, PASSWORD_HASH_METHOD="pbkdf2:sha256:1")
        from participation.core.extensions import db
        with app.app_context(), contextlib.redirect_stderr(io.StringIO()):
            upgrade()  # quietly: Alembic logs every step to stderr
            engine = db.engine
        page = setup(app)
        visitor, participant = app.test_client(), app.test_client()
        login(participant, PARTICIPANT, PASSWORD)
        results: dict[int, dict[str, dict]] = {}
        made = 0
        for size in sizes:
            add_comments(app, size - made)
            made = size
            newest = newest_comment(app)
            results[size] = {
                "page 1, visitor": measure(visitor, engine, page, runs),
                "page 1, participant": measure(participant, engine, page, runs),
                "last page, visitor": measure(visitor, engine, f"{page}?page=9999", runs),
                "link to the newest comment": measure(visitor, engine,
                                                      f"{page}?comment={newest}", runs)}
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
    finally:
        drop()
    small, large = sizes[0], sizes[-1]
    print(f"\n{kind}: {runs} runs per page, python {sys.version.split()[0]}, "
          f"{os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}")
    ok = True
    for label in results[small]:
        a, b = results[small][label], results[large][label]
        ratio = b["median"] / a["median"]
        same = a["ids"] == b["ids"]
        if label.startswith("page 1") and not same:
            raise BrokenRun(f"{kind} {label}: not the same comments at {small} and {large}")
        met = abs(ratio - 1) <= TARGET
        ok &= met or not label.startswith("page 1")
        print(f"  {label:28s} " + "  ".join(
            f"{size}: {results[size][label]['median']:6.1f} ms (p95 {results[size][label]['p95']:6.1f}, "
            f"{results[size][label]['queries']} q, {len(results[size][label]['ids'])} comments"
            f"{', ' + results[size][label]['page'] if results[size][label]['page'] else ''})"
            for size in sizes)
            + f"  {large}/{small}: {ratio:.2f}" + (f" target ±{TARGET:.0%}: "
                                                     f"{'met' if met else 'NOT met'}"
                                                     if label.startswith("page 1") else ""))
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--sizes", default="500,5000")
    parser.add_argument("--pg-url", default=os.environ.get("DATABASE_URL", PG_DEFAULT))
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    ok = True
    try:
        for kind in args.databases.split(","):
            ok &= run(kind, args.pg_url, sizes, args.runs)
    except BrokenRun as error:
        print(f"broken run: {error}")
        return 2
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
