"""Benchmark: one thread page at 500 and at 5,000 comments in the section (issue 19).

Two sections get the same first 500 comments (conversations of five: a reply, a reply to it
and two deeper replies; some withdrawn, hidden or waiting for the team), and the second 4,500
more after them. The first page of each thread (50 conversations) then shows the same
comments, and must cost the same: target, the median with 5,000 in the section within 20% of
the median with 500. The two are timed in turn, run after run, so that the load of a shared
machine weighs on both alike. The last page, a link to the newest comment (which opens the
last page) and a participant who sees their own pending replies are timed too.

Runs the real app in-process (Flask test client, no network) on a fresh SQLite file and a
fresh PostgreSQL database (dropped after). Prints median and p95 per page and size, the SQL
queries per page, the comments on the page, and whether the target was met (exit status 1
when it was not, 2 for a broken run: a page that errs, or the first pages not the same).

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
#: One section per size, in the order of --sizes.
SECTIONS = ("2.1", "2.2", "2.3")
PARTICIPANT = "lezer@bench.example"
PASSWORD = "lange-wachtzin-42"


class BrokenRun(Exception):
    pass


def setup(app) -> None:
    """A process with round 2 open, a published draft and a few authors."""
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


def add_comments(app, number: str, n: int) -> int:
    """`n` comments on section `number`, in conversations of CHAIN, some withdrawn, hidden
    or waiting for the team, chosen by their place in the thread (the participant is one of
    the authors, so some of the pending ones are theirs). The newest comment's id."""
    from participation.accounts.models import User
    from participation.comments.models import Comment
    from participation.core.extensions import db
    from participation.drafts.models import Section
    from tests.factories import make_many_comments

    with app.app_context():
        section = db.session.scalar(sa.select(Section).where(Section.number == number))
        authors = list(db.session.scalars(sa.select(User).where(User.role == "participant")
                                          .order_by(User.id)))
        bodies = [f"Reactie {i} met *nadruk* en een [link](https://example.org/{i})."
                  for i in range(n)]
        ids = make_many_comments(section, authors, bodies, thread=CHAIN)
        for values, every, at in (({"state": "withdrawn"}, 7, 3), ({"state": "pending"}, 11, 5),
                                  ({"hidden_at": sa.func.now(), "hidden_reason": "bench"}, 13, 8)):
            db.session.execute(sa.update(Comment).where(
                Comment.id.in_(ids[at::every])).values(**values))
        db.session.commit()
        if db.engine.dialect.name == "postgresql":
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(sa.text("VACUUM ANALYZE comment"))
        return ids[-1]


class Statements:
    def __init__(self, engine):
        self.count = 0
        sa.event.listen(engine, "before_cursor_execute", self)

    def __call__(self, *_args):
        self.count += 1


def one(client, statements: Statements, url: str) -> tuple[float, int, str]:
    before = statements.count
    start = time.perf_counter()
    response = client.get(url)
    elapsed = (time.perf_counter() - start) * 1000
    if response.status_code != 200:
        raise BrokenRun(f"{url}: status {response.status_code}")
    return elapsed, statements.count - before, response.get_data(as_text=True)


def shown(html: str) -> dict:
    """What a page shows, whatever the ids: the comments' texts and the pager."""
    pager = re.search(r"Pagina \d+ van \d+", html)
    return {"texts": re.findall(r"Reactie (\d+) met", html),
            "placeholders": html.count("comment-gone"), "page": pager.group(0) if pager else ""}


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
        setup(app)
        visitor, participant = app.test_client(), app.test_client()
        login(participant, PARTICIPANT, PASSWORD)
        pages = {}
        for size, number in zip(sizes, SECTIONS, strict=False):
            newest = add_comments(app, number, size)
            path = f"/p/bench/draft/s/{number}"
            pages[size] = {"page 1, visitor": (visitor, path),
                           "page 1, participant": (participant, path),
                           "last page, visitor": (visitor, f"{path}?page=9999"),
                           "link to the newest comment": (visitor, f"{path}?comment={newest}")}
        statements = Statements(engine)
        timings = {(size, label): [] for size in sizes for label in pages[size]}
        found = {}
        for run_number in range(runs + 1):  # the first run warms caches and is not kept
            for label in pages[sizes[0]]:
                for size in sizes:  # in turn: the machine's load weighs on both alike
                    client, path = pages[size][label]
                    elapsed, queries, html = one(client, statements, path)
                    if run_number:
                        timings[size, label].append(elapsed)
                    found[size, label] = (queries, shown(html))
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
    finally:
        drop()
    small, large = sizes[0], sizes[-1]
    print(f"\n{kind}: {runs} runs per page, python {sys.version.split()[0]}, "
          f"{os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}")
    ok = True
    for label in pages[small]:
        first = label.startswith("page 1")
        if first and found[small, label][1]["texts"] != found[large, label][1]["texts"]:
            raise BrokenRun(f"{kind} {label}: not the same comments at {small} and {large}")
        medians = {size: statistics.median(timings[size, label]) for size in sizes}
        ratio = medians[large] / medians[small]
        met = abs(ratio - 1) <= TARGET
        ok &= met or not first
        parts = []
        for size in sizes:
            times = sorted(timings[size, label])
            queries, what = found[size, label]
            parts.append(f"{size}: {medians[size]:6.1f} ms (p95 "
                         f"{times[max(0, int(len(times) * 0.95) - 1)]:6.1f}, {queries} q, "
                         f"{len(what['texts'])} comments, {what['page']})")
        print(f"  {label:27s} " + "  ".join(parts) + f"  {large}/{small}: {ratio:.2f}"
              + (f", target ±{TARGET:.0%}: {'met' if met else 'NOT met'}" if first else ""))
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
