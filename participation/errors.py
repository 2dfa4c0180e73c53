"""Friendly error pages, in the visitor's language, for the errors people can meet."""
from __future__ import annotations

import logging

from flask import Flask, make_response, render_template
from flask_limiter import RateLimitExceeded
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from .extensions import db

log = logging.getLogger(__name__)

PAGES = {400, 403, 404, 405, 413, 500}


def register(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return render_template("errors/error.html", code=400, csrf=True), 400

    @app.errorhandler(RateLimitExceeded)
    def too_many_requests(error: RateLimitExceeded):
        # Forms with a text to keep are shown again instead (participation.ratelimits).
        from .ratelimits import retry_after_seconds, wait_text

        wait = retry_after_seconds()
        response = make_response(
            render_template("errors/error.html", code=429, wait=wait_text(wait)), 429)
        response.headers["Retry-After"] = str(wait)
        return response

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        code = error.code or 500
        if code not in PAGES:
            return error
        return render_template("errors/error.html", code=code), code

    @app.errorhandler(Exception)
    def unexpected(error: Exception):
        log.exception("unhandled error")
        db.session.rollback()
        return render_template("errors/error.html", code=500), 500
