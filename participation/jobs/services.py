"""The job table is the truth; the queue only carries the news "job N is waiting".

Huey does not deliver a task again when the worker that took it is killed, so the lease lives
here: a worker claims a job with one conditional UPDATE (state queued, or a lease that ran
out), which only one worker can win on SQLite and PostgreSQL alike; it writes a heartbeat
while it runs; and every worker's reaper tells the queue again about jobs whose lease ran out
(or whose message was lost), so a job whose worker died is finished by another.
"""
from __future__ import annotations

import logging
import os
import socket
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa
from flask import current_app

from ..core.extensions import db
from ..core.timeutil import utcnow
from .models import Job, JobState

log = logging.getLogger(__name__)

#: What each kind of job runs: `run(job, progress)` returns the result's fields (result_path,
#: result_bytes) or None. Filled by the features' jobs.py modules (the app factory imports them).
KINDS: dict[str, Callable[[JobSpec, Progress], dict | None]] = {}

#: Job ids to hand to the queue once the transaction that made them has committed.
_PENDING = "jobs_to_enqueue"


def kind(name: str):
    def register(function):
        KINDS[name] = function
        return function
    return register


class LeaseLost(Exception):
    """Another worker took the job over (this one was thought dead): stop, write nothing."""


def worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"


def lease() -> timedelta:
    return timedelta(seconds=current_app.config["JOB_LEASE_SECONDS"])


def start(kind_name: str, *, actor=None, process_id: int | None = None,
          parameters: dict | None = None, content_version: str | None = None,
          once_key: str | None = None) -> Job:
    """A new queued job; the queue hears of it when the caller commits."""
    job = Job(kind=kind_name, process_id=process_id, parameters=parameters or {},
              requested_by_id=getattr(actor, "id", None), content_version=content_version,
              once_key=once_key)
    db.session.add(job)
    db.session.flush()
    db.session.info.setdefault(_PENDING, []).append(job.id)
    return job


def take_pending(session) -> list[int]:
    return session.info.pop(_PENDING, [])


def _expired(now):
    cutoff = now - lease()
    return sa.or_(sa.and_(Job.state == JobState.running, Job.heartbeat_at < cutoff),
                  sa.and_(Job.state == JobState.queued, Job.enqueued_at < cutoff))


def claim(job_id: int, worker: str) -> bool:
    """Take the job if it is waiting or its lease ran out: one UPDATE, so one winner."""
    now = utcnow()
    claimable = sa.or_(Job.state == JobState.queued,
                       sa.and_(Job.state == JobState.running,
                               Job.heartbeat_at < now - lease()))
    with db.engine.begin() as conn:
        won = conn.execute(sa.update(Job).where(Job.id == job_id, claimable).values(
            state=JobState.running, worker_id=worker, heartbeat_at=now, started_at=now,
            attempts=Job.attempts + 1, stage=None, percent=0)).rowcount == 1
    return won


class Progress:
    """`progress(stage, percent)`: what the page shows. Written at once on a connection of its
    own (the work's transaction may be long); only when the stage or the percent changed."""

    def __init__(self, job_id: int, worker: str):
        self.job_id, self.worker = job_id, worker
        self.engine = db.engine
        self.last: tuple[str, int] | None = None
        #: Tests only: seconds to wait at each new stage, so a worker can be killed mid-job.
        self.stage_pause = float(current_app.config.get("JOB_TEST_STAGE_SECONDS") or 0)

    def __call__(self, stage: str, percent: int) -> None:
        percent = max(0, min(100, int(percent)))
        if self.last == (stage, percent):
            return
        new_stage = self.last is None or self.last[0] != stage
        self.last = (stage, percent)
        with self.engine.begin() as conn:
            mine = conn.execute(sa.update(Job).where(
                Job.id == self.job_id, Job.worker_id == self.worker,
                Job.state == JobState.running).values(
                    stage=stage, percent=percent, heartbeat_at=utcnow())).rowcount
        if not mine:
            raise LeaseLost(self.job_id)
        if new_stage and self.stage_pause:
            time.sleep(self.stage_pause)


class Heartbeat(threading.Thread):
    """Renews the lease while the work runs (a PDF's layout may go a while without progress)."""

    def __init__(self, job_id: int, worker: str, every: float):
        super().__init__(daemon=True, name=f"heartbeat-{job_id}")
        self.job_id, self.worker, self.every = job_id, worker, every
        self.engine = db.engine
        self.stopped = threading.Event()
        self.lost = False

    def run(self) -> None:
        while not self.stopped.wait(self.every):
            try:
                with self.engine.begin() as conn:
                    if not conn.execute(sa.update(Job).where(
                            Job.id == self.job_id, Job.worker_id == self.worker,
                            Job.state == JobState.running).values(
                                heartbeat_at=utcnow())).rowcount:
                        self.lost = True
                        return
            except sa.exc.OperationalError:  # a busy SQLite file: the next beat will do
                log.warning("job %s: heartbeat not written", self.job_id, exc_info=True)

    def stop(self) -> None:
        self.stopped.set()


@dataclass(frozen=True)
class JobSpec:
    """What a kind needs of its job: plain values, read before the work begins, so that the
    work's own transaction starts after the first progress is written (on SQLite a transaction
    whose snapshot is older than another connection's write may not write)."""
    id: int
    kind: str
    process_id: int | None
    parameters: dict
    requested_by_id: int | None


def run(job_id: int) -> None:
    """Claim job `job_id` and run it; a job another worker holds (or finished) is left alone."""
    worker = worker_id()
    if not claim(job_id, worker):
        return
    log.info("job %s: claimed by %s", job_id, worker)
    with db.engine.connect() as conn:
        row = conn.execute(sa.select(Job.id, Job.kind, Job.process_id, Job.parameters,
                                     Job.requested_by_id).where(Job.id == job_id)).one()
    job = JobSpec(*row)
    beat = Heartbeat(job_id, worker, current_app.config["JOB_LEASE_SECONDS"] / 3)
    beat.start()
    try:
        result = KINDS[job.kind](job, Progress(job_id, worker)) or {}
        if beat.lost:
            raise LeaseLost(job_id)
        # The work's own writes (the digest's mail, the purge's erasures) first; both kinds
        # change nothing when run again, so a worker lost between the two commits costs a
        # second run, not a second mail.
        db.session.commit()
        with db.engine.begin() as conn:
            done = conn.execute(sa.update(Job).where(
                Job.id == job_id, Job.worker_id == worker,
                Job.state == JobState.running).values(
                    state=JobState.done, stage="done", percent=100, finished_at=utcnow(),
                    error=None, **result)).rowcount
        if not done:
            raise LeaseLost(job_id)
    except LeaseLost:
        db.session.rollback()
        log.warning("job %s: taken over by another worker; this run stops", job_id)
    except Exception:
        db.session.rollback()
        log.exception("job %s (%s) failed", job_id, job.kind)
        fail(job_id, traceback.format_exc(), worker=worker)
    finally:
        beat.stop()
        db.session.remove()


def fail(job_id: int, error: str, *, worker: str | None = None) -> None:
    condition = [Job.id == job_id, Job.state == JobState.running]
    if worker:
        condition.append(Job.worker_id == worker)
    with db.engine.begin() as conn:
        conn.execute(sa.update(Job).where(*condition).values(
            state=JobState.failed, error=error[-20000:], finished_at=utcnow()))


def requeue_lost() -> list[int]:
    """Jobs whose worker stopped beating (killed, machine gone) or whose message was lost:
    queued again (the caller tells the queue), or failed after JOB_MAX_ATTEMPTS claims."""
    now = utcnow()
    limit = current_app.config["JOB_MAX_ATTEMPTS"]
    again = []
    with db.engine.begin() as conn:
        for job_id, attempts in conn.execute(sa.select(Job.id, Job.attempts).where(_expired(now))):
            if attempts >= limit:
                conn.execute(sa.update(Job).where(Job.id == job_id, _expired(now)).values(
                    state=JobState.failed, finished_at=now,
                    error=f"its worker was lost {attempts} times (killed, or out of memory)"))
            elif conn.execute(sa.update(Job).where(Job.id == job_id, _expired(now)).values(
                    enqueued_at=now)).rowcount:
                again.append(job_id)
    return again


def result_folder() -> Path:
    folder = Path(current_app.config.get("JOB_RESULT_FOLDER")
                  or Path(current_app.instance_path) / "results")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def save_result(job, data: bytes, extension: str) -> dict:
    """The result file, written whole before its name appears (a reader never sees half)."""
    name = f"job-{job.id}.{extension}"
    folder = result_folder()
    partial = folder / f".{name}.{os.getpid()}.{threading.get_ident()}"
    partial.write_bytes(data)
    partial.replace(folder / name)
    return {"result_path": name, "result_bytes": len(data)}


def result_file(job: Job) -> Path | None:
    if job.state is not JobState.done or not job.result_path:
        return None
    path = result_folder() / job.result_path
    return path if path.is_file() else None


def remove_old_results() -> int:
    """Result files older than JOB_KEEP_SECONDS are removed (the job row stays, for the record)."""
    cutoff = utcnow() - timedelta(seconds=current_app.config["EXPORT_KEEP_SECONDS"])
    removed = 0
    with db.engine.begin() as conn:
        for job_id, path in conn.execute(sa.select(Job.id, Job.result_path).where(
                Job.result_path.is_not(None), Job.finished_at < cutoff)):
            (result_folder() / path).unlink(missing_ok=True)
            conn.execute(sa.update(Job).where(Job.id == job_id).values(result_path=None))
            removed += 1
    return removed
