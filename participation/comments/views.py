"""Commenting on sections, replying, editing and withdrawing comments, and "I agree".

The window, the audience and authorship are checked on the server for every write; a refused
or invalid form comes back with the person's text.
"""
from __future__ import annotations

from functools import partial

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import generate_csrf

from ..core import conflicts
from ..core.conflicts import CONFLICTS
from ..drafts.models import Section
from ..drafts.services import latest_published
from ..core.extensions import db, login_manager
from ..core.forms import BaseForm, EmptyForm
from ..core.mixins import ModerationState
from ..core.roles import can_moderate, is_team, require
from ..moderation.labels import disposition_names
from ..moderation.models import Disposition, TargetType
from ..moderation.forms import response_conflict
from ..moderation.services import response_for, save_response
from ..processes.models import Process
from ..processes.rules import Refusal, round_write_refusal
from ..processes.services import get_visible_process
from ..core.security import form_checks_csrf
from ..processes.own_items import own_item
from . import services
from .forms import CommentForm, EditCommentForm, TeamReplyForm
from .models import Comment
from .posting import COMMENTS, create, feedback_round, thread_url
from .rules import comment_write_refusal

bp = Blueprint("comments", __name__)


@bp.app_template_global()
def thread_labels(process, can_write: bool) -> dict:
    """What every comment in a thread shows, translated and built once per page."""
    return {
        "can_write": can_write, "csrf": generate_csrf() if can_write else "",
        "user_id": current_user.id if current_user.is_authenticated else None,
        "base": url_for("processes.process", slug=process.slug),
        "team": _("project team"), "resident": _("A resident"),
        "municipality": _("Municipality"), "pending": _("Waiting for the project team"),
        "in_reply_to": _("In reply to"), "agree": _("I agree"), "reply": _("Reply"),
        "to": _("to"), "change": _("Change"), "withdraw": _("Withdraw"),
        "withdrawn": _("Comment withdrawn"), "not_shown": _("Comment not shown"),
        "removed": _("Comment removed"),
        "reply_to_removed": _("Reply to a contribution that was removed"),
        "reply_to_withdrawn": _("Reply to a contribution its author withdrew"),
        "name": services.author_labels(),
        "response": _("Response of the municipality"), "report": _("Report"),
        "moderate": _("Moderate and respond"),
        "is_team_member": can_moderate(current_user),
        "dispositions": disposition_names(),
    }


def _load(process: Process, comment_id: int, *, lock: bool = False) -> Comment:
    comment = services.load(comment_id, lock=lock)
    if comment is None or comment.round_id != feedback_round(process).id:
        abort(404)
    # Its own page: to everyone when shown; to the team and its author whatever its state.
    visible = comment.is_shown or is_team(current_user) or (
        current_user.is_authenticated and comment.author_id == current_user.id)
    if not visible:
        abort(404)
    return comment


@bp.route("/p/<slug>/comments/<int:comment_id>/reply", methods=["GET", "POST"])
@form_checks_csrf
def reply(slug: str, comment_id: int):
    process = get_visible_process(slug)
    parent = _load(process, comment_id)
    round_ = feedback_round(process)
    section = db.session.get(Section, parent.section_id)
    # Replies are written against the latest version of the section, where the thread lives.
    latest = latest_published(process)
    current_section = next((s for s in latest.sections if s.lineage_id == parent.lineage_id),
                           section) if latest else section
    refusal = round_write_refusal(current_user, round_)
    if refusal is Refusal.login and request.method == "GET":
        return login_manager.unauthorized()
    if refusal is Refusal.consent and request.method == "GET":
        return redirect(url_for("privacy.consent", next=request.full_path.rstrip("?")))
    # A moderator answering a participant may give the municipality's response right here.
    answers_officially = can_moderate(current_user) and not parent.by_team
    form = TeamReplyForm() if answers_officially else CommentForm()
    form.fresh_key()
    existing = _published_response(parent) if answers_officially else None
    if answers_officially and request.method == "GET":
        form.version.data = existing.version if existing else 0
    status, conflict = 200, None
    if request.method == "POST":
        COMMENTS.check(keep_text=True)
        if answers_officially and form.answer_as.data == "response":
            response, status, conflict = _respond_in_thread(process, round_, parent, form)
            existing = _published_response(parent)
        else:
            response, status = create(process, round_, current_section, form, parent=parent)
        if response is not None:
            return response
    elif refusal is not None:
        form.form_errors.append(refusal.message(round_))
    return render_template("comments/reply.html", process=process, parent=parent,
                           section=current_section, form=form, refusal=refusal,
                           existing_response=existing, conflict=conflict), status


def _published_response(comment: Comment):
    response = response_for(TargetType.comment, comment.id)
    return response if response is not None and response.published_at is not None else None


def _respond_in_thread(process, round_, parent, form):
    """The moderator's answer becomes the municipality's response to `parent`, published: the
    thread shows it under the comment and the document prints it as the response. It is not
    also placed as a reply, which would show the same words twice."""
    refusal = round_write_refusal(current_user, round_)
    valid = form.validate_on_submit()
    if refusal is not None:
        form.form_errors.append(refusal.message(round_))
        return None, 403, None
    if not valid:
        return None, 200, None
    earlier = response_for(TargetType.comment, parent.id)
    try:
        save_response(process, TargetType.comment, parent, current_user,
                      disposition=Disposition(form.disposition.data), body_md=form.body.data,
                      lineage_ids=[s.lineage_id for s in earlier.sections] if earlier else [],
                      publish=True, seen_version=form.version.data)
        url = thread_url(process, parent)
        db.session.commit()
    except CONFLICTS:
        db.session.rollback()
        current = response_for(TargetType.comment, parent.id)
        return None, 409, response_conflict(form, current)
    COMMENTS.hit()
    flash(_("Your answer has been published as the municipality's response to this reaction; "
            "the author gets an e-mail."), "success")
    return redirect(url), None, None


@bp.get("/p/<slug>/comments/<int:comment_id>")
def show(slug: str, comment_id: int):
    process = get_visible_process(slug)
    return redirect(thread_url(process, _load(process, comment_id)))


@bp.route("/p/<slug>/comments/<int:comment_id>/edit", methods=["GET", "POST"])
@form_checks_csrf
def edit(slug: str, comment_id: int):
    process = get_visible_process(slug)
    round_ = feedback_round(process)
    comment, refusal = own_item(partial(_load, process, comment_id),
                                partial(comment_write_refusal, round_=round_))
    form = EditCommentForm()
    form.submission_key.data = "0" * 32
    if request.method == "GET":
        form.body.data, form.version.data = comment.body_md, comment.version
    status, conflict = 200, None
    if request.method == "POST":
        valid = form.validate_on_submit()
        if refusal is None and valid:
            try:
                services.edit(comment, body_md=form.body.data, seen_version=form.version.data)
                db.session.commit()
            except CONFLICTS:
                # Saved meanwhile in another tab or on another device: `comment` is read again.
                db.session.rollback()
                conflict = conflicts.answer(form, comment.version,
                                            [(form.body.label.text, comment.body_md)],
                                            saved_at=comment.updated_at)
                status = 409
            else:
                flash(_("Your changes have been saved."), "success")
                return redirect(thread_url(process, comment))
        if refusal is not None:
            form.form_errors.append(refusal.message(round_))
            status = 403
    return render_template("comments/edit.html", process=process, comment=comment, form=form,
                           refusal=refusal, conflict=conflict), status


@bp.route("/p/<slug>/comments/<int:comment_id>/withdraw", methods=["GET", "POST"])
@form_checks_csrf
def withdraw(slug: str, comment_id: int):
    process = get_visible_process(slug)
    round_ = feedback_round(process)
    comment, refusal = own_item(partial(_load, process, comment_id),
                                partial(comment_write_refusal, round_=round_), taking_back=True)
    form = BaseForm()
    status = 200
    if request.method == "POST":
        if form.validate_on_submit() and refusal is None:
            url = thread_url(process, comment)
            services.withdraw(comment)
            db.session.commit()
            flash(_("Your reaction has been withdrawn."), "success")
            return redirect(url)
        if refusal is not None:
            form.form_errors.append(refusal.message(round_))
            status = 403
    return render_template("comments/withdraw.html", process=process, comment=comment,
                           form=form, refusal=refusal), status


@bp.post("/p/<slug>/comments/<int:comment_id>/support")
def support(slug: str, comment_id: int):
    process = get_visible_process(slug)
    comment = _load(process, comment_id)
    require(lambda user: True)
    if not EmptyForm().validate_on_submit():
        abort(400)
    round_ = feedback_round(process)
    refusal = round_write_refusal(current_user, round_)
    if refusal is not None:
        flash(refusal.message(round_), "error")
    elif comment.state is not ModerationState.published or comment.author_id == current_user.id:
        abort(400)
    elif request.form.get("undo"):
        services.withdraw_support(comment, current_user)
        db.session.commit()
    elif services.support(comment, current_user):
        db.session.commit()
    return redirect(thread_url(process, comment))
