"""The process page, and the team's theme management."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..core import conflicts
from ..audit.services import record
from ..core.conflicts import CONFLICTS
from ..core.extensions import db
from ..core.forms import EmptyForm
from ..core.roles import can_moderate, require
from ..core.security import form_checks_csrf
from ..drafts.services import latest_published
from . import services
from .forms import ThemeForm
from .models import RoundKind
from .rules import round_write_refusal

bp = Blueprint("processes", __name__)


def _require_moderator():
    require(can_moderate)


@bp.get("/p/<slug>")
def process(slug: str):
    process = services.get_visible_process(slug)
    input_round = process.round_of(RoundKind.input)
    refusal = round_write_refusal(current_user, input_round) if input_round else None
    return render_template("processes/process.html", process=process, input_round=input_round,
                           feedback_round=process.round_of(RoundKind.feedback), refusal=refusal,
                           has_draft=latest_published(process) is not None)


@bp.get("/p/<slug>/themes")
def themes(slug: str):
    process = services.get_visible_process(slug)
    _require_moderator()
    return render_template("processes/themes.html", process=process, form=EmptyForm())


@bp.route("/p/<slug>/themes/new", methods=["GET", "POST"])
@form_checks_csrf
def new_theme(slug: str):
    process = services.get_visible_process(slug)
    _require_moderator()
    form = ThemeForm()
    if form.validate_on_submit():
        services.add_theme(process, title=form.title.data, description=form.description.data)
        db.session.commit()
        flash(_("The theme has been added."), "success")
        return redirect(url_for("processes.themes", slug=slug))
    return render_template("processes/theme_form.html", process=process, form=form, theme=None)


@bp.route("/p/<slug>/themes/<int:theme_id>/edit", methods=["GET", "POST"])
@form_checks_csrf
def edit_theme(slug: str, theme_id: int):
    process = services.get_visible_process(slug)
    _require_moderator()
    theme = services.get_theme(process, theme_id)
    form = ThemeForm(obj=theme if request.method == "GET" else None)
    status, conflict = 200, None
    if form.validate_on_submit():
        try:
            services.edit_theme(theme, title=form.title.data, description=form.description.data,
                                seen_version=form.version.data)
            db.session.commit()
        except CONFLICTS:
            db.session.rollback()  # `theme` is read again below, as it is now
            conflict, status = conflicts.answer(form, theme.version, [
                (form.title.label.text, theme.title),
                (form.description.label.text, theme.description)]), 409
        else:
            flash(_("The theme has been saved."), "success")
            return redirect(url_for("processes.themes", slug=slug))
    return render_template("processes/theme_form.html", process=process, form=form, theme=theme,
                           conflict=conflict), status


@bp.post("/p/<slug>/themes/<int:theme_id>/<any(up, down, retire, restore):action>")
def change_theme(slug: str, theme_id: int, action: str):
    process = services.get_visible_process(slug)
    _require_moderator()
    theme = services.get_theme(process, theme_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    services.lock_themes(process)
    record(f"theme.{action}", actor=current_user, target_type="theme", target_id=theme.id,
           process_id=process.id)
    if action in ("up", "down"):
        services.move_theme(theme, action)
    elif action == "retire":
        services.retire_theme(theme)
        flash(_("The theme takes no new input now; its input stays."), "success")
    else:
        services.restore_theme(theme)
        flash(_("The theme takes input again."), "success")
    db.session.commit()
    return redirect(url_for("processes.themes", slug=slug) + f"#theme-{theme.id}")
