"""Benchmark: the draft reading view with 40 sections and 2,000 comments in threads.

Target (issue 4): the whole draft page renders in under 300 ms on the 2-core CI machine.
Runs the real app in-process (no network), on a fresh SQLite file, or on PostgreSQL when
DATABASE_URL is set. Prints median and p95 over the runs, the SQL queries per page, and
whether the target was met (exit status 1 when it was not).

    .venv/bin/python bench/draft_page.py [--runs 30]
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sqlalchemy as sa  # noqa: E402

TARGET_MS = 300
SECTIONS = 40
COMMENTS = 2000


def draft_markdown() -> str:
    parts = ["Inleiding van het concept.\n"]
    for chapter in range(1, 9):
        parts.append(f"# Hoofdstuk {chapter}\n\nTekst van hoofdstuk {chapter}. " * 1 + "\n")
        for paragraph in range(1, 5):
            parts.append(f"## Paragraaf {chapter}.{paragraph}\n\n" + (
                "Dit is een alinea met beleidstekst over werk, onderwijs en energie. " * 8) +
                "\n\n- eerste punt\n- tweede punt\n")
    return "\n".join(parts)


def seed(app) -> str:
    from participation.accounts.models import Organisation, OrganisationKind, User, name_key
    from participation.comments.models import Comment, CommentSupport
    from participation.core.mixins import ModerationState
    from participation.core.roles import Role
    from participation.drafts.parsing import parse_markdown
    from participation.drafts.services import add_version, publish
    from participation.core.extensions import db
    from participation.processes.models import RoundKind
    from participation.core.sanitize import markdown_to_html
    from participation.core.timeutil import utcnow
    from tests.factories import make_process, open_feedback_round

    with app.app_context():
        process = make_process("bench")
        feedback = open_feedback_round(process)
        moderator = User(email="mod@bench.example", name="Mod", password_hash="x",
                         role=Role.moderator, locale="nl")
        db.session.add(moderator)
        users = []
        for i in range(100):
            org = Organisation(name=f"Organisatie {i}", name_key=name_key(f"Organisatie {i}"),
                               kind=list(OrganisationKind)[i % 5], sector="bench")
            users.append(User(email=f"u{i}@bench.example", name=f"Deelnemer {i}",
                              password_hash="x", role=Role.participant, locale="nl",
                              organisation=org))
        db.session.add_all(users)
        db.session.flush()
        version = add_version(process, parse_markdown(draft_markdown()), source_kind="markdown",
                              source_name="bench.md", by=moderator)
        publish(version, {s.id: None for s in version.sections}, by=moderator)
        sections = version.sections[:SECTIONS]
        assert len(sections) == SECTIONS, len(sections)
        body = "Een reactie met *nadruk* en een lijst:\n\n- punt een\n- punt twee"
        html = markdown_to_html(body)
        now = utcnow()
        made = []
        for i in range(COMMENTS):
            section = sections[i % SECTIONS]
            # Threads: every third comment starts one; others reply to the previous comment
            # of the same section, so replies nest up to several levels.
            same = [c for c in made[-SECTIONS * 3:] if c.section_id == section.id]
            parent = same[-1] if same and i % 3 else None
            author = users[i % len(users)]
            if parent is not None and parent.id is None:
                db.session.flush()  # a reply is placed by its parent's id
            comment = Comment(
                round_id=feedback.id, lineage_id=section.lineage_id, section_id=section.id,
                **Comment.place_under(parent), author_id=author.id,
                organisation_id=author.organisation.id,
                organisation_name=author.organisation.name,
                organisation_kind=author.organisation.kind, body_md=body, body_html=html,
                state=ModerationState.published, submission_key=uuid.uuid4().hex,
                created_at=now, updated_at=now)
            db.session.add(comment)
            if i % 50 == 0:
                db.session.flush()
            made.append(comment)
            if parent is None:
                db.session.flush()
            elif i % 7 == 0:
                db.session.flush()
        db.session.flush()
        for i, comment in enumerate(made[::4]):
            db.session.add(CommentSupport(comment_id=comment.id, user_id=users[i % 100].id))
        db.session.commit()
        assert process.round_of(RoundKind.feedback).state().value == "open"
        return users[0].email


def measure(client, url: str, runs: int) -> tuple[list[float], int, int]:
    from participation.core.extensions import db

    statements = []
    listener = lambda *args: statements.append(1)  # noqa: E731
    with client.application.app_context():
        engine = db.engine
    client.get(url)  # warm caches (templates, compiled queries)
    timings = []
    for _ in range(runs):
        statements.clear()
        sa.event.listen(engine, "before_cursor_execute", listener)
        start = time.perf_counter()
        response = client.get(url)
        timings.append((time.perf_counter() - start) * 1000)
        sa.event.remove(engine, "before_cursor_execute", listener)
        assert response.status_code == 200, response.status_code
    return timings, len(statements), len(response.data)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()

    from flask_migrate import upgrade

    from participation import create_app
    from tests.conftest import create_database

    url, drop = create_database()
    try:
        app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url,
                          "SECRET_KEY": "bench", "WTF_CSRF_ENABLED": True})
        with app.app_context():
            upgrade()
        seed(app)
        client = app.test_client()
        ok = True
        print(f"database: {sa.engine.make_url(url).get_backend_name()}, {SECTIONS} sections, "
              f"{COMMENTS} comments, {args.runs} runs, python {sys.version.split()[0]}, "
              f"{os.cpu_count()} cores")
        for label, path in (("draft page (visitor)", "/p/bench/draft"),
                            ("one section's thread (50 comments)", "/p/bench/draft/s/1.1")):
            timings, queries, size = measure(client, path, args.runs)
            median = statistics.median(timings)
            p95 = sorted(timings)[int(len(timings) * 0.95) - 1]
            met = median < TARGET_MS
            ok &= met or "thread" in label
            print(f"{label:38s} median {median:7.1f} ms  p95 {p95:7.1f} ms  "
                  f"{queries} queries  {size // 1024} KiB"
                  + (f"  target <{TARGET_MS} ms: {'met' if met else 'NOT met'}"
                     if "draft page" in label else ""))
        with app.app_context():
            from participation.core.extensions import db
            db.session.remove()
            db.engine.dispose()
        return 0 if ok else 1
    finally:
        drop()


if __name__ == "__main__":
    sys.exit(main())
