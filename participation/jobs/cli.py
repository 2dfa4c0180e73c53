"""The worker: `flask --app participation jobs worker` (one or more per machine)."""
from __future__ import annotations

import logging
import threading

import click
from flask import current_app
from flask.cli import AppGroup

from ..core.extensions import db
from .queue import reap_now

jobs_cli = AppGroup("jobs", help="Long work: exports, the analysis, the digest, the purge.")


@jobs_cli.command("worker")
@click.option("--threads", default=1, show_default=True,
              help="Jobs at once in this process (a PDF uses every core by itself).")
def jobs_worker_command(threads: int) -> None:
    """Run queued jobs until stopped (SIGINT: after the running job; SIGTERM: at once, and
    the job is run again by another worker when its lease runs out)."""
    app = current_app._get_current_object()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    huey = app.extensions["huey"]
    stopping = threading.Event()

    def reaper() -> None:
        # Besides the queue's once-a-minute task: a worker that comes up (or runs) after
        # another was killed takes over its job within one lease, not at the next minute.
        every = app.config["JOB_LEASE_SECONDS"] / 2
        while True:
            try:
                with app.app_context():
                    reap_now()
                    db.session.remove()
            except Exception:  # the database away for a moment: try again next round
                logging.getLogger(__name__).exception("reaper")
            if stopping.wait(every):
                return

    threading.Thread(target=reaper, daemon=True, name="reaper").start()
    consumer = huey.create_consumer(workers=threads, worker_type="thread",
                                    max_delay=app.config["TASK_QUEUE_POLL_SECONDS"])
    click.echo(f"jobs worker: {threads} thread(s) on {type(huey).__name__} {huey.name!r}")
    try:
        consumer.run()
    finally:
        stopping.set()
    click.echo("jobs worker: stopped")


@jobs_cli.command("list")
@click.option("--failed", is_flag=True, help="Only failed jobs, each with its error.")
@click.option("--limit", default=20, show_default=True)
def jobs_list_command(failed: bool, limit: int) -> None:
    """The newest jobs: state, stage, attempts, who ran them; with --failed, why they failed."""
    import sqlalchemy as sa

    from .models import Job, JobState

    query = sa.select(Job).order_by(Job.id.desc()).limit(limit)
    if failed:
        query = query.where(Job.state == JobState.failed)
    for job in db.session.scalars(query):
        click.echo(f"{job.id:6} {job.kind:9} {job.state.value:8} {job.stage or '':10} "
                   f"{job.percent:3}% attempts {job.attempts} {job.worker_id or ''} "
                   f"{job.created_at:%Y-%m-%d %H:%M}")
        if failed and job.error:
            click.echo("       " + job.error.strip().replace("\n", "\n       "))
