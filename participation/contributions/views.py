"""Round-1 pages: reading the input, giving, editing and withdrawing it, offline entry.

Every write checks the round's window and audience on the server (participation.processes.rules
and participation.contributions.rules); a refused write shows the form again with the
person's text and the reason.
"""
from __future__ import annotations

from functools import partial

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy.exc import OperationalError
from flask_login import current_user

from ..core import conflicts, held, uploads
from ..core.spreadsheets import Unreadable
from ..accounts.models import OrganisationKind, User
from ..accounts.labels import KIND_LABELS
from ..accounts.services import organisations_alphabetically
from ..core.conflicts import CONFLICTS
from ..organisations.services import speaks_for
from ..core.extensions import db, login_manager
from ..core.forms import BaseForm
from ..core.integers import db_int
from ..core.mixins import ModerationState
from ..core.roles import can_moderate, require
from ..processes.rules import Refusal, round_write_refusal
from ..moderation.models import TargetType
from ..moderation.services import response_for
from ..processes.models import Process, Round, RoundKind
from ..processes.services import get_visible_process
from ..core.search import search_text
from ..core.security import form_checks_csrf
from ..core.urls import url_for_each
from ..core.limiter import PostCounter, PostLimit, account
from ..core.submissions import DuplicateSubmission, save_once
from ..processes.own_items import own_item
from . import importing, services
from .forms import (ConfirmImportForm, ContributionForm, EditContributionForm, ImportForm,
                    OfflineContributionForm)
from .rules import can_see_contribution, contribution_write_refusal

bp = Blueprint("contributions", __name__)

#: Input per account; a form sent back with a mistake does not count, a second send does.
CONTRIBUTIONS = PostLimit(PostCounter("contributions", per=account), only_saved=True)


def _input_round(process: Process) -> Round:
    round_ = process.round_of(RoundKind.input)
    if round_ is None:
        abort(404)
    return round_


def _load(process: Process, contribution_id: int, *, lock: bool = False):
    contribution = services.load(process, contribution_id, lock=lock)
    if contribution is None or not can_see_contribution(current_user, contribution):
        abort(404)
    return contribution


def _checked_pdf(form):
    """The uploaded PDF, None when no file was chosen; a refusal becomes a field error."""
    storage = form.paper.data
    if not storage or not getattr(storage, "filename", ""):
        return None, True
    try:
        return uploads.check_pdf(storage), True
    except uploads.UploadRefused as refused:
        form.paper.errors = list(form.paper.errors) + [refused.message]
        return None, False


def _storage_failed(form, error: uploads.StorageFailed) -> int:
    """The disk did not take the file (full, read-only, failing): nothing was saved and no file
    is left; the form comes back with the text, the reason next to the file field."""
    db.session.rollback()
    form.paper.errors = list(form.paper.errors) + [error.message]
    return 503


def _refuse(form, refusal: Refusal, round_: Round) -> None:
    form.form_errors.append(refusal.message(round_))


# --- reading ------------------------------------------------------------------------------

@bp.get("/p/<slug>/input")
def round_page(slug: str):
    process = get_visible_process(slug)
    round_ = _input_round(process)
    args = request.args
    kind_arg = args.get("kind", "")
    flt = services.ReadingFilter(
        theme_id=args.get("theme", type=db_int) or None,
        kind=OrganisationKind(kind_arg) if kind_arg in OrganisationKind._value2member_map_ else None,
        individuals=kind_arg == "individual",
        query=search_text(),
        page=args.get("page", 1, type=db_int) or 1)
    reading = services.reading_page(round_, flt, process.themes)
    item_url = url_for_each("contributions.contribution", "contribution_id", slug=slug)
    return render_template(
        "contributions/round.html", process=process, round=round_, reading=reading, flt=flt,
        item_urls={item.id: item_url(item.id) for item in reading.contributions},
        kind_arg=kind_arg, own=services.own_contributions(current_user, round_),
        refusal=round_write_refusal(current_user, round_))


@bp.get("/p/<slug>/input/<int:contribution_id>")
def contribution(slug: str, contribution_id: int):
    process = get_visible_process(slug)
    item = _load(process, contribution_id)
    response = response_for(TargetType.contribution, item.id)
    return render_template("contributions/contribution.html", process=process, item=item,
                           write_refusal=contribution_write_refusal(current_user, item),
                           response=response if response and response.published_at else None)


@bp.get("/p/<slug>/input/<int:contribution_id>/paper")
def paper(slug: str, contribution_id: int):
    process = get_visible_process(slug)
    item = _load(process, contribution_id)
    if item.attachment is None:
        abort(404)
    path = uploads.path_of(item.attachment.stored_name)
    if not path.exists():
        abort(404)
    response = send_file(path, mimetype="application/pdf", download_name=item.attachment.original_name,
                         as_attachment=False, max_age=0)
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["Content-Security-Policy"] = "sandbox; default-src 'none'"
    return response


# --- giving input -------------------------------------------------------------------------

@bp.route("/p/<slug>/input/new", methods=["GET", "POST"])
@form_checks_csrf
def new(slug: str):
    process = get_visible_process(slug)
    round_ = _input_round(process)
    refusal = round_write_refusal(current_user, round_)
    if refusal is Refusal.login and request.method == "GET":
        return login_manager.unauthorized()
    if refusal is Refusal.consent and request.method == "GET":
        return redirect(url_for("privacy.consent", next=request.full_path.rstrip("?")))
    form = ContributionForm()
    # On a send, every theme is a valid choice so that a retired one gets its own message.
    form.set_theme_choices(process.themes if request.method == "POST"
                           else [t for t in process.themes if not t.is_retired])
    if request.method == "GET":
        form.theme_id.data = request.args.get("theme", None, type=db_int)
    form.fresh_key()
    status = 200
    if request.method == "POST":
        CONTRIBUTIONS.check(keep_text=True)
        if form.validate_on_submit():
            theme = next(t for t in process.themes if t.id == form.theme_id.data)
            refusal = refusal or (Refusal.theme_retired if theme.is_retired else None)
            pdf, pdf_ok = _checked_pdf(form) if refusal is None else (None, False)
            if refusal is None and pdf_ok:
                try:
                    item = save_once(partial(
                        services.submit, author=current_user, round_=round_, theme=theme,
                        title=form.title.data, body_md=form.body.data,
                        submission_key=form.submission_key.data, pdf=pdf),
                        find=services.find_by_submission_key, key=form.submission_key.data)
                    db.session.commit()
                except DuplicateSubmission as duplicate:
                    CONTRIBUTIONS.hit()
                    return _after_duplicate(process, duplicate.original)
                except uploads.StorageFailed as error:
                    status = _storage_failed(form, error)
                else:
                    CONTRIBUTIONS.hit()
                    _flash_given(item)
                    return redirect(url_for("contributions.contribution", slug=slug,
                                            contribution_id=item.id))
        if refusal is not None:
            _refuse(form, refusal, round_)
            status = 403
        elif form.errors and form.paper.data and not form.paper.errors:
            form.paper.errors = [_("Choose the file again: browsers do not keep a chosen file "
                                   "when a form is shown again.")]
    return render_template("contributions/form.html", process=process, round=round_, form=form,
                           refusal=refusal, item=None, mode="new",
                           speaks_for_organisation=speaks_for(current_user,
                                                              current_user.organisation_id)
                           if current_user.is_authenticated else False), status


def _flash_given(item) -> None:
    if item.state is ModerationState.pending:
        flash(_("Thank you. Your input has been received; the project team reads it before it "
                "is shown to others."), "success")
    else:
        flash(_("Thank you. Your input has been published."), "success")


def _after_duplicate(process, item):
    """The same form came twice (double click, resend): show what the first one made."""
    if item.author_id is not None and item.author_id != getattr(current_user, "id", None):
        abort(409)
    flash(_("Your input had already been received."), "info")
    return redirect(url_for("contributions.contribution", slug=process.slug,
                            contribution_id=item.id))


@bp.route("/p/<slug>/input/<int:contribution_id>/edit", methods=["GET", "POST"])
@form_checks_csrf
def edit(slug: str, contribution_id: int):
    process = get_visible_process(slug)
    item, refusal = own_item(partial(_load, process, contribution_id), contribution_write_refusal)
    form = EditContributionForm()
    form.set_theme_choices([item.theme])
    if request.method == "GET":
        form.title.data, form.body.data = item.title, item.body_md
        form.version.data = item.version
    form.theme_id.data = item.theme_id  # the theme stays; only the text changes
    form.submission_key.data = form.submission_key.data or "0" * 32
    status, conflict = 200, None
    if request.method == "POST":
        if form.validate_on_submit():
            pdf, pdf_ok = _checked_pdf(form) if refusal is None else (None, False)
            if refusal is None and pdf_ok:
                try:
                    services.edit(item, editor=current_user, title=form.title.data,
                                  body_md=form.body.data, pdf=pdf,
                                  remove_pdf=form.remove_paper.data,
                                  seen_version=form.version.data)
                    db.session.commit()
                except uploads.StorageFailed as error:
                    status = _storage_failed(form, error)
                except CONFLICTS:
                    db.session.rollback()
                    conflict, status = _conflict(form, item, chose_paper=pdf is not None), 409
                else:
                    flash(_("Your changes have been saved.") + (
                        " " + _("The project team reads them before they are shown.")
                        if item.state is ModerationState.pending else ""), "success")
                    return redirect(url_for("contributions.contribution", slug=slug,
                                            contribution_id=item.id))
        if refusal is not None:
            _refuse(form, refusal, item.round)
            status = 403
    return render_template("contributions/form.html", process=process, round=item.round,
                           form=form, refusal=refusal, item=item, mode="edit",
                           conflict=conflict), status


def _conflict(form, item, *, chose_paper: bool) -> conflicts.Conflict:
    """Someone saved this input after the form was made (another tab, another device): the
    form keeps this text, the saved one is shown beside it (`item` is read again, as it is now)."""
    if chose_paper:
        form.paper.errors = [_("Choose the file again: browsers do not keep a chosen file "
                               "when a form is shown again.")]
    return conflicts.answer(form, item.version, [(form.title.label.text, item.title),
                                                 (form.body.label.text, item.body_md)],
                            saved_at=item.updated_at)


@bp.route("/p/<slug>/input/<int:contribution_id>/withdraw", methods=["GET", "POST"])
@form_checks_csrf
def withdraw(slug: str, contribution_id: int):
    process = get_visible_process(slug)
    item, refusal = own_item(partial(_load, process, contribution_id), contribution_write_refusal,
                             taking_back=True)
    form = BaseForm()
    status = 200
    if request.method == "POST":
        if form.validate_on_submit() and refusal is None:
            services.withdraw(item, by=current_user)
            db.session.commit()
            flash(_("Your input has been withdrawn."), "success")
            return redirect(url_for("contributions.round_page", slug=slug))
        if refusal is not None:
            _refuse(form, refusal, item.round)
            status = 403
    return render_template("contributions/withdraw.html", process=process, item=item, form=form,
                           refusal=refusal), status


# --- the team -----------------------------------------------------------------------------

@bp.route("/p/<slug>/input/offline", methods=["GET", "POST"])
@form_checks_csrf
def offline(slug: str):
    process = get_visible_process(slug)
    require(can_moderate)
    round_ = _input_round(process)
    form = OfflineContributionForm()
    form.set_theme_choices(process.themes)
    form.set_organisation_choices(organisations_alphabetically())
    form.fresh_key()
    status = 200
    if form.validate_on_submit():
        pdf, pdf_ok = _checked_pdf(form)
        if pdf_ok:
            theme = next(t for t in process.themes if t.id == form.theme_id.data)
            organisation = next((o for o in organisations_alphabetically()
                                 if o.id == form.organisation_id.data), None)
            try:
                item = save_once(partial(
                    services.record_offline, entered_by=current_user, round_=round_,
                    theme=theme, organisation=organisation,
                    individual_name=form.individual_name.data, source=form.source.data,
                    title=form.title.data, body_md=form.body.data,
                    submission_key=form.submission_key.data, pdf=pdf),
                    find=services.find_by_submission_key, key=form.submission_key.data)
                db.session.commit()
            except DuplicateSubmission as duplicate:
                return _after_duplicate(process, duplicate.original)
            except uploads.StorageFailed as error:
                status = _storage_failed(form, error)
            else:
                flash(_("The input has been recorded."), "success")
                return redirect(url_for("contributions.contribution", slug=slug,
                                        contribution_id=item.id))
    return render_template("contributions/offline.html", process=process, round=round_,
                           form=form), status


# --- the team: a spreadsheet of offline input ----------------------------------------------

#: Files read or stored per team member (a preview counts, and so does storing it).
IMPORTS = PostLimit(PostCounter("input_imports", per=account), only_saved=True)
HOLD_PURPOSE = "input-import"


def _import_page(process, form, plan=None, token=None, status=200):
    return render_template("contributions/import.html", process=process, form=form, plan=plan,
                           confirm_form=ConfirmImportForm(formdata=None, token=token),
                           kind_labels=KIND_LABELS), status


def _read_without_lock(data: bytes):
    """Read the spreadsheet outside the database transaction: on SQLite a POST holds the
    write lock from its first query (participation/__init__.py), and reading 5 MB takes a
    while that no one else should wait for."""
    db.session.rollback()
    return importing.read(data)


def _plan_or_problem(form, plan) -> bool:
    """Whether the plan can be stored; if not, the count of problems next to the file."""
    if plan.ok:
        return True
    form.file.errors = [ngettext(
        "Nothing has been stored: the file has %(num)d problem. Correct it and choose the "
        "file again.", "Nothing has been stored: the file has %(num)d problems. Correct them "
        "and choose the file again.", len(plan.problems))]
    return False


@bp.route("/p/<slug>/input/import", methods=["GET", "POST"])
@form_checks_csrf
def import_input(slug: str):
    process = get_visible_process(slug)
    require(can_moderate)
    round_ = _input_round(process)
    form = ImportForm()
    if request.method == "GET":
        return _import_page(process, form)
    IMPORTS.check(keep_text=True)
    if not form.validate_on_submit():
        return _import_page(process, form, status=400)
    storage = form.file.data
    if not storage or not getattr(storage, "filename", ""):
        form.file.errors = [_("Choose a CSV or XLSX file.")]
        return _import_page(process, form, status=400)
    data, filename, source = storage.read(importing.MAX_BYTES + 1), storage.filename, \
        form.source.data
    user_id, process_id = current_user.id, process.id
    try:
        sheet = _read_without_lock(data)
    except Unreadable as error:
        form.file.errors = [error.message]
        return _import_page(db.session.get(Process, process_id), form, status=400)
    round_ = db.session.get(Round, round_.id)
    plan = importing.plan_import(round_, sheet, filename=filename, source=source)
    IMPORTS.hit()
    if not _plan_or_problem(form, plan):
        return _import_page(round_.process, form, plan, status=400)
    token = held.hold(data, HOLD_PURPOSE, {"user": user_id, "process": process_id,
                                           "file": filename, "source": source})
    return _import_page(round_.process, form, plan, token)


@bp.post("/p/<slug>/input/import/confirm")
@form_checks_csrf
def confirm_import(slug: str):
    process = get_visible_process(slug)
    require(can_moderate)
    round_ = _input_round(process)
    form = ConfirmImportForm()
    upload_form = ImportForm(formdata=None)
    IMPORTS.check(keep_text=True)
    if not form.validate_on_submit():
        upload_form.form_errors.extend(form.form_errors)
        return _import_page(process, upload_form, status=400)
    user_id, round_id = current_user.id, round_.id
    try:
        data, claims = held.take(form.token.data or "", HOLD_PURPOSE)
        if claims.get("user") != user_id or claims.get("process") != process.id:
            raise held.NotHeld()
        sheet = _read_without_lock(data)
    except (held.NotHeld, Unreadable):
        upload_form.file.errors = [_("The preview is no longer valid (it is kept for 12 "
                                     "hours). Choose the file again.")]
        return _import_page(db.session.get(Round, round_id).process, upload_form, status=400)
    upload_form.source.data = claims["source"]
    round_ = db.session.get(Round, round_id)
    try:
        plan = importing.import_rows(round_, sheet, filename=claims["file"],
                                     source=claims["source"],
                                     entered_by=db.session.get(User, user_id))
    except OperationalError:
        # SQLite: another import held the write lock for longer than the busy timeout.
        db.session.rollback()
        upload_form.form_errors.append(_("Another import is being stored at this moment. "
                                         "Nothing of this file has been stored yet: try again "
                                         "in a minute."))
        return _import_page(db.session.get(Round, round_id).process, upload_form, status=503)
    if not _plan_or_problem(upload_form, plan):
        # Something changed since the preview (a theme renamed, say): nothing is stored.
        db.session.rollback()
        return _import_page(round_.process, upload_form, plan, status=409)
    db.session.commit()
    IMPORTS.hit()
    if plan.stored:
        flash(ngettext("%(num)d contribution has been stored as offline input.",
                       "%(num)d contributions have been stored as offline input.",
                       len(plan.stored)), "success")
    if plan.skipped:
        flash(ngettext("%(num)d row had been stored before and was not stored again.",
                       "%(num)d rows had been stored before and were not stored again.",
                       len(plan.skipped)), "info")
    return redirect(url_for("contributions.round_page", slug=slug))
