"""Exports as jobs: the document made by a worker with its progress on the page, the file kept
and served again while nothing in the process changed."""
from __future__ import annotations

import hashlib
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import force_locale

from ..audit.models import AuditEvent
from ..comments.models import Comment
from ..contributions.models import Contribution
from ..core.extensions import db
from ..core.timeutil import utcnow
from ..drafts.models import DraftVersion
from ..jobs.models import Job, JobState
from ..jobs.services import kind, result_file, save_result, start
from ..moderation.models import Response
from ..processes.models import Process, Round, Theme
from . import formats, services


def content_version(process: Process) -> str:
    """What the document is made of, in one query: the process's newest audit event (the team's
    every action: moderation, responses, rounds, drafts; exports themselves left out), and per
    table of items the count, the sum of the edit versions and the newest change (participants'
    edits and withdrawals, which the trail does not record; a count also sees an erasure).
    One pass over each table: its figures joined into one text (10,000 contributions: see the
    README's benchmarks)."""
    rounds = sa.select(Round.id).where(Round.process_id == process.id)

    def figures(model, where):
        text = (sa.cast(sa.func.count(model.id), sa.String) + ":"
                + sa.cast(sa.func.coalesce(sa.func.sum(model.version), 0), sa.String) + ":"
                + sa.func.coalesce(sa.cast(sa.func.max(model.updated_at), sa.String), ""))
        return sa.select(text).where(where).scalar_subquery()

    def one(query):
        return query.scalar_subquery()

    row = db.session.execute(sa.select(
        one(sa.select(sa.func.max(AuditEvent.id)).where(
            sa.or_(AuditEvent.process_id == process.id, AuditEvent.process_id.is_(None)),
            AuditEvent.action != "export")),
        figures(Contribution, Contribution.round_id.in_(rounds)),
        figures(Comment, Comment.round_id.in_(rounds)),
        figures(Response, Response.process_id == process.id),
        one(sa.select(sa.func.count(DraftVersion.id)).where(
            DraftVersion.process_id == process.id)),
        one(sa.select(sa.func.sum(Round.version)).where(Round.process_id == process.id)),
        one(sa.select(sa.func.sum(Theme.version)).where(Theme.process_id == process.id)),
        one(sa.select(Process.version).where(Process.id == process.id)),
    )).one()
    facts = "|".join(str(value) for value in row) + "|" + current_app.config["MUNICIPALITY_NAME"]
    return hashlib.sha256(facts.encode()).hexdigest()[:40]


def request_export(process: Process, fmt: str, *, public: bool, language: str, actor) -> Job:
    """The job that makes this document: a finished one whose file is kept and whose content is
    still current, else one still under way, else a new one (queued when the caller commits)."""
    parameters = {"format": fmt, "public": public, "language": language}
    version = content_version(process)
    keep = timedelta(seconds=current_app.config["EXPORT_KEEP_SECONDS"])
    candidates = db.session.scalars(sa.select(Job).where(
        Job.kind == "export", Job.process_id == process.id, Job.content_version == version,
        sa.or_(Job.state.in_([JobState.queued, JobState.running]),
               sa.and_(Job.state == JobState.done, Job.finished_at >= utcnow() - keep)))
        .order_by(Job.id.desc())).all()
    for job in candidates:
        if job.parameters == parameters and (job.state is not JobState.done or result_file(job)):
            return job
    return start("export", actor=actor, process_id=process.id, parameters=parameters,
                 content_version=version)


#: Where each stage of an export begins, in percent (the PDF's layout fills its own range).
STAGES = {"gathering": 2, "rendering": 15, "saving": 97}


@kind("export")
def run_export(job: Job, progress) -> dict:
    options = job.parameters
    process = db.session.get(Process, job.process_id)
    progress("gathering", STAGES["gathering"])
    content = services.document(process, public=options["public"], language=options["language"])
    progress("rendering", STAGES["rendering"])
    span = STAGES["saving"] - STAGES["rendering"]

    def rendering(stage: str, percent: int) -> None:  # the PDF's own stages, within "rendering"
        progress(stage, STAGES["rendering"] + span * percent // 100)

    with force_locale(options["language"]):
        data = formats.render(options["format"], content, progress=rendering)
    progress("saving", STAGES["saving"])
    return save_result(job, data, formats.FORMATS[options["format"]].extension)
