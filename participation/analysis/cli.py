"""The analysis from the command line: `flask --app participation analyse SLUG --output FILE`."""
from __future__ import annotations

import json

import click
import sqlalchemy as sa
from flask.cli import with_appcontext

from ..core.extensions import db
from ..drafts.models import Section
from ..jobs.services import start
from ..processes.models import Process, RoundKind, Theme


@click.command("analyse")
@click.argument("slug")
@click.option("--round", "round_kind", type=click.Choice(["input", "feedback"]), default="input",
              show_default=True, help="input: round 1's contributions; feedback: round 2's comments.")
@click.option("--theme", "theme_id", type=int, help="Only the contributions on this theme (id).")
@click.option("--section", "section_id", type=int,
              help="Only the comments on this section (id), in every version of the draft.")
@click.option("--output", type=click.Path(dir_okay=False, writable=True))
@click.option("--background", is_flag=True,
              help="Queue it as a job for the jobs workers (its result file is the JSON).")
@with_appcontext
def analyse_command(slug: str, round_kind: str, theme_id: int | None, section_id: int | None,
                    output: str | None, background: bool) -> None:
    """Write the groups of similar input and the near-duplicates of process SLUG as JSON.

    Only what everyone may read is analysed; nothing leaves this machine."""
    # Imported here, not with the app: scikit-learn, SciPy and NumPy are about 110 MB that
    # every web worker and export process would otherwise carry without using them.
    from .services import analyse_round, as_json

    process = db.session.scalar(sa.select(Process).where(Process.slug == slug))
    if process is None:
        raise click.ClickException(f"no process with slug {slug!r}")
    kind = RoundKind(round_kind)
    if theme_id is not None:
        if kind is not RoundKind.input:
            raise click.UsageError("--theme goes with --round input")
        theme = db.session.get(Theme, theme_id)
        if theme is None or theme.process_id != process.id:
            raise click.ClickException(f"process {slug!r} has no theme {theme_id}")
    lineage_id = None
    if section_id is not None:
        if kind is not RoundKind.feedback:
            raise click.UsageError("--section goes with --round feedback")
        section = db.session.get(Section, section_id)
        if section is None or section.version.process_id != process.id:
            raise click.ClickException(f"process {slug!r} has no section {section_id}")
        lineage_id = section.lineage_id
    if background:
        job = start("analysis", process_id=process.id, parameters={
            "round": round_kind, "theme_id": theme_id, "lineage_id": lineage_id})
        db.session.commit()
        click.echo(f"queued job {job.id}")
        return
    if not output:
        raise click.UsageError("--output FILE, or --background")
    result = as_json(analyse_round(process, kind, theme_id=theme_id, lineage_id=lineage_id))
    with open(output, "w", encoding="utf-8") as handle:
        json.dump(result, handle, ensure_ascii=False, indent=2)
    items = sum(len(group["items"]) for group in result["groups"])
    click.echo(f"wrote {output} ({items} items in {len(result['groups'])} groups, "
               f"{len(result['near_duplicates'])} near-duplicate pairs)")
