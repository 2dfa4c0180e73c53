"""The participation document from the command line: `flask --app participation export SLUG`."""
from __future__ import annotations

import click
import sqlalchemy as sa
from flask.cli import with_appcontext

from ..core.extensions import db
from ..processes.models import Process
from .services import export


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
    process = db.session.scalar(sa.select(Process).where(Process.slug == slug))
    if process is None:
        raise click.ClickException(f"no process with slug {slug!r}")
    data = export(process, fmt, public=not internal, language=language, actor=None)
    db.session.commit()
    with open(output, "wb") as handle:
        handle.write(data)
    click.echo(f"wrote {output} ({len(data)} bytes, {'internal' if internal else 'public'}, "
               f"{language})")
