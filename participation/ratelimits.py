"""Rate limits on the POSTs that bots and password guessers aim at, with Flask-Limiter.

The limits per route are in ROUTE_LIMITS; their figures are config (RATE_LIMITS). Only POSTs
count, so loading a form is never limited. Where a person may have typed a long text (input,
reactions, registration, reports, invitations) a limited POST shows the form again with the text
and a message (status 429, Retry-After); the other routes answer with the friendly 429 page
(participation.errors).
"""
from __future__ import annotations

import hashlib
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from functools import wraps

from flask import Flask, current_app, g, request
from flask_babel import format_timedelta
from flask_babel import gettext as _
from flask_limiter import Limiter, RateLimitExceeded
from flask_login import current_user

EXTENSION_KEY = "participation.limiter"
#: Seconds to wait when the storage cannot say when the window ends.
FALLBACK_WAIT = 60


# --- whose posts are counted --------------------------------------------------------------

def client_address() -> str:
    """The client's IP address.

    The app does not use ProxyFix, so this is the address that connected to the web process;
    behind a proxy or load balancer every visitor would share the proxy's address.
    """
    return "addr:" + (request.remote_addr or "unknown")


def typed_email() -> str:
    """The e-mail address in the posted form, hashed so no address is stored in Redis."""
    email = request.form.get("email", "").strip().lower()
    return "email:" + hashlib.sha256(email.encode()).hexdigest()[:32]


def no_typed_email() -> bool:
    return not request.form.get("email", "").strip()


def account() -> str:
    """The logged-in account; a visitor (whose post is refused anyway) by address."""
    if getattr(current_user, "is_authenticated", False):
        return f"user:{current_user.id}"
    return client_address()


def saved(response) -> bool:
    """A post that saved something answers with a redirect (post/redirect/get)."""
    return 300 <= response.status_code < 400


# --- the limits per route -----------------------------------------------------------------

@dataclass(frozen=True)
class Rule:
    #: Name in the RATE_LIMITS config, and the counter's scope: routes with the same rule
    #: share one counter (a reaction and a reply both count as a reaction).
    name: str
    key: Callable[[], str]
    #: Count only posts that saved something (a redirect), not forms sent back with a mistake.
    only_saved: bool = False
    exempt_when: Callable[[], bool] | None = None


@dataclass(frozen=True)
class RouteLimits:
    rules: tuple[Rule, ...]
    #: On a limited post, show the form again with the text instead of the 429 page. Only for
    #: views whose every POST path validates a BaseForm before it changes anything.
    keep_text: bool


_RESET = (Rule("password_reset", client_address),
          Rule("password_reset_per_email", typed_email, exempt_when=no_typed_email))
_COMMENTS = (Rule("comments", account, only_saved=True),)
_INVITATIONS = (Rule("invitations", account, only_saved=True),)

ROUTE_LIMITS: dict[str, RouteLimits] = {
    "accounts.login": RouteLimits(
        (Rule("login", client_address),
         Rule("login_per_email", typed_email, exempt_when=no_typed_email)), keep_text=False),
    "accounts.register": RouteLimits(
        (Rule("register", client_address, only_saved=True),), keep_text=True),
    "accounts.forgot_password": RouteLimits(_RESET, keep_text=False),
    # A new confirmation link is mail to an address too: it shares the reset counters.
    "accounts.resend_confirmation": RouteLimits(_RESET, keep_text=False),
    "contributions.new": RouteLimits(
        (Rule("contributions", account, only_saved=True),), keep_text=True),
    "drafts.section": RouteLimits(_COMMENTS, keep_text=True),
    "comments.reply": RouteLimits(_COMMENTS, keep_text=True),
    "moderation.flag": RouteLimits((Rule("flags", account, only_saved=True),), keep_text=True),
    "invitations.invite": RouteLimits(_INVITATIONS, keep_text=True),
    "invitations.import_csv": RouteLimits(_INVITATIONS, keep_text=True),
}


# --- the extension ------------------------------------------------------------------------

class AppLimiter:
    """Flask-Limiter, with one Limiter per app.

    Flask-Limiter keeps its on/off switch, storage and key prefix on the Limiter object, so one
    object bound to two apps in one process (the tests make several) would mix them up. This
    holder is the unbound extension; `init_app` makes the app's own Limiter and puts the route
    limits on the app's views. Call it after the blueprints are registered.
    """

    def init_app(self, app: Flask) -> None:
        if app.config.get("RATELIMIT_ENABLED") is None:
            app.config["RATELIMIT_ENABLED"] = not app.testing
        limiter = Limiter(key_func=client_address)
        limiter.init_app(app)
        app.extensions[EXTENSION_KEY] = limiter
        if limiter.enabled:
            _limit_routes(app, limiter)

    @property
    def current(self) -> Limiter:
        return current_app.extensions[EXTENSION_KEY]


def _limit_routes(app: Flask, limiter: Limiter) -> None:
    for endpoint, route in ROUTE_LIMITS.items():
        view = app.view_functions[endpoint]
        limited = view
        for rule in route.rules:
            limited = limiter.shared_limit(
                _configured(rule.name), scope=rule.name, key_func=rule.key, methods=["POST"],
                deduct_when=saved if rule.only_saved else None,
                exempt_when=rule.exempt_when)(limited)
        app.view_functions[endpoint] = _keeping_text(limited, view) if route.keep_text else limited


def _configured(name: str) -> Callable[[], str]:
    # Read per request, so a test (or an instance config) can change a figure.
    return lambda: current_app.config["RATE_LIMITS"][name]


def _keeping_text(limited, view):
    """Run `view` once more, its form refused with a message, when `limited` is over its limit.

    The limit is checked before the view runs, so nothing has been written; the view then
    validates its form, which fails with the message (BaseForm), and shows the text again.
    """
    @wraps(view)
    def keep_text(*args, **kwargs):
        try:
            return limited(*args, **kwargs)
        except RateLimitExceeded:
            wait = retry_after_seconds()
            g.rate_limit_wait = wait
            response = current_app.make_response(current_app.ensure_sync(view)(*args, **kwargs))
            if response.status_code in (200, 400):
                response.status_code = 429
                response.headers["Retry-After"] = str(wait)
            return response
    return keep_text


# --- telling the person -------------------------------------------------------------------

def retry_after_seconds() -> int:
    """Seconds until the limit this request went over lets a post through again."""
    try:
        request_limit = current_app.extensions[EXTENSION_KEY].current_limit
        if request_limit is None:
            return FALLBACK_WAIT
        return max(1, math.ceil(request_limit.reset_at - time.time()))
    except Exception:  # an unreachable storage must not turn a 429 into a 500
        current_app.logger.exception("rate limit storage: no reset time")
        return FALLBACK_WAIT


def wait_text(seconds: int) -> str:
    """'3 minutes', '1 hour', in the page's language."""
    return format_timedelta(timedelta(seconds=seconds), threshold=1)


def limited_form_message() -> str | None:
    """The message for a form sent back because of a limit, or None when there was no limit."""
    wait = g.get("rate_limit_wait")
    if wait is None:
        return None
    return _("You have sent this form many times in a short time. Your text is kept: wait "
             "%(wait)s and send it again.", wait=wait_text(wait))
