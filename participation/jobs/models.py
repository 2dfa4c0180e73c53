"""A job: one piece of long work (an export, the analysis, the digest, the purge), its progress
and its lease."""
from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..core.extensions import db
from ..core.timeutil import utcnow


class JobState(enum.Enum):
    queued = "queued"  #: waiting for a worker (again, after a worker was lost)
    running = "running"  #: a worker holds the lease (worker_id, heartbeat_at)
    done = "done"
    failed = "failed"  #: kept with its error for the team; the person who asked sees a message


class Job(db.Model):
    __tablename__ = "job"
    __table_args__ = (
        # The reaper's question ("whose lease ran out?") and the export page's ("is this one
        # made already?") each in one index.
        sa.Index("ix_job_state_heartbeat_at", "state", "heartbeat_at"),
        sa.Index("ix_job_lookup", "kind", "process_id", "content_version"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: What to run: a name in jobs.services.KINDS ("export", "analysis", "digest", "purge").
    kind: Mapped[str] = mapped_column(sa.String(40))
    process_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("process.id", ondelete="CASCADE"), index=True)
    #: The kind's own options (JSON), e.g. {"format": "pdf", "public": true, "language": "nl"}.
    parameters: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    #: Set for work that must happen once however many workers were told (a periodic task
    #: runs in every consumer): "digest:2026-12-01". Unique, so the second insert fails.
    once_key: Mapped[str | None] = mapped_column(sa.String(80), unique=True)
    state: Mapped[JobState] = mapped_column(
        sa.Enum(JobState, native_enum=False, length=10, validate_strings=True),
        default=JobState.queued)
    #: What the worker is doing now, as a code the page translates ("gathering", "layout", ...).
    stage: Mapped[str | None] = mapped_column(sa.String(40))
    percent: Mapped[int] = mapped_column(default=0)
    requested_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: When the queue was last told about it: a queued job not picked up within a lease (its
    #: message lost with a worker that had taken it) is told again.
    enqueued_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: The lease: the worker that runs it and its last sign of life. A lease older than
    #: JOB_LEASE_SECONDS is expired and any worker may claim the job.
    worker_id: Mapped[str | None] = mapped_column(sa.String(120))
    heartbeat_at: Mapped[datetime | None]
    #: Claims so far; a job claimed JOB_MAX_ATTEMPTS times without finishing is failed.
    attempts: Mapped[int] = mapped_column(default=0)
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    #: Why it failed (a traceback): for the team, never shown to the person who asked.
    error: Mapped[str | None] = mapped_column(sa.Text)
    #: The result file, relative to JOB_RESULT_FOLDER (shared storage with several machines).
    result_path: Mapped[str | None] = mapped_column(sa.String(255))
    result_bytes: Mapped[int | None]
    #: What the process's content was when the job was asked for (export.jobs.content_version):
    #: a done job with the same version and parameters is the same document.
    content_version: Mapped[str | None] = mapped_column(sa.String(120))

    @property
    def finished(self) -> bool:
        return self.state in (JobState.done, JobState.failed)
