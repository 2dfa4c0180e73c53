"""The privacy command: `flask --app participation privacy purge`, the retention purge."""
from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from ..core.extensions import db
from .retention import purge

privacy_cli = AppGroup("privacy", help="Privacy (AVG): the retention purge.")


@privacy_cli.command("purge")
@click.option("--dry-run", is_flag=True, help="Count what would be erased; change nothing.")
def privacy_purge_command(dry_run: bool) -> None:
    """Erase personal data of processes whose last round closed more than RETENTION_MONTHS
    months ago (for a daily cron job; running it again changes nothing)."""
    # Only the setting, which the privacy statement quotes, decides the term.
    months = current_app.config["RETENTION_MONTHS"]
    report = purge(months=months)
    if dry_run:
        db.session.rollback()
    else:
        db.session.commit()
    click.echo(f"privacy purge, retention {months} months"
               + (" (dry run: nothing was changed)" if dry_run else "") + ":")
    for line in report.lines():
        click.echo(f"  {line}")
