"""The session cookie, written back only by requests that may change it.

A browser asks for a page's styles, scripts and icon while another request (a click on
"English", a log-in) is on its way; each carries the cookie as it was when it left. Flask writes
the cookie back whenever the session was touched, and Flask-Login touches an anonymous visitor's
session on the first request that loads the user (it marks it not fresh), so a 404 for
/favicon.ico that started before the language switch answered could set the old cookie after
the new one and undo the switch. A static file or a URL that matches no route has nothing to
say about the session: when the browser already has a cookie, such a response never sets it.
A first visit still gets its cookie (and CSRF token) from whatever page it lands on.
"""
from __future__ import annotations

from flask import Flask, request
from flask.sessions import SecureCookieSessionInterface

#: Endpoints whose responses never write the session back (None: no route matched).
READ_ONLY_ENDPOINTS = frozenset({None, "static", "main.favicon"})


class SessionInterface(SecureCookieSessionInterface):
    def should_set_cookie(self, app: Flask, session) -> bool:
        if request.endpoint in READ_ONLY_ENDPOINTS and app.config["SESSION_COOKIE_NAME"] in \
                request.cookies:
            return False
        return super().should_set_cookie(app, session)


def register(app: Flask) -> None:
    app.session_interface = SessionInterface()
