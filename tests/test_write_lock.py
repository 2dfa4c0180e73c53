"""When a request takes SQLite's write lock (participation.core.write_lock): from its first
statement, or, for posting a comment, at its first write or read for a change.

On an app of its own on a SQLite file, whatever DATABASE_URL says: PostgreSQL has no such lock."""
from __future__ import annotations

import sqlite3
import uuid

import pytest
import sqlalchemy as sa

from participation import create_app
from participation.accounts.models import User
from participation.core.conflicts import for_change
from participation.core.extensions import db

from .conftest import scratch_folder

pytestmark = pytest.mark.once

SECTION_POST = "/p/economie/draft/s/2.1"  # drafts.section: reads first, writes a comment last


@pytest.fixture(scope="module")
def lock_app():
    path = scratch_folder() / f"write-lock-{uuid.uuid4().hex[:8]}.sqlite"
    app = create_app({"TESTING": True, "SECRET_KEY": "test-" + uuid.uuid4().hex,
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}"})
    with app.app_context():
        db.create_all()
        db.session.execute(sa.text("CREATE TABLE probe (who TEXT)"))
        db.session.commit()
    yield app, path
    with app.app_context():
        db.engine.dispose()


def other_writer(path) -> sqlite3.Connection:
    """Another process's connection that does not wait for the lock."""
    return sqlite3.connect(path, timeout=0, isolation_level=None)


def assert_locked_until(path, release) -> None:
    """Another writer cannot take the lock now; after `release()` (the request's commit or
    rollback) it can."""
    other = other_writer(path)
    with pytest.raises(sqlite3.OperationalError, match="locked"):
        other.execute("BEGIN IMMEDIATE")
    release()
    other.execute("BEGIN IMMEDIATE")
    other.execute("ROLLBACK")
    other.close()


def probe_rows(path) -> list[str]:
    with sqlite3.connect(path) as conn:
        return [row[0] for row in conn.execute("SELECT who FROM probe ORDER BY rowid")]


def test_a_post_that_reads_first_takes_the_lock_only_when_it_writes(lock_app):
    app, path = lock_app
    with app.test_request_context(SECTION_POST, method="POST"):
        assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 0
        # Its reads hold no lock: another writer saves meanwhile...
        other = other_writer(path)
        other.execute("BEGIN IMMEDIATE")
        other.execute("INSERT INTO probe VALUES ('other')")
        other.execute("COMMIT")
        # ...and its own write after that is saved, not refused as "database is locked"
        # (a reader's snapshot cannot become a writer once another writer has committed).
        db.session.execute(sa.text("INSERT INTO probe VALUES ('request')"))
        other.close()
        # From its first write it holds the lock until it commits.
        assert_locked_until(path, db.session.commit)
    assert probe_rows(path)[-2:] == ["other", "request"]


def test_a_read_for_a_change_takes_the_lock_before_it_reads(lock_app):
    app, path = lock_app
    with app.test_request_context(SECTION_POST, method="POST"):
        db.session.scalars(for_change(sa.select(User), User)).all()
        assert_locked_until(path, db.session.rollback)


@pytest.mark.parametrize("path", ["/account/login", "/p/economie/comments/1/reply"])
def test_every_other_post_holds_the_lock_from_its_first_statement(lock_app, path):
    app, db_path = lock_app
    with app.test_request_context(path, method="POST"):
        db.session.scalar(sa.select(sa.func.count()).select_from(User))
        assert_locked_until(db_path, db.session.rollback)


def test_a_page_that_only_reads_holds_no_lock(lock_app):
    app, db_path = lock_app
    with app.test_request_context(SECTION_POST, method="GET"):
        db.session.scalar(sa.select(sa.func.count()).select_from(User))
        other = other_writer(db_path)
        other.execute("BEGIN IMMEDIATE")
        other.execute("ROLLBACK")
        other.close()
        db.session.rollback()
