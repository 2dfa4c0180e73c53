"""The task queue (Huey): which store, the tasks, and the hand-over after commit.

Huey, chosen over RQ and Dramatiq: it has an embedded store (SqliteHuey, a file in instance/),
so `make run` needs nothing but Python, and a Redis store for several workers on several
machines, with one API and one consumer; RQ and Dramatiq need Redis (or RabbitMQ) even on a
laptop. Its one gap, no redelivery of a task whose worker was killed, is closed by the lease
in the job table (services.py), which any queue would need for "never twice at once" anyway.

TASK_QUEUE_URL: "sqlite:///path" (default instance/tasks.sqlite), "redis://host:6379/0", or
"immediate" (the tests: a task runs at once, in the process that queued it).
"""
from __future__ import annotations

import logging
import threading
from pathlib import Path

from flask import Flask, has_request_context
from huey import Huey, MemoryHuey, RedisHuey, SqliteHuey, crontab
from sqlalchemy import event
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..core.extensions import db
from ..core.timeutil import utcnow
from . import services

log = logging.getLogger(__name__)


def make_huey(app: Flask) -> Huey:
    url = app.config.get("TASK_QUEUE_URL") or (
        "immediate" if app.config.get("TESTING") else
        "sqlite:///" + str(Path(app.instance_path) / "tasks.sqlite"))
    name = app.config["TASK_QUEUE_NAME"]
    # results=False: what a job produced is in the job table, not in the queue.
    if url == "immediate":
        huey: Huey = MemoryHuey(name, results=False, immediate=True)
    elif url.startswith(("redis://", "rediss://", "unix://")):
        huey = RedisHuey(name, results=False, url=url)
    elif url.startswith("sqlite:///"):
        path = Path(url.removeprefix("sqlite:///"))
        path.parent.mkdir(parents=True, exist_ok=True)
        huey = SqliteHuey(name, results=False, filename=str(path))
    else:
        raise RuntimeError(f"TASK_QUEUE_URL: sqlite:///PATH, redis://HOST:PORT/DB or "
                           f"immediate, not {url!r}")

    @huey.task(name="run_job")
    def run_job(job_id: int) -> None:
        def work() -> None:
            with app.app_context():
                services.run(job_id)
        if has_request_context():
            # "immediate" (the tests): run in the request that queued it, but on a thread of
            # its own, outside the request, whose transactions would all take SQLite's write
            # lock at once (participation.core.write_lock) and so block the job's progress.
            thread = threading.Thread(target=work, name=f"job-{job_id}")
            thread.start()
            thread.join()
        else:
            work()

    def once_a_day(kind_name: str) -> None:
        """Every consumer's scheduler fires this; the job's once_key lets one of them in."""
        with app.app_context():
            try:
                services.start(kind_name, once_key=f"{kind_name}:{utcnow():%Y-%m-%d}")
                db.session.commit()
            except IntegrityError:  # another consumer's scheduler was first today
                db.session.rollback()
            finally:
                db.session.remove()

    @huey.periodic_task(crontab(minute="0", hour=str(app.config["DIGEST_HOUR_UTC"])),
                        name="daily_digest")
    def daily_digest() -> None:
        once_a_day("digest")

    @huey.periodic_task(crontab(minute="30", hour=str(app.config["PURGE_HOUR_UTC"])),
                        name="daily_purge")
    def daily_purge() -> None:
        once_a_day("purge")

    @huey.periodic_task(crontab(minute="*"), name="reap")
    def reap() -> None:
        with app.app_context():
            reap_now()

    huey.run_job = run_job  # the one task the site queues
    huey.daily_digest, huey.daily_purge = daily_digest, daily_purge
    return huey


def reap_now() -> list[int]:
    """Queue again what lost its worker or its message; remove result files kept long enough."""
    from flask import current_app

    again = services.requeue_lost()
    for job_id in again:
        log.warning("job %s: lease ran out or message lost; queued again", job_id)
        current_app.extensions["huey"].run_job(job_id)
    services.remove_old_results()
    return again


def register(app: Flask) -> None:
    app.extensions["huey"] = make_huey(app)


# The queue hears of a job only after the transaction that made it has committed: a worker
# must find the row (the outbox's rule for mail, for the same reason). Once for every app: the
# app whose session it is tells its own queue.
@event.listens_for(Session, "after_commit")
def _enqueue(session) -> None:
    from flask import current_app

    for job_id in services.take_pending(session):
        current_app.extensions["huey"].run_job(job_id)


@event.listens_for(Session, "after_rollback")
def _forget(session) -> None:
    services.take_pending(session)
