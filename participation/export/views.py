"""The staff page: choose the options, preview the document in the site, start the document
as a job, follow its progress and download it."""
from __future__ import annotations

import io

from flask import (Blueprint, abort, jsonify, redirect, render_template, request, send_file,
                   url_for)
from flask_babel import force_locale, get_locale
from flask_babel import gettext as _
from flask_login import current_user

from ..audit.services import record
from ..core.extensions import db
from ..core.roles import is_team, require
from ..core.security import no_store
from ..jobs.models import Job, JobState
from ..jobs.services import result_file
from ..processes.services import get_visible_process
from . import formats, services
from .forms import ExportForm
from .html_format import document_context
from .jobs import request_export

bp = Blueprint("export", __name__)

VERSIONS = ("public", "internal")


@bp.route("/p/<slug>/export", methods=["GET", "POST"])
@no_store
def export(slug: str):
    process = get_visible_process(slug)
    require(is_team)
    form = ExportForm(language=str(get_locale()))
    if form.validate_on_submit():
        job = request_export(process, form.format.data, public=form.version.data == "public",
                             language=form.language.data, actor=current_user)
        db.session.commit()  # a new job reaches the queue now
        db.session.refresh(job)
        if path := result_file(job):  # made already, nothing changed since: at once
            return _download(process, job, path)
        return redirect(url_for("export.job", slug=process.slug, job_id=job.id), 303)
    status = 400 if request.method == "POST" else 200
    return render_template("export/export.html", process=process, form=form, job=None,
                           current_language=str(get_locale())), status


def _job(process, job_id: int) -> Job:
    job = db.session.get(Job, job_id)
    if job is None or job.kind != "export" or job.process_id != process.id:
        abort(404)
    return job


#: What the page says at each stage of an export (the PDF's own stages in between).
def stage_label(job: Job) -> str:
    if job.state is JobState.queued:
        return _("Waiting for a free worker…")
    if job.state is JobState.done:
        return _("Ready: the document can be downloaded.")
    if job.state is JobState.failed:
        return _("The document could not be made.")
    return {
        "gathering": _("Gathering the contributions, reactions and responses…"),
        "rendering": _("Writing the document…"),
        "layout": _("Laying out the pages…"),
        "index": _("Numbering the contents and the index…"),
        "join": _("Joining the parts into one PDF…"),
        "saving": _("Saving the file…"),
    }.get(job.stage or "", _("Starting…"))


@bp.route("/p/<slug>/export/jobs/<int:job_id>")
@no_store
def job(slug: str, job_id: int):
    process = get_visible_process(slug)
    require(is_team)
    job = _job(process, job_id)
    options = job.parameters
    form = ExportForm(format=options["format"], language=options["language"],
                      version="public" if options["public"] else "internal")
    return render_template("export/export.html", process=process, form=form, job=job,
                           stage_label=stage_label(job), current_language=str(get_locale()))


@bp.route("/p/<slug>/export/jobs/<int:job_id>/status")
@no_store
def job_status(slug: str, job_id: int):
    """How far the job is, for the page's script (a few hundred bytes, one query)."""
    process = get_visible_process(slug)
    require(is_team)
    job = _job(process, job_id)
    return jsonify(state=job.state.value, stage=job.stage, percent=job.percent,
                   label=stage_label(job))


@bp.route("/p/<slug>/export/jobs/<int:job_id>/download")
def download(slug: str, job_id: int):
    process = get_visible_process(slug)
    require(is_team)
    job = _job(process, job_id)
    path = result_file(job)
    if path is None:  # not ready, failed, or no longer kept: the page says which
        return redirect(url_for("export.job", slug=process.slug, job_id=job.id), 303)
    return _download(process, job, path)


def _download(process, job: Job, path):
    options = job.parameters
    fmt = options["format"]
    version = "public" if options["public"] else "internal"
    record("export", actor=current_user, target_type="process", target_id=process.id,
           process_id=process.id,
           after={"format": fmt, "public": options["public"], "language": options["language"],
                  "bytes": job.result_bytes, "job": job.id})
    db.session.commit()
    mimetype, extension = formats.FORMATS[fmt][1:]
    name = f"participatiedocument-{process.slug}-{version}-{options['language']}.{extension}"
    # A small file in one read (no file handle left to the server to close); a large one, a
    # PDF of tens of megabytes, streamed.
    source = path.read_bytes() if path.stat().st_size < 4 * 1024 * 1024 else path
    if isinstance(source, bytes):
        source = io.BytesIO(source)
    response = send_file(source, mimetype=mimetype, as_attachment=True, conditional=False,
                         download_name=name)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/p/<slug>/export/preview")
@no_store
def preview(slug: str):
    """The document as it will read, inside the site (the same template as the PDF)."""
    process = get_visible_process(slug)
    require(is_team)
    version = request.args.get("version", "public")
    language = request.args.get("language", str(get_locale()))
    if version not in VERSIONS or language not in services.LANGUAGES:
        abort(400)
    content = services.document(process, public=version == "public", language=language)
    with force_locale(language):
        context = document_context(content)  # words and dates in the document's language
    return render_template("export/preview.html", process=process, version=version,
                           language=language, **context)
