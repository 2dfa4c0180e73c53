"""The team's management pages: roles (admins), and processes and their rounds (moderators)."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from ..accounts.models import Role, User
from ..extensions import db
from ..permissions import can_manage_roles, can_moderate, require
from ..processes.models import Audience, ModerationMode, RoundKind
from ..processes.services import get_visible_process
from ..security import form_checks_csrf
from . import bp, services
from .forms import ROLE_LABELS, SLUG_TAKEN, NewProcessForm, ProcessForm, RoleForm, RoundForm


# --- roles --------------------------------------------------------------------------------

@bp.get("/admin/users")
def users():
    require(can_manage_roles)
    query = request.args.get("q", "")[:200].strip()
    listing = services.user_page(query, request.args.get("page", 1, type=int) or 1)
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
                   page=request.form.get("page", type=int) or None) + f"#user-{target.id}"
    form = RoleForm()
    if not form.validate_on_submit():
        flash(_("Choose one of the roles."), "error")
        return redirect(back)
    new_role = Role(form.role.data)
    try:
        changed = services.change_role(target, new_role, actor=current_user)
    except services.RoleChangeRefused:
        db.session.rollback()
        flash(_("The role of %(name)s has not been changed: the site must keep at least one "
                "admin. Make someone else admin first.", name=target.name), "error")
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
            "visibility": "public" if process.is_public else "invite"})
    else:
        form = ProcessForm()
    if form.validate_on_submit():
        changed = services.edit_process(
            process, actor=current_user, title=form.title.data, summary=form.summary.data,
            intro_md=form.intro_md.data, contact=form.contact.data,
            is_public=form.visibility.data == "public")
        db.session.commit()
        flash(_("The process has been saved.") if changed else _("Nothing has changed."),
              "success")
        return redirect(url_for("processes.process", slug=process.slug))
    return render_template("admin/process_form.html", form=form, process=process)


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
            "moderation": round_.moderation.value, "audience": round_.audience.value})
    else:
        form = RoundForm()
    if form.validate_on_submit():
        changed = services.change_round(
            round_, actor=current_user, opens_at=form.opens_at.data,
            closes_at=form.closes_at.data, moderation=ModerationMode(form.moderation.data),
            audience=Audience(form.audience.data))
        db.session.commit()
        flash(_("The round has been saved.") if changed else _("Nothing has changed."),
              "success")
        return redirect(url_for("processes.process", slug=process.slug))
    return render_template("admin/round_form.html", form=form, process=process, round=round_)
