"""Home page, privacy and accessibility statements, and the language switch."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, redirect, render_template, request, session, url_for
from flask_login import current_user

from ..core.extensions import db
from ..core.forms import EmptyForm
from ..core.urls import safe_next
from ..processes.services import visible_processes
from .accessibility import MEASURED

bp = Blueprint("main", __name__)


@bp.get("/")
def home():
    return render_template("main/home.html", processes=visible_processes(current_user))


@bp.get("/privacy")
def privacy():
    return render_template("main/privacy.html",
                           version=current_app.config["PRIVACY_STATEMENT_VERSION"])


@bp.get("/toegankelijkheid")
def accessibility():
    """The accessibility statement, in the form of the Dutch model statement, with the figures
    of the last checks (main/accessibility.py)."""
    return render_template("main/accessibility.html", figures=MEASURED,
                           contact_email=current_app.config["CONTACT_EMAIL"])


@bp.get("/favicon.ico")
def favicon():
    """For clients that ask for the icon at the old fixed address; pages link to it."""
    return current_app.send_static_file("img/icon.svg")


@bp.post("/language")
def set_language():
    """Remember the chosen language in the session and, when logged in, on the account."""
    form = EmptyForm()
    locale = request.form.get("locale", "")
    if not form.validate_on_submit() or locale not in current_app.config["LANGUAGES"]:
        abort(400)
    session["locale"] = locale
    if current_user.is_authenticated:
        current_user.locale = locale
        db.session.commit()
    return redirect(safe_next(request.form.get("next"), url_for("main.home")))
