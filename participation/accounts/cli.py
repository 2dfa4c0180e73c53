"""The accounts' commands: `flask --app participation user create`."""
from __future__ import annotations

import sys

import click
from flask.cli import AppGroup

from ..core.extensions import db
from ..core.roles import Role
from .passwords import password_problems
from .services import create_user

user_cli = AppGroup("user", help="Manage accounts.")


@user_cli.command("create")
@click.argument("email")
@click.option("--role", type=click.Choice(["participant", "moderator", "staff", "admin"]),
              default="participant", show_default=True)
@click.option("--name", default=None, help="Display name (default: the part before the @).")
def create_user_command(email: str, role: str, name: str | None) -> None:
    """Create a confirmed account; the password is read from a prompt or from stdin."""
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
