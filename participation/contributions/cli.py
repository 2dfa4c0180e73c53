"""`flask --app participation uploads sweep`: the position papers' leftovers, for a daily cron job."""
from __future__ import annotations

from collections.abc import Iterable

import click
import sqlalchemy as sa
from flask.cli import AppGroup

from ..core import uploads
from ..core.extensions import db
from .models import Attachment

uploads_cli = AppGroup("uploads", help="Position papers on disk.")


def _named(names: Iterable[str]) -> set[str]:
    """Which of these stored names a committed attachment row holds."""
    names = list(names)
    found: set[str] = set()
    for start in range(0, len(names), 500):  # bounded IN lists
        found.update(db.session.scalars(sa.select(Attachment.stored_name).where(
            Attachment.stored_name.in_(names[start:start + 500]))))
    return found


@uploads_cli.command("sweep")
def sweep_command() -> None:
    """Remove the half-sent files a stopped process left (older than an hour, no row names
    them), and put in place the ones whose row was committed; running it again changes
    nothing."""
    renamed, removed = uploads.sweep(_named)
    click.echo(f"uploads sweep: {renamed} put in place, {removed} removed")
