"""Commenting on sections, replying, editing and withdrawing comments, and "I agree".

The window, the audience and authorship are checked on the server for every write; a refused
or invalid form comes back with the person's text.
"""
from __future__ import annotations

from functools import partial

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..core import conflicts
from ..core.conflicts import CONFLICTS
from ..drafts.models import DraftVersion, Section
from ..core.extensions import db, login_manager
from ..core.forms import BaseForm, EmptyForm
from ..moderation.models import Disposition, TargetType
from ..moderation.forms import response_conflict
from ..moderation.services import response_for, save_response
from ..permissions import (Refusal, can_moderate, comment_write_refusal, require,
                           round_write_refusal, is_team)
from ..processes.models import Process, RoundKind
from ..processes.services import get_visible_process
from ..core.security import form_checks_csrf
from ..core.limiter import PostCounter, PostLimit, account
from ..core.submissions import DuplicateSubmission, save_once
from ..processes.own_items import own_item
from . import services
from .forms import CommentForm, EditCommentForm, TeamReplyForm
from .models import Comment, CommentState

bp = Blueprint("comments", __name__)

#: Reactions per account, on a section and as replies alike (the team's answer given in a thread
#: too); a form sent back with a mistake does not count, a second send does.
COMMENTS = PostLimit(PostCounter("comments", per=account), only_saved=True)


def _feedback_round(process: Process):
    round_ = process.round_of(RoundKind.feedback)
    if round_ is None:
        abort(404)
    return round_


def _thread_url(process: Process, comment: Comment) -> str:
    section = db.session.get(Section, comment.section_id)
    version = db.session.get(DraftVersion, section.version_id)
    # comment=: the section's page opens the page of the thread that holds the comment.
    return url_for("drafts.section", slug=process.slug, number=section.number,
                   version=None if _is_latest(version) else version.number,
                   comment=comment.id) + f"#c-{comment.id}"


def _is_latest(version: DraftVersion) -> bool:
    from ..drafts.services import latest_published
    latest = latest_published(db.session.get(Process, version.process_id))
    return latest is not None and latest.id == version.id


def _load(process: Process, comment_id: int, *, lock: bool = False) -> Comment:
    comment = services.load(comment_id, lock=lock)
    if comment is None or comment.round_id != _feedback_round(process).id:
        abort(404)
    visible = (comment.state is CommentState.published and comment.hidden_at is None) or is_team(
        current_user) or (
        current_user.is_authenticated and comment.author_id == current_user.id)
    if not visible:
        abort(404)
    return comment


def _saved_message(comment: Comment) -> str:
    if comment.state is CommentState.pending:
        return _("Thank you. Your reaction has been received; the project team reads it before "
                 "it is shown to others.")
    return _("Thank you. Your reaction has been placed.")


def _create(process, round_, section, form, parent=None):
    """Validate and save; returns a redirect, or None when the form must be shown again."""
    refusal = round_write_refusal(current_user, round_)
    if section.lineage_id is None:
        refusal = Refusal.no_draft
    valid = form.validate_on_submit()
    if refusal is not None:
        form.form_errors.append(refusal.message(round_))
        return None, 403
    if not valid:
        return None, 200
    try:
        comment = save_once(partial(
            services.post, author=current_user, round_=round_, section=section,
            body_md=form.body.data, submission_key=form.submission_key.data, parent=parent),
            find=services.find_by_submission_key, key=form.submission_key.data)
        # Made before the commit, while section, version and process are still loaded: after
        # it they would be read again (eight queries of the eighteen a post took).
        url, message = _thread_url(process, comment), _saved_message(comment)
        db.session.commit()
    except DuplicateSubmission as duplicate:
        COMMENTS.hit()
        return _after_duplicate(process, duplicate.original), None
    COMMENTS.hit()
    flash(message, "success")
    return redirect(url), None


def _after_duplicate(process, comment):
    """The same form came twice (double click, resend): show what the first one made."""
    if comment.author_id != current_user.id:
        abort(409)
    flash(_("Your reaction had already been received."), "info")
    return redirect(_thread_url(process, comment))


def post_comment(process: Process, version: DraftVersion, section: Section):
    """A new comment on a section (called by the section page's POST)."""
    from ..drafts.views import render_section

    round_ = _feedback_round(process)
    form = CommentForm()
    form.fresh_key()
    COMMENTS.check(keep_text=True)
    response, status = _create(process, round_, section, form)
    if response is not None:
        return response
    if not current_user.is_authenticated and status == 403:
        form.form_errors.append(_("Your text is kept below: log in in another tab, then send "
                                  "it again."))
    return render_section(process, version, section, form=form, status=status)


@bp.route("/p/<slug>/comments/<int:comment_id>/reply", methods=["GET", "POST"])
@form_checks_csrf
def reply(slug: str, comment_id: int):
    process = get_visible_process(slug)
    parent = _load(process, comment_id)
    round_ = _feedback_round(process)
    section = db.session.get(Section, parent.section_id)
    # Replies are written against the latest version of the section, where the thread lives.
    from ..drafts.services import latest_published
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
            response, status = _create(process, round_, current_section, form, parent=parent)
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
        url = _thread_url(process, parent)
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
    return redirect(_thread_url(process, _load(process, comment_id)))


@bp.route("/p/<slug>/comments/<int:comment_id>/edit", methods=["GET", "POST"])
@form_checks_csrf
def edit(slug: str, comment_id: int):
    process = get_visible_process(slug)
    round_ = _feedback_round(process)
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
                return redirect(_thread_url(process, comment))
        if refusal is not None:
            form.form_errors.append(refusal.message(round_))
            status = 403
    return render_template("comments/edit.html", process=process, comment=comment, form=form,
                           refusal=refusal, conflict=conflict), status


@bp.route("/p/<slug>/comments/<int:comment_id>/withdraw", methods=["GET", "POST"])
@form_checks_csrf
def withdraw(slug: str, comment_id: int):
    process = get_visible_process(slug)
    round_ = _feedback_round(process)
    comment, refusal = own_item(partial(_load, process, comment_id),
                                partial(comment_write_refusal, round_=round_), taking_back=True)
    form = BaseForm()
    status = 200
    if request.method == "POST":
        if form.validate_on_submit() and refusal is None:
            url = _thread_url(process, comment)
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
    round_ = _feedback_round(process)
    refusal = round_write_refusal(current_user, round_)
    if refusal is not None:
        flash(refusal.message(round_), "error")
    elif comment.state is not CommentState.published or comment.author_id == current_user.id:
        abort(400)
    elif request.form.get("undo"):
        services.withdraw_support(comment, current_user)
        db.session.commit()
    elif services.support(comment, current_user):
        db.session.commit()
    return redirect(_thread_url(process, comment))
