"""No lost input when the database goes away: a PostgreSQL of the test's own is stopped during a
burst of submissions and started again. Every submission answered with success has its row;
every other one got the friendly 503 page with the person's text; afterwards the same app
(no restart) works again."""
from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import threading
import time
import uuid

import pytest
import sqlalchemy as sa

from participation import create_app
from participation.core.extensions import db

from .factories import csrf_token, login, make_user
from .conftest import test_config as config_for

PG_BIN = sorted(glob.glob("/usr/lib/postgresql/*/bin"))[-1:] or [""]
PG_BIN = PG_BIN[0]

#: Runs its own PostgreSQL whatever DATABASE_URL says: once per CI run is enough.
pytestmark = pytest.mark.once


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class OwnPostgres:
    """initdb in a temporary folder, on a port of its own; stop and start at will."""

    def __init__(self):
        self.folder = tempfile.mkdtemp(prefix="outage-pg-")
        self.data = os.path.join(self.folder, "data")
        self.port = _free_port()
        self.url = f"postgresql://postgres@127.0.0.1:{self.port}/postgres"
        os.chmod(self.folder, 0o755)
        if os.geteuid() == 0:  # PostgreSQL refuses to run as root
            shutil.chown(self.folder, "postgres", "postgres")
        self._run("initdb", "-D", self.data, "-A", "trust", "-U", "postgres", "--no-sync")

    def _run(self, tool: str, *args: str) -> None:
        command = [os.path.join(PG_BIN, tool), *args]
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=True, capture_output=True, timeout=60)

    def start(self) -> None:
        options = (f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 "
                   "-c fsync=off -c full_page_writes=off")
        self._run("pg_ctl", "-D", self.data, "-o", options, "-l",
                  os.path.join(self.folder, "log"), "-w", "start")

    def stop(self) -> None:
        # "fast": open connections are cut, as when the server or the network goes.
        self._run("pg_ctl", "-D", self.data, "-m", "fast", "-w", "stop")

    def remove(self) -> None:
        try:
            self.stop()
        except subprocess.CalledProcessError:
            pass
        shutil.rmtree(self.folder, ignore_errors=True)


@pytest.fixture
def own_postgres():
    if not os.path.exists(os.path.join(PG_BIN, "initdb")):
        pytest.skip("PostgreSQL's server programs (initdb, pg_ctl) are not installed")
    server = OwnPostgres()
    server.start()
    yield server
    server.remove()


def test_a_burst_of_submissions_through_a_database_outage(own_postgres, smtp_server):
    from flask_migrate import upgrade

    from participation.contributions.models import Contribution

    from .factories import make_process

    app = create_app(config_for(own_postgres.url, smtp_server.port))
    with app.app_context():
        upgrade()
        process = make_process()
        theme_id = process.themes[0].id
        for n in range(6):
            make_user(f"p{n}@example.nl", locale="en")
        db.session.commit()

    clients = []
    for n in range(6):
        client = app.test_client()
        login(client, f"p{n}@example.nl")
        token = csrf_token(client.get("/p/economie/input/new").get_data(as_text=True))
        clients.append((client, token))

    results: list[tuple[str, int, str]] = []
    lock = threading.Lock()
    stop_at = time.monotonic() + 7

    def participant(client, token, n):
        i = 0
        while time.monotonic() < stop_at:
            title = f"Inbreng {n}-{i} {uuid.uuid4().hex[:6]}"
            body = f"Mijn tekst {title} met *nadruk*."
            response = client.post("/p/economie/input/new", data={
                "csrf_token": token, "theme_id": str(theme_id), "title": title,
                "body": body, "submission_key": uuid.uuid4().hex})
            with lock:
                results.append((title, response.status_code, response.get_data(as_text=True)))
            i += 1

    threads = [threading.Thread(target=participant, args=(c, t, n))
               for n, (c, t) in enumerate(clients)]
    for thread in threads:
        thread.start()
    time.sleep(1.5)
    own_postgres.stop()
    time.sleep(2)
    own_postgres.start()
    for thread in threads:
        thread.join(timeout=60)

    statuses = {code for _title, code, _body in results}
    assert statuses <= {302, 503}, statuses
    accepted = [title for title, code, _body in results if code == 302]
    refused = [(title, body) for title, code, body in results if code == 503]
    assert accepted and refused, (len(accepted), len(refused))
    for title, body in refused:
        assert "The site is briefly unavailable" in body
        assert title in body and "Mijn tekst" in body  # the text comes back to them
        assert "Traceback" not in body
    with app.app_context():
        saved = set(db.session.scalars(sa.select(Contribution.title)))
    lost = [title for title in accepted if title not in saved]
    assert lost == [], f"{len(lost)} accepted submissions have no row"
    # Accepted after the restart too: the app reconnected by itself.
    assert results[-1][1] == 302
    client, token = clients[0]
    assert client.get("/p/economie").status_code == 200
    print(f"\noutage: {len(results)} submissions, {len(accepted)} saved, "
          f"{len(refused)} answered 503 with their text, 0 lost")


def test_the_unavailable_page_needs_no_database(own_postgres, smtp_server):
    """With the database down before the request, even loading the user fails: the page is
    still the friendly one, in the session's language, with the text."""
    from flask_migrate import upgrade

    from .factories import make_process

    app = create_app(config_for(own_postgres.url, smtp_server.port))
    with app.app_context():
        upgrade()
        make_process()
        make_user("p@example.nl", locale="en")
        db.session.commit()
    client = app.test_client()
    login(client, "p@example.nl")
    token = csrf_token(client.get("/p/economie/input/new").get_data(as_text=True))
    own_postgres.stop()
    response = client.post("/p/economie/input/new", data={
        "csrf_token": token, "theme_id": "1", "title": "Mijn titel",
        "body": "Een lange tekst die niet verloren mag gaan.", "submission_key": "k" * 32,
        "password": "geheim-wachtwoord"})
    assert response.status_code == 503 and response.headers["Retry-After"]
    page = response.get_data(as_text=True)
    assert "Een lange tekst die niet verloren mag gaan." in page and "Mijn titel" in page
    assert "geheim-wachtwoord" not in page and token not in page
    assert client.get("/").status_code == 503
    own_postgres.start()
    assert client.get("/").status_code == 200


def test_a_request_whose_connection_dies_ends_cleanly(own_postgres, smtp_server):
    """The answer is made; then the database goes, and ending the request's session (a
    rollback on the dead connection) must not turn that answer into a server error."""
    from flask_migrate import upgrade

    app = create_app(config_for(own_postgres.url, smtp_server.port))
    with app.app_context():
        upgrade()

    @app.get("/_hold")
    def hold():
        db.session.execute(sa.text("SELECT 1"))  # the session now holds a connection
        own_postgres.stop()
        return "answered"

    response = app.test_client().get("/_hold")
    assert response.status_code == 200 and response.get_data(as_text=True) == "answered"
    own_postgres.start()
    assert app.test_client().get("/").status_code == 200
