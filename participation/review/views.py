"""The member check's pages: the team's overview, opening and answering; the participant's
link and their review page."""
from __future__ import annotations

import sqlalchemy as sa
from werkzeug.exceptions import HTTPException
from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from ..accounts.models import User
from ..core.conflicts import CONFLICTS, answer as conflict_answer
from ..core.extensions import db, login_manager
from ..core.forms import EmptyForm
from ..core.roles import can_moderate, is_team, require
from ..core.security import form_checks_csrf, no_store
from ..core.timeutil import utcnow
from ..drafts.services import latest_published
from ..export.labels import labels as document_words
from ..moderation import services as moderation
from ..moderation.forms import ResponseForm, response_conflict
from ..moderation.models import Disposition, TargetType
from ..processes.models import Process
from ..processes.services import get_visible_process
from . import services
from .forms import AnswerForm, OpenCheckForm, ReplyForm
from .models import MemberCheck, ReviewSubject, Verdict

bp = Blueprint("review", __name__)
# The queue shows how many reactions wait (moderation/queue.html includes review/_queue_link.html).
bp.record_once(lambda state: state.app.jinja_env.globals.update(
    member_check_waiting=services.waiting_count))

#: Where the session remembers whose review it may show: {check id: user id}.
SESSION_KEY = "member_check"


# --- the team -----------------------------------------------------------------------------

def _team_page(process: Process, form: OpenCheckForm | None = None, status: int = 200):
    check = services.check_for(process)
    unanswered = []
    if check is None:  # what the team is warned about before it opens the check
        unanswered = services.unanswered(services.export_document(
            process, public=True, language=str(get_locale())))
    if form is None:
        form = OpenCheckForm(formdata=None)
    return render_template(
        "review/team.html", process=process, check=check, form=form, unanswered=unanswered,
        participants=len(services.participants(process)) if check is None else 0,
        counts=services.counts(check) if check else None,
        reactions=services.reactions(check) if check else [], now=utcnow()), status


@bp.get("/p/<slug>/member-check")
def team(slug: str):
    process = get_visible_process(slug)
    require(is_team)
    return _team_page(process)


@bp.post("/p/<slug>/member-check")
@form_checks_csrf
def open_check(slug: str):
    process = get_visible_process(slug)
    require(can_moderate)
    form = OpenCheckForm()
    if not form.validate_on_submit():
        return _team_page(process, form, 400)
    document = services.export_document(process, public=True, language=str(get_locale()))
    unanswered = services.unanswered(document)
    if unanswered and not form.despite_unanswered.data:
        form.despite_unanswered.errors = [_(
            "%(n)d items have no response yet (listed above). Answer them first, or tick this "
            "box to open the check anyway.", n=len(unanswered))]
        return _team_page(process, form, 400)
    try:
        services.open_check(process, current_user, opens_at=form.opens_at.data,
                            closes_at=form.closes_at.data, unanswered_count=len(unanswered))
        db.session.commit()
    except services.AlreadyOpened:
        db.session.rollback()
        flash(_("The check of this process was opened already (perhaps by a colleague just "
                "now); nothing was sent twice."), "info")
        return redirect(url_for("review.team", slug=slug)), 303
    flash(_("The check is open; the participants get their personal link by e-mail."),
          "success")
    return redirect(url_for("review.team", slug=slug))


def _check_or_404(process: Process) -> MemberCheck:
    check = services.check_for(process)
    if check is None:
        abort(404)
    return check


def _reaction_page(process, check, reply, answer_form=None, response_form=None, status=200,
                   conflict=None):
    kind = TargetType(reply.subject.value) if reply.subject is not ReviewSubject.document \
        else None
    item = moderation.get_item(process, kind, reply.subject_id) if kind else None
    response = moderation.response_for(kind, item.id) if item is not None else None
    if answer_form is None:
        answer_form = AnswerForm(formdata=None, answer=reply.answer_md)
        answer_form.version.data = reply.version
    if item is not None and response_form is None:
        response_form = ResponseForm(formdata=None, prefix="response")
        response_form.version.data = response.version if response else 0
        if response is not None:
            response_form.disposition.data = response.disposition.value
            response_form.body.data = response.body_md
            response_form.sections.data = [s.lineage_id for s in response.sections]
    if response_form is not None:
        response_form.sections.choices = [
            (s.lineage_id, f"{s.number} {s.heading}")
            for s in moderation_sections(process)]
    return render_template(
        "review/reaction.html", process=process, check=check, reply=reply,
        author=db.session.get(User, reply.user_id), kind=kind, item=item, response=response,
        answer_form=answer_form, response_form=response_form, conflict=conflict), status


def moderation_sections(process: Process):
    """The sections of the latest published draft: what a response can name."""
    version = latest_published(process)
    return list(version.sections) if version else []


def _team_reply(slug: str, reply_id: int, *, lock: bool = False):
    process = get_visible_process(slug)
    require(can_moderate)
    check = _check_or_404(process)
    reply = services.get_reply(check, reply_id, lock=lock)
    if reply is None:
        abort(404)
    return process, check, reply


@bp.route("/p/<slug>/member-check/reactions/<int:reply_id>", methods=["GET", "POST"])
@form_checks_csrf
def reaction(slug: str, reply_id: int):
    process, check, reply = _team_reply(slug, reply_id, lock=request.method == "POST")
    if request.method == "GET":
        return _reaction_page(process, check, reply)
    form = AnswerForm()
    if not form.validate_on_submit():
        return _reaction_page(process, check, reply, answer_form=form, status=400)
    try:
        changed = services.answer(process, reply, current_user, answer_md=form.answer.data,
                                  seen_version=form.version.data)
        db.session.commit()
    except CONFLICTS:
        db.session.rollback()
        reply = services.get_reply(check, reply_id)
        conflict = conflict_answer(form, reply.version, [(form.answer.label.text,
                                                          reply.answer_md)],
                                   saved_at=reply.answered_at)
        return _reaction_page(process, check, reply, answer_form=form, status=409,
                              conflict=conflict)
    flash(_("The answer has been saved; the participant gets an e-mail.") if changed
          else _("The answer was saved already."), "success")
    return redirect(url_for("review.team", slug=slug) + "#reactions")


@bp.post("/p/<slug>/member-check/reactions/<int:reply_id>/response")
@form_checks_csrf
def change_response(slug: str, reply_id: int):
    """The response to the item the reaction is about, changed in the light of it: through the
    moderation's own save (audited, versioned, mailed like any change)."""
    process, check, reply = _team_reply(slug, reply_id)
    if reply.subject is ReviewSubject.document:
        abort(404)
    kind = TargetType(reply.subject.value)
    item = moderation.get_item(process, kind, reply.subject_id)
    if item is None:
        abort(404)
    form = ResponseForm(prefix="response")
    form.sections.choices = [(s.lineage_id, s.number) for s in moderation_sections(process)]
    if not form.validate_on_submit():
        return _reaction_page(process, check, reply, response_form=form, status=400)
    try:
        moderation.save_response(process, kind, item, current_user,
                                 disposition=Disposition(form.disposition.data),
                                 body_md=form.body.data, lineage_ids=form.sections.data or [],
                                 publish=True, seen_version=form.version.data)
        db.session.commit()
    except CONFLICTS:
        db.session.rollback()
        conflict = response_conflict(form, moderation.response_for(kind, item.id))
        return _reaction_page(process, check, reply, response_form=form, status=409,
                              conflict=conflict)
    flash(_("The response has been changed and published."), "success")
    return redirect(url_for("review.reaction", slug=slug, reply_id=reply.id))


# --- the participant's link ---------------------------------------------------------------

def _problem(problem: str, status: int, *, token: str | None = None, process=None):
    return render_template("review/problem.html", problem=problem, token=token,
                           process=process, form=EmptyForm(formdata=None)), status


@bp.route("/review/<token>", methods=["GET", "POST"])
@no_store
def follow(token: str):
    """The mailed link. Opening it (GET) shows one button: a link checker in a mail system that
    fetches the link must not use it up. The button (POST) uses it once and lets this browser
    into the person's review."""
    form = EmptyForm()
    if request.method == "POST" and not form.validate_on_submit():
        abort(400)
    link = services.find_link(token)
    if link is None:
        return _problem("invalid", 404)
    check = db.session.get(MemberCheck, link.check_id)
    process = db.session.get(Process, check.process_id)
    problem = services.link_problem(link, check)
    if problem:
        return _problem(problem, 410, token=token, process=process)
    if request.method == "POST":
        if not services.use_link(link):
            db.session.rollback()
            return _problem("used", 410, token=token, process=process)
        db.session.commit()
        bound = dict(session.get(SESSION_KEY) or {})
        bound[str(check.id)] = link.user_id
        session[SESSION_KEY] = bound
        return redirect(url_for("review.page", slug=process.slug))
    return render_template("review/follow.html", process=process, check=check, form=form,
                           token=token)


@bp.post("/review/<token>/renew")
@no_store
def renew(token: str):
    """A new link to the address the old one was sent to (so only its owner gets in)."""
    if not EmptyForm().validate_on_submit():
        abort(400)
    link = services.find_link(token)
    if link is None:
        return _problem("invalid", 404)
    check = db.session.get(MemberCheck, link.check_id)
    process = db.session.get(Process, check.process_id)
    if services.renew_link(process, check, link):
        db.session.commit()
        return _problem("renewed", 200, process=process)
    return _problem("not_renewed", 429 if utcnow() < check.closes_at else 410, process=process)


# --- the participant's review -------------------------------------------------------------

def _reviewer(check: MemberCheck) -> User:
    """Whose review this browser may see: the link followed in it, or the person logged in
    if they have a link in this check."""
    user_id = (session.get(SESSION_KEY) or {}).get(str(check.id))
    if user_id is None and current_user.is_authenticated \
            and services.link_of(check, current_user.id) is not None:
        user_id = current_user.id
    if user_id is None:
        if not current_user.is_authenticated:
            abort(login_manager.unauthorized())  # their link, or a login, lets them in
        abort(403)
    user = db.session.get(User, user_id)
    if user is None or user.is_deleted:
        abort(403)
    return user


def _may_review(check: MemberCheck) -> bool:
    try:
        _reviewer(check)
    except HTTPException:
        return False
    return True


def _process_and_check(slug: str) -> tuple[Process, MemberCheck]:
    """The process by its address, whoever may see it otherwise: the link is the key."""
    process = db.session.scalar(sa.select(Process).where(Process.slug == slug))
    if process is None:
        abort(404)
    return process, _check_or_404(process)


def _review_page(process, check, user, forms=None, status=200, conflict=None):
    page = services.review_page(process, check, user, str(get_locale()))
    forms = dict(forms or {})
    keys = [(item.kind, item.id) for _s, item in page.items] + [("document", 0)]
    for key in keys:
        if key not in forms:
            reply = page.replies.get(key)
            form = ReplyForm(formdata=None, prefix=f"{key[0]}-{key[1]}")
            form.version.data = reply.version if reply else 0
            if reply is not None:
                form.verdict.data = reply.verdict.value
                form.body.data = reply.body_md
            forms[key] = form
    return render_template("review/page.html", process=process, check=check, user=user,
                           page=page, forms=forms, open=check.is_open(), words=document_words(),
                           conflict=conflict), status


@bp.get("/p/<slug>/review")
@no_store
def page(slug: str):
    process, check = _process_and_check(slug)
    return _review_page(process, check, _reviewer(check))


@bp.post("/p/<slug>/review/document")
@form_checks_csrf
@no_store
def reply_whole(slug: str):
    return _reply(slug, "document", 0)


@bp.post("/p/<slug>/review/<any(contribution, comment):subject>/<int:subject_id>")
@form_checks_csrf
@no_store
def reply(slug: str, subject: str, subject_id: int):
    return _reply(slug, subject, subject_id)


def _reply(slug: str, subject: str, subject_id: int):
    process, check = _process_and_check(slug)
    form = ReplyForm(prefix=f"{subject}-{subject_id}")
    valid = form.validate_on_submit()
    if form.csrf_token.errors and not _may_review(check):
        # Nothing to keep for someone who may not reply here: a visitor is asked to log in,
        # anyone else refused as any post without a valid token.
        if not current_user.is_authenticated:
            abort(login_manager.unauthorized())
        abort(400)
    user = _reviewer(check)
    key = (subject, subject_id)
    if subject != "document" and key not in services.own_items(process, user.id):
        abort(404)
    if not check.is_open():
        flash(_("The check is closed; your reply could not be saved."), "error")
        return redirect(url_for("review.page", slug=slug))
    if not valid:
        return _review_page(process, check, user, {key: form}, 400)
    try:
        services.save_reply(check, user, ReviewSubject(subject), subject_id,
                            verdict=Verdict(form.verdict.data), body_md=form.body.data or "",
                            seen_version=form.version.data)
        db.session.commit()
    except CONFLICTS:
        db.session.rollback()
        saved = services.reply_for(check, user.id, ReviewSubject(subject), subject_id)
        conflict = conflict_answer(form, saved.version, [
            (form.verdict.label.text, {c.value: c.label for c in form.verdict.choices}[
                saved.verdict.value]),
            (form.body.label.text, saved.body_md)], saved_at=saved.changed_at)
        return _review_page(process, check, user, {key: form}, 409, conflict=conflict)
    flash(_("Thank you, your confirmation has been saved.")
          if form.verdict.data == "confirmed"
          else _("Thank you, your reaction has been saved; the project team will answer it."),
          "success")
    return redirect(url_for("review.page", slug=slug) + f"#reply-{subject}-{subject_id}")
