"""Real job workers for the tests: `flask jobs worker` processes on the test database, on the
embedded SQLite store or on Redis (127.0.0.1:6379, a key prefix of the test's own)."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa

from participation.core.extensions import db
from participation.jobs.models import Job
from participation.jobs.queue import make_huey

REDIS_URL = "redis://127.0.0.1:6379/0"


def wait_for(condition, what: str, give_up: float = 180):
    """Poll until `condition()` is true (a generous give-up, no bound on speed)."""
    deadline = time.monotonic() + give_up
    while time.monotonic() < deadline:
        if value := condition():
            return value
        time.sleep(0.2)
    raise AssertionError(f"gave up waiting for {what}")


def job_row(app, job_id: int):
    with app.app_context():
        row = db.session.execute(sa.select(Job.__table__).where(Job.id == job_id)).one()
        db.session.remove()
    return row


class Workers:
    """Starts worker processes with the settings the web side (the test's app) uses too."""

    def __init__(self, app, settings: dict, folder: Path):
        self.app, self.settings, self.folder = app, settings, folder
        self.processes: list[subprocess.Popen] = []

    def start(self) -> subprocess.Popen:
        env = {**os.environ,
               "DATABASE_URL": self.app.config["SQLALCHEMY_DATABASE_URI"],
               "SECRET_KEY": "worker-" + uuid.uuid4().hex * 2,
               "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": str(self.app.config["MAIL_PORT"]),
               **{name: str(value) for name, value in self.settings.items()}}
        log = open(self.folder / f"worker-{len(self.processes)}.log", "wb")
        flask = Path(sys.executable).parent / "flask"
        process = subprocess.Popen([str(flask), "--app", "participation", "jobs", "worker"],
                                   env=env, stdout=log, stderr=subprocess.STDOUT,
                                   start_new_session=True)
        process.log_path = Path(log.name)
        self.processes.append(process)
        return process

    def logs(self) -> str:
        return "".join(p.log_path.read_text(errors="replace") for p in self.processes)

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def queue_settings(store: str, folder: Path) -> dict:
    name = f"test-{uuid.uuid4().hex[:10]}"
    url = REDIS_URL if store == "redis" else f"sqlite:///{folder / 'tasks.sqlite'}"
    return {"TASK_QUEUE_URL": url, "TASK_QUEUE_NAME": name,
            # A short lease, so that a killed worker's job is taken over soon; long enough
            # that a busy machine's heartbeat (every third of it) is never late.
            "JOB_LEASE_SECONDS": 5, "JOB_RESULT_FOLDER": str(folder / "results"),
            "TASK_QUEUE_POLL_SECONDS": 0.5,
            # Each stage of a job waits this long: time to kill a worker in the middle.
            "JOB_TEST_STAGE_SECONDS": 1.5}


@pytest.fixture
def workers(request, app, tmp_path, monkeypatch):
    """Real workers on the store `request.param` ("sqlite" or "redis"; default sqlite); the
    test's app queues on the same store."""
    store = getattr(request, "param", "sqlite")
    settings = queue_settings(store, tmp_path)
    for name, value in settings.items():
        monkeypatch.setitem(app.config, name, value)
    huey = make_huey(app)
    monkeypatch.setitem(app.extensions, "huey", huey)
    running = Workers(app, settings, tmp_path)
    yield running
    running.stop()
    huey.storage.flush_all()  # this test's keys in Redis (or its SQLite file)
