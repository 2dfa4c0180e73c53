"""Round 1 from the command line: `flask --app participation input import SLUG FILE` (offline
input from a spreadsheet) and `uploads sweep` (the position papers' leftovers, for a daily
cron job)."""
from __future__ import annotations

import os
from collections.abc import Iterable

import click
import sqlalchemy as sa
from flask.cli import AppGroup
from sqlalchemy.exc import OperationalError
from flask_babel import force_locale, ngettext
from flask_babel import gettext as _

from ..accounts.services import find_user_by_email
from ..core import uploads
from ..core.extensions import db
from ..core.roles import is_team
from ..core.spreadsheets import Unreadable
from ..processes.models import Process, RoundKind
from . import importing
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


input_cli = AppGroup("input", help="Round 1's input.")


@input_cli.command("import")
@click.argument("slug")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--source", required=True,
              help='How the input reached the team, e.g. "Werksessie 12 november".')
@click.option("--by", "by_email", help="The team member recorded as having entered it.")
@click.option("--language", type=click.Choice(["nl", "en"]), default="nl", show_default=True,
              help="The language of the messages and of the line in each item's source.")
def import_command(slug: str, file: str, source: str, by_email: str | None,
                   language: str) -> None:
    """Store the offline input in FILE (CSV or XLSX) in round 1 of process SLUG: every row,
    or, when any row has a problem, none (the problems are printed with their line numbers
    and the command exits with status 1)."""
    with force_locale(language):
        _import(slug, file, source, by_email)


def _import(slug: str, file: str, source: str, by_email: str | None) -> None:
    process = db.session.scalar(sa.select(Process).where(Process.slug == slug))
    if process is None:
        raise click.ClickException(f"no process with slug {slug!r}")
    round_ = process.round_of(RoundKind.input)
    if round_ is None:
        raise click.ClickException(f"process {slug!r} has no input round")
    entered_by = None
    if by_email:
        entered_by = find_user_by_email(by_email)
        if entered_by is None or not is_team(entered_by):
            raise click.ClickException(f"{by_email} is not a member of the project team")
    source = " ".join(source.split())
    if not source or len(source) > importing.SOURCE_MAX:
        raise click.ClickException(f"--source: give 1 to {importing.SOURCE_MAX} characters")
    with open(file, "rb") as handle:
        data = handle.read(importing.MAX_BYTES + 1)
    try:
        sheet = importing.read(data)
    except Unreadable as error:
        click.echo(f"{file}: {error.message}", err=True)
        raise SystemExit(1) from None
    try:
        plan = importing.import_rows(round_, sheet, filename=os.path.basename(file),
                                     source=source, entered_by=entered_by)
    except OperationalError as error:  # SQLite: another writer kept the database too long
        db.session.rollback()
        click.echo(f"{file}: nothing has been stored, the database is busy ({error.orig}); "
                   "try again", err=True)
        raise SystemExit(1) from None
    if not plan.ok:
        db.session.rollback()
        for problem in plan.problems:
            where = _("line %(n)d", n=problem.line) if problem.line else file
            click.echo(f"{where}: {problem.message}", err=True)
        click.echo(ngettext("Nothing has been stored: %(num)d problem.",
                            "Nothing has been stored: %(num)d problems.", len(plan.problems)),
                   err=True)
        raise SystemExit(1)
    db.session.commit()
    click.echo(ngettext("%(num)d contribution stored.", "%(num)d contributions stored.",
                        len(plan.stored)))
    for skipped in plan.skipped:
        click.echo(_("line %(n)d is the same as line %(other)d", n=skipped.line,
                     other=skipped.same_as) if skipped.same_as else
                   _("line %(n)d has been stored before (the same sender, theme, title and "
                     "text)", n=skipped.line))
