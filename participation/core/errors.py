"""Friendly error pages, in the visitor's language, for the errors people can meet; under the
paths a feature gives to programs (the open-data API), the same errors as
application/problem+json (RFC 9457), which a program can read."""
from __future__ import annotations

import json
import logging

from urllib.parse import urlsplit

from flask import Flask, current_app, make_response, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException
from werkzeug.http import HTTP_STATUS_CODES

from .extensions import db
from .limiter import LimitReached, wait_text
from .urls import safe_next

log = logging.getLogger(__name__)

PAGES = {400, 403, 404, 405, 413, 500}
PROBLEM_MIMETYPE = "application/problem+json"
#: app.extensions key: the path prefixes whose errors are problem documents.
PROBLEM_PATHS = "participation.problem_paths"


def answer_with_problems(app: Flask, prefix: str) -> None:
    """Errors of every request under `prefix` (matched or not) become problem documents."""
    app.extensions.setdefault(PROBLEM_PATHS, []).append(prefix)


def _wants_problem() -> bool:
    prefixes = tuple(current_app.extensions.get(PROBLEM_PATHS, ()))
    return bool(prefixes) and request.path.startswith(prefixes)


def problem(status: int, detail: str, *, headers: dict | None = None, **members):
    """An RFC 9457 problem document: the status, its standard title, what went wrong, and
    `members` (e.g. "invalid-params") as further fields."""
    body = {"type": "about:blank", "title": HTTP_STATUS_CODES.get(status, "Error"),
            "status": status, "detail": detail, "instance": request.path, **members}
    response = current_app.response_class(json.dumps(body, ensure_ascii=False), status=status,
                                          mimetype=PROBLEM_MIMETYPE)
    response.headers.update(headers or {})
    return response


def _problem_detail(code: int) -> str:
    details = {
        400: _("The request is not valid."),
        404: _("There is nothing at this address."),
        405: _("This method is not allowed here: the open-data API only reads."),
        413: _("The request is too large."),
        500: _("Something went wrong on our side. Try again later."),
    }
    return details.get(code, HTTP_STATUS_CODES.get(code, ""))


def _http_problem(error: HTTPException):
    code = error.code or 500
    headers = {name: value for name, value in error.get_headers()
               if name.lower() in ("allow", "retry-after")}
    data = getattr(error, "data", None) or {}
    invalid = data.get("invalid-params")
    return problem(code, data.get("detail") or _problem_detail(code), headers=headers,
                   **({"invalid-params": invalid} if invalid else {}))


def register(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error):
        if _wants_problem():
            return _http_problem(error)
        return render_template("errors/error.html", code=400, csrf=True), 400

    @app.errorhandler(LimitReached)
    def too_many_requests(error: LimitReached):
        if _wants_problem():
            return problem(429, _("Too many requests in a short time: wait %(wait)s.",
                                  wait=wait_text(error.wait)),
                           headers={"Retry-After": str(error.wait)})
        # Forms with a text to keep are shown again instead (participation.core.limiter).
        response = make_response(
            render_template("errors/error.html", code=429, wait=wait_text(error.wait)), 429)
        response.headers["Retry-After"] = str(error.wait)
        return response

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        code = error.code or 500
        if code >= 400 and _wants_problem():
            return _http_problem(error)
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
        if _wants_problem():
            return problem(409, _("Changed by someone else at the same moment."))
        return render_template("errors/error.html", code=409, sent_to=request.path,
                               form_page=_form_page()), 409

    @app.errorhandler(Exception)
    def unexpected(error: Exception):
        log.exception("unhandled error")
        db.session.rollback()
        if _wants_problem():
            return problem(500, _problem_detail(500))
        return render_template("errors/error.html", code=500), 500


def _form_page() -> str:
    """The page of this site the form was sent from, else the address it was sent to."""
    referrer = urlsplit(request.referrer or "")
    if referrer.netloc != request.host:
        return request.path
    return safe_next(referrer.path + (f"?{referrer.query}" if referrer.query else ""),
                     request.path)
