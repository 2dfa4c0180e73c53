"""Security baseline: CSRF on every POST, response headers, and no default secret in production."""
from __future__ import annotations

from functools import wraps

from flask import Flask, current_app, make_response, request

from .config import DEFAULT_SECRET_KEY
from .extensions import csrf


class InsecureConfiguration(RuntimeError):
    pass


def check_configuration(app: Flask) -> None:
    """Refuse to run outside debug and testing with the default secret key."""
    if app.debug or app.testing:
        return
    if not app.config.get("SECRET_KEY") or app.config["SECRET_KEY"] == DEFAULT_SECRET_KEY:
        raise InsecureConfiguration(
            "SECRET_KEY is not set: set the SECRET_KEY environment variable to a long random "
            "value (python -c 'import secrets; print(secrets.token_urlsafe(48))').")


def form_checks_csrf(view):
    """Leave the CSRF check of this view to its FlaskForm.

    The global check answers a bad token with a bare 400; a form that checks the token itself
    re-renders with the person's text kept and a message to send it again. Only use this on
    views whose every POST path validates a FlaskForm (tests/test_csrf.py checks them all).
    """
    view.form_checks_csrf = True
    return csrf.exempt(view)


CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "form-action 'self'; frame-ancestors 'none'; base-uri 'self'; object-src 'none'")


def _csp() -> str:
    # Sites a form may be sent on to (a login provider a log-in button redirects to), set by
    # the feature that has them.
    extra = current_app.config.get("CSP_FORM_ACTION_SOURCES")
    if not extra:
        return CSP
    return CSP.replace("form-action 'self'", "form-action 'self' " + " ".join(extra))


def set_security_headers(response):
    response.headers.setdefault("Content-Security-Policy", _csp())
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("X-Frame-Options", "DENY")
    if request.is_secure:
        response.headers.setdefault("Strict-Transport-Security",
                                    "max-age=31536000; includeSubDomains")
    return response


def no_store(view):
    """Pages with tokens in the URL or personal data are not kept in caches."""
    @wraps(view)
    def wrapper(*args, **kwargs):
        response = view(*args, **kwargs)
        response = make_response(response)
        response.headers["Cache-Control"] = "no-store"
        return response
    return wrapper
