"""The real site as it runs in production, for tests: several gunicorn instances (`wsgi:app`) on
127.0.0.1 that share one fresh PostgreSQL database, Redis for the rate-limit counters and one
upload folder, configured only through the environment; mail workers as separate processes; and
people who use the site over HTTP, each with a cookie jar of their own.

Everything started here is stopped again by `running_site`, also when a test fails.
"""
from __future__ import annotations

import http.client
import http.cookies
import json
import os
import re
import secrets
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import pytest
import sqlalchemy as sa

from participation.core.config import ENV_SETTINGS, normalise_database_url

from .conftest import IN_CI, free_port
from .factories import csrf_token

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
#: The PostgreSQL server the site's database is made on (DATABASE_URL's server when that is
#: PostgreSQL, so CI's PostgreSQL run uses its own server).
PG_SERVER = "postgresql://postgres@127.0.0.1:5432/postgres"
REDIS_URL = "redis://127.0.0.1:6379"
START_TIMEOUT = 60


# --- the shared parts ---------------------------------------------------------------------

def pg_server_url() -> str:
    given = os.environ.get("DATABASE_URL", "")
    if given.startswith(("postgres://", "postgresql")):
        return normalise_database_url(given)
    return normalise_database_url(PG_SERVER)


def require_services() -> None:
    """PostgreSQL and Redis must answer; without them the test is skipped, or fails in CI."""
    import redis

    missing = []
    engine = sa.create_engine(pg_server_url())
    try:
        with engine.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
    except sa.exc.OperationalError as error:
        missing.append(f"PostgreSQL at {pg_server_url()} ({type(error).__name__})")
    finally:
        engine.dispose()
    store = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    try:
        store.ping()
    except redis.RedisError as error:
        missing.append(f"Redis at {REDIS_URL} ({type(error).__name__})")
    finally:
        store.close()
    if missing:
        reason = "needs " + " and ".join(missing)
        if IN_CI:
            pytest.fail(reason)
        pytest.skip(reason)


@contextmanager
def fresh_database() -> Iterator[str]:
    """An empty database of its own on the PostgreSQL server, dropped afterwards."""
    server = sa.engine.make_url(pg_server_url())
    name = f"participation_instances_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(server.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
        # As for the suite's own database (conftest.create_database): commits do not wait for
        # the disk. Only a crash of the server could lose one; these tests stop processes.
        conn.execute(sa.text(f'ALTER DATABASE "{name}" SET synchronous_commit = off'))
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def clear_redis(prefix: str) -> None:
    import redis

    store = redis.Redis.from_url(REDIS_URL)
    try:
        for key in store.scan_iter(match=f"*{prefix}*"):
            store.delete(key)
    finally:
        store.close()


# --- processes ----------------------------------------------------------------------------

@dataclass
class Process:
    """A process this test started (its own process group), with its output in a file."""
    name: str
    popen: subprocess.Popen
    log: Path

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def tail(self, lines: int = 40) -> str:
        return "\n".join(self.output().splitlines()[-lines:])

    def alive(self) -> bool:
        return self.popen.poll() is None

    def stop(self, timeout: float = 15) -> int | None:
        """SIGTERM, as a service manager does; SIGKILL to its group if it does not end."""
        if self.alive():
            self.popen.send_signal(signal.SIGTERM)
            try:
                self.popen.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                os.killpg(self.popen.pid, signal.SIGKILL)
                self.popen.wait(timeout=10)
        return self.popen.returncode


@dataclass
class Instance(Process):
    """A gunicorn serving `wsgi:app` on a port of 127.0.0.1."""
    port: int = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


def _answers(url: str) -> bool:
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=5)
    try:
        conn.request("GET", "/")
        return conn.getresponse().status == 200
    except OSError:
        return False
    finally:
        conn.close()


@dataclass
class Site:
    """One deployment: its configuration (environment) and the processes started for it."""
    folder: Path
    database_url: str
    upload_folder: Path
    key_prefix: str
    env: dict[str, str]
    processes: list[Process] = field(default_factory=list)
    _app: object = None

    def environment(self, **more: str) -> dict[str, str]:
        # Settings of the person running the tests must not leak in (a DATABASE_URL, a secure
        # cookie flag): the site gets only what this deployment sets.
        inherited = {k: v for k, v in os.environ.items() if k not in ENV_SETTINGS}
        return {**inherited, "PYTHONUNBUFFERED": "1", **self.env, **more}

    def flask(self, *args: str, timeout: float = 120) -> str:
        """Run `flask --app participation ARGS` against this site; its output."""
        done = subprocess.run([str(BIN / "flask"), "--app", "participation", *args],
                              cwd=REPO, env=self.environment(), capture_output=True, text=True,
                              timeout=timeout)
        assert done.returncode == 0, f"flask {' '.join(args)}:\n{done.stdout}\n{done.stderr}"
        return done.stdout

    def _spawn(self, kind, name: str, command: list[str], **attrs) -> Process:
        log = self.folder / f"{name}.log"
        with open(log, "wb") as out:
            popen = subprocess.Popen(command, cwd=REPO, env=self.environment(), stdout=out,
                                     stderr=subprocess.STDOUT, start_new_session=True)
        process = kind(name=name, popen=popen, log=log, **attrs)
        self.processes.append(process)
        return process

    def start_instance(self, name: str, workers: int = 2) -> Instance:
        """gunicorn with `workers` sync workers; returns once it serves the home page."""
        for _attempt in range(3):  # the free port may be taken between finding and binding it
            port = free_port()
            instance = self._spawn(Instance, name, [
                str(BIN / "gunicorn"), "--no-control-socket", "--workers", str(workers),
                "--bind", f"127.0.0.1:{port}", "--graceful-timeout", "5", "--timeout", "60",
                "wsgi:app"], port=port)
            deadline = time.monotonic() + START_TIMEOUT
            while instance.alive() and time.monotonic() < deadline:
                if _answers(instance.url):
                    return instance
                time.sleep(0.1)
            instance.stop()
            if "Address already in use" not in instance.output():
                break
        raise AssertionError(f"gunicorn {name} did not start:\n{instance.tail()}")

    def start_mail_worker(self, name: str, interval: float = 0.2) -> Process:
        worker = self._spawn(Process, name, [str(BIN / "flask"), "--app", "participation",
                                             "mail", "worker", "--interval", str(interval)])
        deadline = time.monotonic() + START_TIMEOUT
        while "delivering every" not in worker.output():
            assert worker.alive() and time.monotonic() < deadline, worker.tail()
            time.sleep(0.05)
        return worker

    def app(self):
        """The same site in this process, on the same database, to seed and to read rows."""
        if self._app is None:
            from participation import create_app

            self._app = create_app({
                "TESTING": True, "SECRET_KEY": self.env["SECRET_KEY"],
                "SQLALCHEMY_DATABASE_URI": normalise_database_url(self.database_url),
                "UPLOAD_FOLDER": str(self.upload_folder), "SERVER_NAME": None,
                "RATELIMIT_STORAGE_URI": "memory://"})
        return self._app

    def stop(self) -> None:
        for process in reversed(self.processes):
            process.stop()
        if self._app is not None:
            from participation.core.extensions import db

            with self._app.app_context():
                db.session.remove()
                db.engine.dispose()


@contextmanager
def running_site(tmp_path: Path, mail_port: int = 25, **settings: str) -> Iterator[Site]:
    """A migrated, empty deployment; start its processes with `site.start_instance()`.

    `settings` are more environment variables (SPAM_MIN_SECONDS, PROXIES, RATE_LIMITS, ...).
    Processes, the database and the rate-limit counters are removed afterwards.
    """
    require_services()
    prefix = f"participation-test-{uuid.uuid4().hex[:12]}"
    uploads = tmp_path / "uploads"
    uploads.mkdir()
    with fresh_database() as database_url:
        site = Site(folder=tmp_path, database_url=database_url, upload_folder=uploads,
                    key_prefix=prefix, env={
                        "SECRET_KEY": secrets.token_urlsafe(48),
                        "DATABASE_URL": database_url,
                        "UPLOAD_FOLDER": str(uploads),
                        "RATELIMIT_STORAGE_URI": REDIS_URL,
                        "RATELIMIT_KEY_PREFIX": prefix,
                        "MAIL_SERVER": "127.0.0.1",
                        "MAIL_PORT": str(mail_port),
                        **settings})
        try:
            site.flask("db", "upgrade")
            yield site
        finally:
            try:
                site.stop()
            finally:
                clear_redis(prefix)


# --- people using the site over HTTP ------------------------------------------------------

@dataclass
class Answer:
    status: int
    headers: http.client.HTTPMessage
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")

    @property
    def location(self) -> str:
        return self.headers.get("Location", "")

    def plain(self) -> str:
        """The page's text with whitespace collapsed, tags left in."""
        return re.sub(r"\s+", " ", self.text)


class Person:
    """A browser: one cookie jar (sent to every instance: cookies do not depend on the port),
    seen by the site at `address` when a load balancer forwards it (PROXIES=1)."""

    def __init__(self, address: str | None = None):
        self.address = address
        self.cookies: dict[str, str] = {}
        self._lock = threading.Lock()

    def get(self, url: str) -> Answer:
        return self.request("GET", url)

    def post(self, url: str, fields: dict[str, str], files: dict | None = None) -> Answer:
        """A form post; `files` maps a field to (filename, bytes, content type)."""
        if files:
            boundary = uuid.uuid4().hex
            body = _multipart(boundary, fields, files)
            kind = f"multipart/form-data; boundary={boundary}"
        else:
            body = urlencode(fields).encode()
            kind = "application/x-www-form-urlencoded"
        return self.request("POST", url, body, {"Content-Type": kind})

    def request(self, method: str, url: str, body: bytes | None = None,
                headers: dict | None = None) -> Answer:
        parts = urlsplit(url)
        sent = dict(headers or {})
        with self._lock:
            if self.cookies:
                sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if self.address:
            sent["X-Forwarded-For"] = self.address
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=120)
        try:
            conn.request(method, path, body=body, headers=sent)
            response = conn.getresponse()
            answer = Answer(response.status, response.msg, response.read())
        finally:
            conn.close()
        self._keep_cookies(answer.headers.get_all("Set-Cookie") or [])
        return answer

    def _keep_cookies(self, headers: list[str]) -> None:
        with self._lock:
            for header in headers:
                cookie = http.cookies.SimpleCookie()
                cookie.load(header)
                for name, morsel in cookie.items():
                    if morsel["max-age"] == "0" or "1970" in morsel["expires"]:
                        self.cookies.pop(name, None)
                    else:
                        self.cookies[name] = morsel.value

    def form_token(self, url: str) -> str:
        """Load a form page and return its CSRF token."""
        page = self.get(url)
        assert page.status == 200, (url, page.status)
        return csrf_token(page.text)

    def choose_language(self, base: str, locale: str = "en") -> None:
        """What a visitor does with the language switch in the header (kept in the session)."""
        token = self.form_token(f"{base}/")
        answer = self.post(f"{base}/language", {"csrf_token": token, "locale": locale})
        assert answer.status == 302, answer.status

    def log_in(self, base: str, email: str, password: str) -> Answer:
        token = self.form_token(f"{base}/account/login")
        answer = self.post(f"{base}/account/login",
                           {"csrf_token": token, "email": email, "password": password})
        assert answer.status == 302, (email, answer.status, answer.plain()[:2000])
        return answer


def _multipart(boundary: str, fields: dict[str, str], files: dict) -> bytes:
    parts = []
    for name, value in fields.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
                     f"{value}\r\n".encode())
    for name, (filename, data, kind) in files.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
                     f'filename="{filename}"\r\nContent-Type: {kind}\r\n\r\n'.encode()
                     + data + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts)


def pdf_with(marker: str) -> bytes:
    """A small, real one-page PDF whose bytes carry `marker`."""
    import io

    import pikepdf

    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(595, 842))
    pdf.docinfo["/Title"] = marker
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


def as_json(value) -> str:
    return json.dumps(value, separators=(",", ":"))
