"""Fixtures on real parts: a migrated database (SQLite file or PostgreSQL), a real SMTP server
on 127.0.0.1, and the site served for headless Chromium.

DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres selects PostgreSQL: a fresh database
is created for the run and dropped afterwards. With pytest-xdist (`make test` runs two workers)
every worker has its own database, SMTP server and live server.
"""
from __future__ import annotations

import atexit
import email
import email.policy
import functools
import json
import os
import re
import shutil
import socket
import tempfile
import threading
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller

from participation import create_app
from participation.core.config import normalise_database_url
from participation.core.extensions import db

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


# --- the database -------------------------------------------------------------------------

#: Where the SQLite test databases and the uploads live: in memory (tmpfs) where the machine
#: has it. On this machine's disk a commit waits about 3 ms for fsync, on /dev/shm 0.06 ms,
#: and the suite commits tens of thousands of times; nothing of a test run must survive a crash.
SCRATCH = "/dev/shm" if os.access("/dev/shm", os.W_OK) else None


@functools.cache
def scratch_folder() -> Path:
    """A folder of this test process's own (one per xdist worker), removed when it ends."""
    folder = Path(tempfile.mkdtemp(prefix="participation-tests-", dir=SCRATCH))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    return folder


def _server_url(url: str, database: str) -> str:
    return sa.engine.make_url(url).set(database=database).render_as_string(hide_password=False)


def create_database() -> tuple[str, callable]:
    """A fresh, empty database and a function that removes it."""
    base = os.environ.get("DATABASE_URL")
    if not base:
        path = scratch_folder() / f"test-{uuid.uuid4().hex[:8]}.sqlite"
        return f"sqlite:///{path}", lambda: None
    base = normalise_database_url(base)
    name = f"participation_test_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(_server_url(base, "postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
        # A commit need not wait for the WAL to reach the disk (1.7 ms -> 0.5 ms here): only a
        # crash of the server could lose one, and a test database is dropped anyway.
        conn.execute(sa.text(f'ALTER DATABASE "{name}" SET synchronous_commit = off'))

    def drop():
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
    return _server_url(base, name), drop


@pytest.fixture(scope="session")
def database_url():
    url, drop = create_database()
    yield url
    drop()


@pytest.fixture(scope="session")
def fresh_database():
    """Make more empty databases (for migration tests); all are removed at the end."""
    drops = []

    def make() -> str:
        url, drop = create_database()
        drops.append(drop)
        return url
    yield make
    for drop in drops:
        drop()


# --- mail ---------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Received:
    recipient: str
    subject: str
    text: str
    html: str
    message: email.message.EmailMessage = field(repr=False)

    def link(self, path_part: str) -> str:
        """The first link in the text part whose path contains `path_part`."""
        for url in re.findall(r"https?://\S+", self.text):
            if path_part in url:
                return url
        raise AssertionError(f"no link with {path_part!r} in: {self.text}")


class Inbox:
    """What a real SMTP server on 127.0.0.1 received."""

    def __init__(self):
        self.messages: list[Received] = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        text = message.get_body(preferencelist=("plain",))
        html = message.get_body(preferencelist=("html",))
        with self.lock:
            for rcpt in envelope.rcpt_tos:
                self.messages.append(Received(
                    recipient=rcpt, subject=str(message["subject"]),
                    text=text.get_content() if text else "",
                    html=html.get_content() if html else "", message=message))
        return "250 OK"

    def to(self, recipient: str) -> list[Received]:
        with self.lock:
            return [m for m in self.messages if m.recipient == recipient]

    def clear(self):
        with self.lock:
            self.messages.clear()


class SMTPServer:
    def __init__(self):
        self.inbox = Inbox()
        self.port = free_port()
        self.controller = None

    def start(self):
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self):
        if self.controller:
            self.controller.stop()
            self.controller = None


@pytest.fixture(scope="session")
def smtp_server():
    server = SMTPServer()
    server.start()
    yield server
    server.stop()


# --- the app ------------------------------------------------------------------------------

def test_config(database_url: str, smtp_port: int) -> dict:
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret-" + uuid.uuid4().hex,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": smtp_port,
        "MAIL_SUPPRESS_SEND": False,
        "MAIL_RETRY_BASE_SECONDS": 60,
        "SERVER_NAME": None,
        # Cheap hashing for the thousands of accounts the tests make; test_auth_timing and
        # test_accounts put production's scrypt back where the work itself is tested.
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1",
        # Not the instance folder of the working tree: this run's own, on the scratch folder.
        "UPLOAD_FOLDER": str(scratch_folder() / "uploads"),
        "JOB_RESULT_FOLDER": str(scratch_folder() / "results"),
        # Tests change data between requests; tests/test_api.py turns the cache on itself.
        "API_CACHE_SECONDS": 0,
    }


@pytest.fixture(scope="session")
def app(database_url, smtp_server):
    from flask_migrate import upgrade

    app = create_app(test_config(database_url, smtp_server.port))
    with app.app_context():
        upgrade()  # the schema comes from the migrations, as in production
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def _empty_all_tables(app):
    with app.app_context():
        db.session.remove()
        tables = list(reversed(db.metadata.sorted_tables))
        with db.engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                # One round trip instead of one per table, after every test.
                conn.exec_driver_sql("; ".join(
                    f"DELETE FROM {conn.dialect.identifier_preparer.format_table(table)}"
                    for table in tables))
            else:
                for table in tables:
                    conn.execute(table.delete())


@pytest.fixture(autouse=True)
def _clean_database(request):
    """Every test starts with empty tables (the schema stays)."""
    yield
    if "app" in request.fixturenames:
        _empty_all_tables(request.getfixturevalue("app"))


@pytest.fixture
def app_ctx(app):
    with app.app_context():
        yield app


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def mailbox(app, smtp_server):
    """The SMTP server's inbox, emptied, and `deliver()` that runs the outbox sender."""
    smtp_server.inbox.clear()

    class Mailbox:
        inbox = smtp_server.inbox

        def deliver(self) -> dict:
            from participation.mail.services import send_due
            with app.app_context():
                counts = send_due()
                db.session.remove()
            return counts

        def to(self, recipient: str) -> list[Received]:
            return self.inbox.to(recipient)

        def only(self, recipient: str) -> Received:
            found = self.to(recipient)
            assert len(found) == 1, f"expected one mail to {recipient}, got {len(found)}"
            return found[0]

        @property
        def messages(self):
            return list(self.inbox.messages)
    return Mailbox()


class QueryCounter:
    def __init__(self):
        self.statements: list[str] = []

    def __call__(self, conn, cursor, statement, parameters, context, executemany):
        self.statements.append(statement)

    @property
    def count(self) -> int:
        return len(self.statements)


@pytest.fixture
def count_queries(app):
    """Use as `with count_queries() as counter:`; counts SQL statements sent to the database."""
    from contextlib import contextmanager

    @contextmanager
    def counting():
        counter = QueryCounter()
        with app.app_context():
            engine = db.engine
        sa.event.listen(engine, "before_cursor_execute", counter)
        try:
            yield counter
        finally:
            sa.event.remove(engine, "before_cursor_execute", counter)
    return counting


# --- CI: a skip never hides a missing part ------------------------------------------------

#: The longest tests (over ~3 s on a quiet machine), started first: on several workers
#: (make test, pytest-xdist) a long test begun last keeps one worker busy while the others wait.
LONG_FIRST = ("test_xss.py::test_no_vector_runs_on_any_page", "test_load.py", "test_outage.py",
              "test_instances.py", "test_fuzz.py::test_every_page_survives",
              "test_moderation.py::test_queue_queries_do_not_grow", "test_auth_timing.py",
              "test_access.py::test_role_by_action_for_every_route", "test_mail.py::test_a_sender",
              "test_page_validity.py::test_every_page_is_valid_html_for_every_role")


def _long_first(item) -> int:
    if any(long in item.nodeid for long in LONG_FIRST):
        return 0
    return 1 if "browser" in item.keywords else 2


def pytest_collection_modifyitems(config, items):
    items.sort(key=_long_first)  # stable: the rest keep their order
    if (os.environ.get("DATABASE_URL") or "sqlite").startswith("sqlite"):
        for item in items:
            if marker := item.get_closest_marker("postgresql"):
                item.add_marker(pytest.mark.skip(reason=marker.kwargs.get(
                    "reason", "a race only PostgreSQL lets happen: on SQLite the second "
                              "writer waits for the first")))


def pytest_collection_finish(session):
    """A test process that will drive the browser starts the Nu HTML Checker's JVM at once
    (10-30 s of start-up, before: in the first page check), so it starts while other work
    goes on."""
    if session.config.option.collectonly:
        return
    from .browser import PAGE_CHECKS, start_nu_checker

    if PAGE_CHECKS and any(item.get_closest_marker("browser") for item in session.items):
        start_nu_checker()


def pytest_sessionfinish(session, exitstatus):
    from .browser import FIGURES

    if hasattr(session.config, "workeroutput"):  # a pytest-xdist worker: figures to the controller
        session.config.workeroutput["page_checks"] = FIGURES.as_dict()
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = len(reporter.stats.get("skipped", [])) if reporter else 0
    if IN_CI and skipped:
        reporter.write_line(f"CI: {skipped} test(s) skipped; in CI every test must run.", red=True)
        session.exitstatus = 1


# --- the page checks' figures: what the Nu HTML Checker and axe saw in this run ------------

_worker_figures: list[dict] = []


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error):
    """pytest-xdist, on the controller: a worker's figures."""
    if figures := getattr(node, "workeroutput", {}).get("page_checks"):
        _worker_figures.append(figures)


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    """One line with the checkers' figures (for the accessibility statement); with
    PAGE_CHECKS_JSON=path also the pages and the warnings, as JSON."""
    from .browser import FIGURES, PAGE_CHECKS

    if not PAGE_CHECKS:
        terminalreporter.write_line("Page checks: off in this run (PAGE_CHECKS=off); the "
                                    "browser tests drove the pages without the Nu HTML Checker "
                                    "and axe")
        return
    parts = _worker_figures or [FIGURES.as_dict()]
    total = {"documents": sum(p["documents"] for p in parts),
             "pages": sorted({page for p in parts for page in p["pages"]}),
             "errors": sum(p["errors"] for p in parts),
             "pages_with_errors": sorted({page for p in parts for page in p["pages_with_errors"]}),
             "warnings": sum(p["warnings"] for p in parts),
             "axe_checks": sum(p["axe_checks"] for p in parts),
             "axe_pages": sorted({page for p in parts for page in p["axe_pages"]}),
             "warning_texts": {},
             "nu_seconds": sum(p.get("nu_seconds", 0) for p in parts),
             "axe_seconds": sum(p.get("axe_seconds", 0) for p in parts)}
    for p in parts:
        for text, n in p["warning_texts"].items():
            total["warning_texts"][text] = total["warning_texts"].get(text, 0) + n
    if not total["documents"] and not total["axe_checks"]:
        return
    terminalreporter.write_line(
        f"Page checks: Nu HTML Checker on {total['documents']} documents "
        f"({len(total['pages'])} distinct paths): {total['errors']} errors "
        f"(on {len(total['pages_with_errors'])} paths), "
        f"{total['warnings']} warnings; axe (WCAG 2.1 AA) {total['axe_checks']} times "
        f"on {len(total['axe_pages'])} distinct paths; checking took {total['nu_seconds']:.0f} s "
        f"and {total['axe_seconds']:.0f} s of the workers' time")
    if path := os.environ.get("PAGE_CHECKS_JSON"):
        Path(path).write_text(json.dumps(total, indent=2, ensure_ascii=False))


# --- the browser --------------------------------------------------------------------------

@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    from . import browser

    browser.SERVED.clear()  # a page sent for an earlier test is that test's


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    """After a browser test: the Nu HTML Checker on every page it was sent and did not check
    already (assert_accessible checks as it goes), so an invalid page fails its own test."""
    from .browser import PAGE_CHECKS, SERVED, assert_valid_html

    result = yield
    if SERVED and PAGE_CHECKS:
        assert_valid_html()
    return result


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """pytest-playwright: launch Debian's Chromium; Playwright cannot download its own here."""
    from .browser import CHROMIUM, CHROMIUM_ARGS, chromium_available

    if not chromium_available():
        reason = f"Chromium is not installed at {CHROMIUM} (apt-get install -y chromium)"
        if IN_CI:
            pytest.fail(reason)
        pytest.skip(reason)
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def live_server(app):
    from .browser import LiveServer

    server = LiveServer(app)
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def served(tmp_path_factory, app, database_url, smtp_server):
    """gunicorn with two workers on this run's database (SQLite file or PostgreSQL), as in
    production: each request of a pair at once is answered by a process of its own. One for
    the test process (five modules use it; starting it took 6-13 s, stopping it 3-5 s, once
    per module before): every test empties the tables, as with the in-process live server."""
    from .instances import Site

    folder = tmp_path_factory.mktemp("edits")
    uploads = folder / "uploads"
    uploads.mkdir()
    site = Site(folder=folder, database_url=database_url, upload_folder=uploads,
                key_prefix="", env={
                    "SECRET_KEY": uuid.uuid4().hex * 2, "DATABASE_URL": database_url,
                    "UPLOAD_FOLDER": str(uploads), "RATELIMIT_ENABLED": "0",
                    "RATELIMIT_STORAGE_URI": "memory://", "SPAM_MIN_SECONDS": "0",
                    "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": str(smtp_server.port)})
    try:
        yield site.start_instance("edits", workers=2)
    finally:
        site.stop()


@pytest.fixture(scope="session")
def base_url():
    """Replaces pytest-base-url's fixture, which pytest 9 warns about; tests use live_server.url."""
    return None
