"""Friendly error pages, in the visitor's language, for the errors people can meet."""
from __future__ import annotations

import logging

from urllib.parse import urlsplit

from flask import Flask, make_response, render_template, request
from flask_wtf.csrf import CSRFError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException

from .extensions import db
from .limiter import LimitReached, wait_text
from .urls import safe_next

log = logging.getLogger(__name__)

PAGES = {400, 403, 404, 405, 413, 500}


def register(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return render_template("errors/error.html", code=400, csrf=True), 400

    @app.errorhandler(LimitReached)
    def too_many_requests(error: LimitReached):
        # Forms with a text to keep are shown again instead (participation.core.limiter).
        response = make_response(
            render_template("errors/error.html", code=429, wait=wait_text(error.wait)), 429)
        response.headers["Retry-After"] = str(error.wait)
        return response

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        code = error.code or 500
        if code not in PAGES:
            return error
        if code == 413 and request.method == "POST":
            # The body is not read, so the text cannot be shown here: the browser's copy of
            # the form (static/js/site.js) has it, and the form page fills it in again.
            return render_template("errors/error.html", code=code, sent_to=request.path,
                                   form_page=_form_page()), code
        return render_template("errors/error.html", code=code), code

    @app.errorhandler(StaleDataError)
    def changed_meanwhile(error: StaleDataError):
        # Someone else's change, saved at the same moment, met one that has no form to show
        # both in (the edit forms do that themselves: participation.core.conflicts). Nothing of this
        # request is saved; the row is as the other person left it.
        log.warning("changed by someone else at the same moment: %s", error)
        db.session.rollback()
        return render_template("errors/error.html", code=409, sent_to=request.path,
                               form_page=_form_page()), 409

    @app.errorhandler(Exception)
    def unexpected(error: Exception):
        log.exception("unhandled error")
        db.session.rollback()
        return render_template("errors/error.html", code=500), 500


def _form_page() -> str:
    """The page of this site the form was sent from, else the address it was sent to."""
    referrer = urlsplit(request.referrer or "")
    if referrer.netloc != request.host:
        return request.path
    return safe_next(referrer.path + (f"?{referrer.query}" if referrer.query else ""),
                     request.path)
