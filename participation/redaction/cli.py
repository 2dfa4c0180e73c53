"""`flask --app participation redaction scan SLUG`: the texts written before redaction existed."""
from __future__ import annotations

import click
import sqlalchemy as sa
from flask.cli import with_appcontext

from ..comments.models import Comment
from ..contributions.models import Contribution
from ..core.extensions import db
from ..processes.models import Process, Round
from . import services

redaction_cli = click.Group("redaction", help="Personal data in published text.")


@redaction_cli.command("scan")
@click.argument("slug")
@with_appcontext
def scan_command(slug: str) -> None:
    """Look for personal data in every contribution and comment of process SLUG that was not
    looked at yet (written before migration 0011). New texts are looked at when saved."""
    process = db.session.scalar(sa.select(Process).where(Process.slug == slug))
    if process is None:
        raise click.ClickException(f"no process with slug {slug!r}")
    found = 0
    for model in (Contribution, Comment):
        items = db.session.scalars(sa.select(model).join(Round, Round.id == model.round_id)
                                   .where(Round.process_id == process.id))
        for item in items:
            if services.for_item(model.__tablename__, item) is None:
                services.scan(db.session, item, None)
                db.session.flush()
                found += services.for_item(model.__tablename__, item) is not None
    db.session.commit()
    click.echo(f"{found} text(s) with personal data, waiting for the team's decision.")
