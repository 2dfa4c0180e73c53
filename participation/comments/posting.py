"""Placing a comment from a form, for every page that carries one: the section's page
(participation.drafts.views) and the reply page (participation.comments.views).

Below the views of both features, so that neither imports the other's views.
"""
from __future__ import annotations

from functools import partial

from flask import abort, flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..core.extensions import db
from ..core.limiter import PostCounter, PostLimit, account
from ..core.mixins import ModerationState
from ..core.submissions import DuplicateSubmission, save_once
from ..drafts.models import DraftVersion, Section
from ..drafts.services import latest_published
from ..processes.models import Process, RoundKind
from ..processes.rules import Refusal, round_write_refusal
from . import services
from .models import Comment

#: Reactions per account, on a section and as replies alike (the team's answer given in a thread
#: too); a form sent back with a mistake does not count, a second send does.
COMMENTS = PostLimit(PostCounter("comments", per=account), only_saved=True)


def feedback_round(process: Process):
    """Round 2, where comments are placed; a process without one has no comments (404)."""
    round_ = process.round_of(RoundKind.feedback)
    if round_ is None:
        abort(404)
    return round_


def thread_url(process: Process, comment: Comment, *, is_latest: bool | None = None) -> str:
    """The comment on its section's page. `is_latest`: whether the comment's version is the
    latest published one, where the caller knows (else it is asked)."""
    section = db.session.get(Section, comment.section_id)
    version = db.session.get(DraftVersion, section.version_id)
    if is_latest is None:
        is_latest = _is_latest(version)
    # comment=: the section's page opens the page of the thread that holds the comment.
    return url_for("drafts.section", slug=process.slug, number=section.number,
                   version=None if is_latest else version.number,
                   comment=comment.id) + f"#c-{comment.id}"


def _is_latest(version: DraftVersion) -> bool:
    latest = latest_published(db.session.get(Process, version.process_id))
    return latest is not None and latest.id == version.id


def _saved_message(comment: Comment) -> str:
    if comment.state is ModerationState.pending:
        return _("Thank you. Your reaction has been received; the project team reads it before "
                 "it is shown to others.")
    return _("Thank you. Your reaction has been placed.")


def create(process, round_, section, form, parent=None, *, is_latest: bool | None = None):
    """Validate and save; returns a redirect, or None when the form must be shown again.
    `is_latest`: the section is of the latest published version (thread_url), where known."""
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
            # A comment is one row: a second send is refused by its unique key at the flush
            # (then found), instead of being looked for before every post.
            find=services.find_by_submission_key, key=form.submission_key.data,
            look_first=False)
        # Made before the commit, while section, version and process are still loaded: after
        # it they would be read again (eight queries of the eighteen a post took).
        url = thread_url(process, comment, is_latest=is_latest)
        message = _saved_message(comment)
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
    return redirect(thread_url(process, comment))
