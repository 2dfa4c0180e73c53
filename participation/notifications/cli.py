"""The notifications' command: `flask --app participation mail digest`, run beside `mail send`
(the factory puts it in the `mail` group)."""
from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from ..core.extensions import db
from .services import send_daily_digests


@click.command("digest")
@with_appcontext
def digest_command() -> None:
    """Queue the daily digests of replies (run once a day, e.g. from cron, before `mail send`)."""
    # Links in the mail need the site's address; a command has no request to take it from.
    with current_app.test_request_context("/", base_url=current_app.config["SITE_URL"]):
        count = send_daily_digests()
        db.session.commit()
    click.echo(f"queued {count} digest(s)")
