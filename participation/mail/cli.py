"""The outbox's commands: `flask --app participation mail send|worker` (`mail digest` is the
notifications', in `notifications/cli.py`)."""
from __future__ import annotations

import signal
import time

import click
from flask import current_app
from flask.cli import AppGroup

from ..core.extensions import db
from .services import send_due

mail_cli = AppGroup("mail", help="Deliver the outbox.")


@mail_cli.command("send")
@click.option("--limit", default=500, show_default=True, help="Most messages to try in this run.")
def mail_send_command(limit: int) -> None:
    """Deliver what is due in the outbox, then exit."""
    counts = send_due(limit=limit)
    click.echo(f"sent {counts['sent']}, to retry {counts['retry']}, failed {counts['failed']}")


@mail_cli.command("worker")
@click.option("--interval", type=float, default=None,
              help="Seconds between rounds (default MAIL_WORKER_INTERVAL_SECONDS).")
def mail_worker_command(interval: float | None) -> None:
    """Keep delivering the outbox until stopped (SIGTERM or Ctrl-C end it after a message)."""
    interval = interval or current_app.config["MAIL_WORKER_INTERVAL_SECONDS"]
    stopping = []
    signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))
    click.echo(f"mail worker: delivering every {interval:g}s")
    try:
        while not stopping:
            counts = send_due()
            if any(counts.values()):
                click.echo(f"sent {counts['sent']}, to retry {counts['retry']}, "
                           f"failed {counts['failed']}")
            db.session.remove()
            for _ in range(int(interval * 10)):
                if stopping:
                    break
                time.sleep(0.1)
    except KeyboardInterrupt:
        pass
    click.echo("mail worker: stopped")
