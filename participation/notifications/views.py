"""Choosing how to hear about replies, and unsubscribing from a mail without logging in."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..core.extensions import db
from ..core.forms import EmptyForm
from ..core.roles import require
from ..processes.models import Process
from ..processes.services import get_visible_process
from . import services
from .models import NotifyMode

bp = Blueprint("notifications", __name__)


@bp.route("/p/<slug>/notifications", methods=["GET", "POST"])
def preferences(slug: str):
    process = get_visible_process(slug)
    require(lambda user: True)
    form = EmptyForm()
    if request.method == "POST":
        mode = request.form.get("mode", "")
        if not form.validate_on_submit() or mode not in NotifyMode._value2member_map_:
            abort(400)
        services.set_mode(current_user.id, process.id, NotifyMode(mode))
        db.session.commit()
        flash(_("Your choice has been saved."), "success")
        return redirect(url_for("notifications.preferences", slug=slug))
    return render_template("notifications/preferences.html", process=process, form=form,
                           mode=services.mode_for(current_user.id, process.id))


@bp.route("/unsubscribe/<token>", methods=["GET", "POST"])
def unsubscribe(token: str):
    """The link in every reply mail: one click on the button stops them, no login needed."""
    found = services.read_unsubscribe_token(token)
    process = db.session.get(Process, found[1]) if found else None
    if process is None:
        return render_template("notifications/unsubscribe.html", invalid=True), 404
    form = EmptyForm()
    done = False
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        services.set_mode(found[0], process.id, NotifyMode.none)
        db.session.commit()
        done = True
    return render_template("notifications/unsubscribe.html", invalid=False, process=process,
                           form=form, done=done)
