"""The member check's command: `flask --app participation member-check remind`, run once a day
(cron, or a periodic job) before `mail send`."""
from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from ..core.extensions import db
from .services import send_reminders

member_check_cli = AppGroup("member-check", help="The member check of the document.")


@member_check_cli.command("remind")
def remind_command() -> None:
    """Queue the one reminder for participants who have not replied, in the last days of a
    check (MEMBER_CHECK_REMINDER_DAYS); running it again sends nobody a second one."""
    # Links in the mail need the site's address; a command has no request to take it from.
    with current_app.test_request_context("/", base_url=current_app.config["SITE_URL"]):
        count = send_reminders()
        db.session.commit()
    click.echo(f"queued {count} reminder(s)")
