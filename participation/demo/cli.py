"""The demo's command: `flask --app participation demo`."""
from __future__ import annotations

import secrets

import click
from flask.cli import with_appcontext

from ..core.extensions import db
from .load import load_demo


@click.command("demo")
@with_appcontext
def demo_command() -> None:
    """Load demo data (idempotent): two processes with themes and input, organisations, a demo admin."""
    created_admin_password = load_demo(admin_password=secrets.token_urlsafe(12))
    db.session.commit()
    if created_admin_password:
        email, password = created_admin_password
        click.echo("Demo admin created; these credentials are shown only once:")
        click.echo(f"  e-mail:   {email}")
        click.echo(f"  password: {password}")
    else:
        click.echo("Demo data is present.")
