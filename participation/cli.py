"""Command-line interface: `flask --app participation user|mail|demo ...`."""
from __future__ import annotations

import secrets
import signal
import sys
import time

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext

from .core.extensions import db

user_cli = AppGroup("user", help="Manage accounts.")
mail_cli = AppGroup("mail", help="Deliver the outbox.")
privacy_cli = AppGroup("privacy", help="Privacy (AVG): the retention purge.")


@user_cli.command("create")
@click.argument("email")
@click.option("--role", type=click.Choice(["participant", "moderator", "staff", "admin"]),
              default="participant", show_default=True)
@click.option("--name", default=None, help="Display name (default: the part before the @).")
def create_user_command(email: str, role: str, name: str | None) -> None:
    """Create a confirmed account; the password is read from a prompt or from stdin."""
    from .core.roles import Role
    from .accounts.passwords import password_problems
    from .accounts.services import create_user

    if sys.stdin.isatty():
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    else:
        password = sys.stdin.readline().rstrip("\r\n")
    problems = password_problems(password, email=email)
    if problems:
        raise click.ClickException(" ".join(str(p) for p in problems))
    try:
        user = create_user(email, password, Role(role), name=name)
    except ValueError as error:
        raise click.ClickException(str(error)) from None
    db.session.commit()
    click.echo(f"Created {role} {user.email}.")


@mail_cli.command("send")
@click.option("--limit", default=500, show_default=True, help="Most messages to try in this run.")
def mail_send_command(limit: int) -> None:
    """Deliver what is due in the outbox, then exit."""
    from .mail.services import send_due

    counts = send_due(limit=limit)
    click.echo(f"sent {counts['sent']}, to retry {counts['retry']}, failed {counts['failed']}")


@mail_cli.command("digest")
def mail_digest_command() -> None:
    """Queue the daily digests of replies (run once a day, e.g. from cron, before `mail send`)."""
    from .notifications.services import send_daily_digests

    # Links in the mail need the site's address; a command has no request to take it from.
    with current_app.test_request_context("/", base_url=current_app.config["SITE_URL"]):
        count = send_daily_digests()
        db.session.commit()
    click.echo(f"queued {count} digest(s)")


@mail_cli.command("worker")
@click.option("--interval", type=float, default=None,
              help="Seconds between rounds (default MAIL_WORKER_INTERVAL_SECONDS).")
def mail_worker_command(interval: float | None) -> None:
    """Keep delivering the outbox until stopped (SIGTERM or Ctrl-C end it after a message)."""
    from .mail.services import send_due

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


@click.command("demo")
@with_appcontext
def demo_command() -> None:
    """Load demo data (idempotent): two processes with themes and input, organisations, a demo admin."""
    from .demo import load_demo

    created_admin_password = load_demo(admin_password=secrets.token_urlsafe(12))
    db.session.commit()
    if created_admin_password:
        email, password = created_admin_password
        click.echo("Demo admin created; these credentials are shown only once:")
        click.echo(f"  e-mail:   {email}")
        click.echo(f"  password: {password}")
    else:
        click.echo("Demo data is present.")


@click.command("export")
@click.argument("slug")
@click.option("--format", "fmt", type=click.Choice(["docx", "pdf", "html", "xlsx", "csv", "json"]),
              required=True)
@click.option("--output", type=click.Path(dir_okay=False, writable=True), required=True)
@click.option("--internal", is_flag=True, help="Include hidden and rejected items, marked.")
@click.option("--language", type=click.Choice(["nl", "en"]), default="nl", show_default=True)
@with_appcontext
def export_command(slug: str, fmt: str, output: str, internal: bool, language: str) -> None:
    """Write the participation document of process SLUG (public unless --internal)."""
    import sqlalchemy as sa

    from .export.services import export
    from .processes.models import Process

    process = db.session.scalar(sa.select(Process).where(Process.slug == slug))
    if process is None:
        raise click.ClickException(f"no process with slug {slug!r}")
    data = export(process, fmt, public=not internal, language=language, actor=None)
    db.session.commit()
    with open(output, "wb") as handle:
        handle.write(data)
    click.echo(f"wrote {output} ({len(data)} bytes, {'internal' if internal else 'public'}, "
               f"{language})")


@privacy_cli.command("purge")
@click.option("--dry-run", is_flag=True, help="Count what would be erased; change nothing.")
def privacy_purge_command(dry_run: bool) -> None:
    """Erase personal data of processes whose last round closed more than RETENTION_MONTHS
    months ago (for a daily cron job; running it again changes nothing)."""
    from .privacy.retention import purge

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


def register(app: Flask) -> None:
    app.cli.add_command(user_cli)
    app.cli.add_command(privacy_cli)
    app.cli.add_command(mail_cli)
    app.cli.add_command(demo_command)
    app.cli.add_command(export_command)
