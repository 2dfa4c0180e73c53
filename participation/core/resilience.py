"""No lost input: when the database cannot be reached, the person gets a friendly 503 with the
text they just typed, and the site recovers by itself when the database is back.

A dropped connection surfaces as sqlalchemy's OperationalError (or InterfaceError) from any
query, including the one that loads the logged-in user. The page rendered here therefore
touches nothing that needs the database. The pool checks connections before use
(pool_pre_ping), so after the database returns the next request simply gets a new connection:
no restart of the web processes.
"""
from __future__ import annotations

import logging

from flask import Flask, g, make_response, render_template, request
from flask_babel import gettext as _
from sqlalchemy.exc import InterfaceError, OperationalError

from .extensions import db, login_manager

log = logging.getLogger(__name__)

#: Form fields that are never shown back: secrets, tokens and the spam traps.
_NOT_SHOWN = ("csrf_token", "submission_key", "password", "token", "website", "started")
RETRY_AFTER_SECONDS = 30


def typed_text() -> list[tuple[str, str]]:
    """The text fields of the failed POST, as (label, text), for the person to copy."""
    if request.method != "POST":
        return []
    labels = {"title": _("Title"), "body": _("Your text"), "name": _("Name"),
              "organisation_name": _("Organisation")}
    shown = []
    for name, value in request.form.items(multi=True):
        if not value.strip() or any(part in name for part in _NOT_SHOWN):
            continue
        if len(value) < 3 and name not in labels:
            continue  # choices and ids, not text someone typed
        shown.append((labels.get(name, _("What you typed")), value))
    return shown


def register(app: Flask) -> None:
    @app.errorhandler(OperationalError)
    @app.errorhandler(InterfaceError)
    def database_unavailable(error: Exception):
        log.warning("database unavailable: %s", str(error).splitlines()[0][:200])
        try:
            db.session.rollback()
        except Exception:  # the connection is gone; the session is discarded at teardown
            log.debug("rollback after a lost connection failed", exc_info=True)
        if "_login_user" not in g:
            # Loading the user is what failed: be anonymous for this page, so that choosing
            # the language (which reads the user's) does not ask the database again.
            g._login_user = login_manager.anonymous_user()
        response = make_response(render_template("errors/unavailable.html",
                                                 typed=typed_text()), 503)
        response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
        response.headers["Cache-Control"] = "no-store"
        return response
