"""The team's management pages: roles and login locks (admins), and processes and their rounds
(moderators)."""
from __future__ import annotations

import logging

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from ..core import conflicts
from ..accounts.login_limits import LABELS, LOGIN_LIMITS
from ..core.conflicts import CONFLICTS
from ..accounts.models import User
from ..core.extensions import db, limiter
from ..core.integers import db_int
from ..core.roles import Role, can_lift_login_locks, can_manage_roles, can_moderate, require
from ..processes.models import Audience, ModerationMode, RoundKind
from ..processes.services import get_visible_process
from ..core.limiter import LimitStorageUnavailable, LocksNotListable, figure_text, wait_text
from ..core.search import search_text
from ..core.security import form_checks_csrf, no_store
from ..core.templating import fast_datetime
from . import services
from .forms import (AUDIENCE_CHOICES, MODERATION_CHOICES, ROLE_LABELS, SLUG_TAKEN,
                    VISIBILITY_CHOICES, LiftLockForm, NewProcessForm, ProcessForm, RoleForm,
                    RoundForm)

bp = Blueprint("admin", __name__)

log = logging.getLogger(__name__)


# --- roles --------------------------------------------------------------------------------

@bp.get("/admin/users")
def users():
    require(can_manage_roles)
    query = search_text().strip()
    listing = services.user_page(query, request.args.get("page", 1, type=db_int) or 1)
    return render_template("admin/users.html", listing=listing, query=query,
                           role_labels=ROLE_LABELS)


@bp.post("/admin/users/<int:user_id>/role")
def change_role(user_id: int):
    require(can_manage_roles)
    target = db.session.get(User, user_id)
    if target is None:
        abort(404)
    # Back to the same search and page, at the person's row.
    back = url_for("admin.users", q=request.form.get("q", "")[:200] or None,
                   page=request.form.get("page", type=db_int) or None) + f"#user-{target.id}"
    form = RoleForm()
    if not form.validate_on_submit():
        flash(_("Choose one of the roles."), "error")
        return redirect(back)
    new_role = Role(form.role.data)
    try:
        changed = services.change_role(target, new_role, actor=current_user,
                                       role_was=form.role_was.data or "")
    except services.RoleChangeRefused:
        db.session.rollback()
        flash(_("The role of %(name)s has not been changed: the site must keep at least one "
                "admin. Make someone else admin first.", name=target.name), "error")
        return redirect(back)
    except services.RoleConflict as conflict:
        db.session.rollback()
        flash(_("Someone else changed the role of %(name)s after this page was made, to: "
                "%(current)s. Your choice (%(chosen)s) has not been saved; choose again if the "
                "role should still change.", name=target.name,
                current=ROLE_LABELS[conflict.current], chosen=ROLE_LABELS[new_role]), "error")
        return redirect(back)
    db.session.commit()
    if changed:
        flash(_("The role of %(name)s is now: %(role)s.", name=target.name,
                role=ROLE_LABELS[new_role]), "success")
    else:
        flash(_("%(name)s already had that role; nothing has changed.", name=target.name),
              "success")
    if not can_manage_roles(current_user):  # an admin who gave up the role
        return redirect(url_for("main.home"))
    return redirect(back)


# --- login locks --------------------------------------------------------------------------

@bp.get("/admin/login-locks")
@no_store
def login_locks():
    require(can_lift_login_locks)
    locks, problem = [], None
    try:
        locks = services.login_locks()
    except LocksNotListable:
        problem = "not_listable"
    except LimitStorageUnavailable:
        log.exception("login locks: rate-limit storage unreachable")
        problem = "unreachable"
    figures = current_app.config["RATE_LIMITS"]
    counted = [(LABELS[limit.name], figure_text(figures[limit.name])) for limit in LOGIN_LIMITS]
    return render_template("admin/login_locks.html", locks=locks, problem=problem,
                           counted=counted, labels=LABELS, enabled=limiter.current.enabled,
                           wait_text=wait_text)


@bp.post("/admin/login-locks/lift")
def lift_login_lock():
    require(can_lift_login_locks)
    form = LiftLockForm()
    if not form.validate_on_submit():
        flash(_("This lock could not be lifted: the page was out of date. Try again."), "error")
        return redirect(url_for("admin.login_locks"))
    try:
        lifted = services.lift_login_lock(form.limit.data, form.subject.data, actor=current_user)
    except LimitStorageUnavailable:
        db.session.rollback()
        log.exception("login locks: rate-limit storage unreachable")
        flash(_("The lock could not be lifted: the store of the rate limits cannot be reached. "
                "Try again in a moment."), "error")
        return redirect(url_for("admin.login_locks"))
    db.session.commit()
    if lifted:
        flash(_("The lock on %(who)s has been lifted: logging in works again at once.",
                who=lifted.who), "success")
    else:
        flash(_("This lock had already been lifted or has run out; nothing has changed."),
              "success")
    return redirect(url_for("admin.login_locks"))


# --- processes ----------------------------------------------------------------------------

@bp.route("/processes/new", methods=["GET", "POST"])
@form_checks_csrf
def new_process():
    require(can_moderate)
    form = NewProcessForm()
    if form.validate_on_submit():
        try:
            process = services.create_process_with_rounds(
                actor=current_user, slug=form.slug.data, title=form.title.data,
                summary=form.summary.data, intro_md=form.intro_md.data,
                contact=form.contact.data, is_public=form.visibility.data == "public",
                input_window=(form.input_opens.data, form.input_closes.data),
                feedback_window=(form.feedback_opens.data, form.feedback_closes.data))
            db.session.commit()
        except IntegrityError:  # someone took the address since the form checked it
            db.session.rollback()
            form.slug.errors.append(SLUG_TAKEN)
        else:
            flash(_("The process has been created with its two rounds."), "success")
            return redirect(url_for("processes.process", slug=process.slug))
    return render_template("admin/process_form.html", form=form, process=None)


@bp.route("/p/<slug>/edit", methods=["GET", "POST"])
@form_checks_csrf
def edit_process(slug: str):
    process = get_visible_process(slug)
    require(can_moderate)
    if request.method == "GET":
        form = ProcessForm(data={
            "title": process.title, "summary": process.summary, "intro_md": process.intro_md,
            "contact": process.contact,
            "visibility": "public" if process.is_public else "invite",
            "version": process.version})
    else:
        form = ProcessForm()
    status, conflict = 200, None
    if form.validate_on_submit():
        try:
            changed = services.edit_process(
                process, actor=current_user, title=form.title.data, summary=form.summary.data,
                intro_md=form.intro_md.data, contact=form.contact.data,
                is_public=form.visibility.data == "public", seen_version=form.version.data)
            db.session.commit()
        except CONFLICTS:
            db.session.rollback()  # `process` is read again below, as it is now
            conflict, status = conflicts.answer(form, process.version, [
                (form.title.label.text, process.title),
                (form.summary.label.text, process.summary),
                (form.intro_md.label.text, process.intro_md),
                (form.contact.label.text, process.contact),
                (form.visibility.label.text, _choice_label(
                    VISIBILITY_CHOICES, "public" if process.is_public else "invite"))]), 409
        else:
            flash(_("The process has been saved.") if changed else _("Nothing has changed."),
                  "success")
            return redirect(url_for("processes.process", slug=process.slug))
    return render_template("admin/process_form.html", form=form, process=process,
                           conflict=conflict), status


def _choice_label(choices, value: str) -> str:
    return str(next(choice.label for choice in choices if choice.value == value))


@bp.route("/p/<slug>/rounds/<any(input, feedback):kind>/edit", methods=["GET", "POST"])
@form_checks_csrf
def edit_round(slug: str, kind: str):
    process = get_visible_process(slug)
    require(can_moderate)
    round_ = process.round_of(RoundKind(kind))
    if round_ is None:
        abort(404)
    if request.method == "GET":
        form = RoundForm(data={
            "opens_at": round_.opens_at, "closes_at": round_.closes_at,
            "moderation": round_.moderation.value, "audience": round_.audience.value,
            "version": round_.version})
    else:
        form = RoundForm()
    status, conflict = 200, None
    if form.validate_on_submit():
        try:
            changed = services.change_round(
                round_, actor=current_user, opens_at=form.opens_at.data,
                closes_at=form.closes_at.data, moderation=ModerationMode(form.moderation.data),
                audience=Audience(form.audience.data), seen_version=form.version.data)
            db.session.commit()
        except CONFLICTS:
            db.session.rollback()  # `round_` is read again below, as it is now
            conflict, status = conflicts.answer(form, round_.version, [
                (form.opens_at.label.text, fast_datetime(round_.opens_at)),
                (form.closes_at.label.text, fast_datetime(round_.closes_at)),
                (form.moderation.label.text,
                 _choice_label(MODERATION_CHOICES, round_.moderation.value)),
                (form.audience.label.text,
                 _choice_label(AUDIENCE_CHOICES, round_.audience.value))]), 409
        else:
            flash(_("The round has been saved.") if changed else _("Nothing has changed."),
                  "success")
            return redirect(url_for("processes.process", slug=process.slug))
    return render_template("admin/round_form.html", form=form, process=process, round=round_,
                           conflict=conflict), status
