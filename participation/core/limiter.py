"""Rate limits on the POSTs that bots and password guessers aim at, with Flask-Limiter.

Two kinds, their figures both config (RATE_LIMITS):

- the limits per route in ROUTE_LIMITS, put on the views by `AppLimiter.init_app`. Only POSTs
  count, so loading a form is never limited. Where a person may have typed a long text (input,
  reactions, registration, reports, invitations) a limited POST shows the form again with the
  text and a message (status 429, Retry-After); the other routes answer with the friendly 429
  page (participation.core.errors);
- a `CountedAction` that a view checks itself, where only some outcomes count (logging in:
  participation.accounts.login_limits). The view calls `allows()` before the action and `hit()`
  only for an outcome that counts; the team lists the full counters (`locks()`) and lifts one.
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
from limits import RateLimitItem, parse_many
from limits.storage import MemoryStorage, RedisStorage

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

#: Logging in is not here: only failed attempts count against a person (CountedAction, in
#: participation.accounts.login_limits).
ROUTE_LIMITS: dict[str, RouteLimits] = {
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


# --- limits a view checks itself ---------------------------------------------------------

class LocksNotListable(Exception):
    """The configured storage cannot list its counters (only memory:// and Redis can)."""


class LimitStorageUnavailable(Exception):
    """The rate-limit storage (Redis) could not be reached."""


@dataclass(frozen=True)
class Lock:
    """A full counter: `subject` may not do the action again for `seconds_left` seconds."""
    limit: str
    subject: str
    #: Attempts counted in the window that is full.
    count: int
    seconds_left: int


class CountedAction:
    """A limit that a view checks where it can be seen (Indico's `RateLimit`): `allows()`
    before the action, `hit()` only when the outcome counts, e.g. a wrong password.

    `name` is its figure in RATE_LIMITS and the scope of its counters; `subject` says whose
    attempts are counted ("addr:192.0.2.1", "user:12"). Every figure must hold: with
    "10/minute;50/hour" the 11th attempt in a minute waits, and so does the 51st in an hour.
    The counters live in the rate-limit storage (Redis in production), under the app's
    RATELIMIT_KEY_PREFIX, shared by every web process. With the limits off (RATELIMIT_ENABLED)
    everything is allowed and nothing is counted. A storage that cannot be reached lets the
    action through (and logs it) rather than lock everybody out.
    """

    def __init__(self, name: str):
        self.name = name

    def __repr__(self) -> str:
        return f"<CountedAction {self.name}>"

    # -- the parts

    @staticmethod
    def _limiter() -> Limiter | None:
        limiter = current_app.extensions[EXTENSION_KEY]
        return limiter if limiter.enabled else None

    def _items(self) -> list[RateLimitItem]:
        # Read per call, so a test (or an instance config) can change a figure.
        return list(parse_many(current_app.config["RATE_LIMITS"][self.name]))

    def _ids(self, subject: str) -> tuple[str, ...]:
        # Identifiers are joined with "/" into the key: keep them free of it.
        prefix = current_app.config.get("RATELIMIT_KEY_PREFIX") or "participation"
        return prefix.replace("/", "-"), self.name, subject.replace("/", "-")

    # -- in the view

    def allows(self, subject: str) -> bool:
        """Would one more attempt of `subject` be within every figure? Counts nothing."""
        limiter = self._limiter()
        if limiter is None:
            return True
        try:
            return all(limiter.limiter.test(item, *self._ids(subject)) for item in self._items())
        except Exception:
            current_app.logger.exception("rate limit storage: %s not checked", self.name)
            return True

    def hit(self, subject: str) -> None:
        """Count one attempt of `subject`."""
        limiter = self._limiter()
        if limiter is None:
            return
        try:
            for item in self._items():
                limiter.limiter.hit(item, *self._ids(subject))
        except Exception:
            current_app.logger.exception("rate limit storage: %s not counted", self.name)

    def wait_seconds(self, subject: str) -> int:
        """Seconds until `subject` may try again (0 when it may now)."""
        try:
            lock = self._lock(subject)
        except Exception:
            current_app.logger.exception("rate limit storage: %s not read", self.name)
            return FALLBACK_WAIT
        return lock.seconds_left if lock else 0

    def clear(self, subject: str) -> None:
        """Forget the attempts of `subject` (a successful login clears that account's failures)."""
        limiter = self._limiter()
        if limiter is None:
            return
        try:
            for item in self._items():
                limiter.limiter.clear(item, *self._ids(subject))
        except Exception:
            current_app.logger.exception("rate limit storage: %s not cleared", self.name)

    # -- for the team

    def _lock(self, subject: str) -> Lock | None:
        limiter = self._limiter()
        if limiter is None:
            return None
        ids, now, found = self._ids(subject), time.time(), None
        for item in self._items():
            if limiter.limiter.test(item, *ids):
                continue
            stats = limiter.limiter.get_window_stats(item, *ids)
            left = max(1, math.ceil(stats.reset_time - now))
            if found is None or left > found.seconds_left:
                found = Lock(self.name, subject, item.amount - stats.remaining, left)
        return found

    def locks(self) -> list[Lock]:
        """Every subject that must wait now, longest wait first.

        Raises LocksNotListable for a storage other than memory:// and Redis, and
        LimitStorageUnavailable when it cannot be reached: the team is told, not shown an
        empty list.
        """
        limiter = self._limiter()
        if limiter is None:
            return []
        try:
            subjects = set()
            for item in self._items():
                subjects |= _subjects(limiter.storage, item, self._ids(""))
            found = [lock for lock in map(self._lock, sorted(subjects)) if lock is not None]
        except limiter.storage.base_exceptions as error:
            raise LimitStorageUnavailable(str(error)) from error
        return sorted(found, key=lambda lock: (-lock.seconds_left, lock.subject))

    def lift(self, subject: str) -> Lock | None:
        """Let `subject` try again at once; the lock it lifted, or None when there was none.

        Of two people lifting the same lock at the same moment only one gets it back: the
        counters are deleted by one command each, which says whether it deleted anything.
        Raises LimitStorageUnavailable when the storage cannot be reached.
        """
        limiter = self._limiter()
        if limiter is None:
            return None
        try:
            lock = self._lock(subject)
            if lock is None:
                return None
            deleted = [_delete(limiter.storage, item.key_for(*self._ids(subject)))
                       for item in self._items()]
        except limiter.storage.base_exceptions as error:
            raise LimitStorageUnavailable(str(error)) from error
        return lock if any(deleted) else None


def _key_parts(item: RateLimitItem, ids: tuple[str, ...]) -> tuple[str, str]:
    """The key of `item` for `ids` without its last identifier (left empty): before, after."""
    head, tail = item.key_for(*ids[:-1], "\x00").split("\x00")
    return head, tail


def _subjects(storage, item: RateLimitItem, ids: tuple[str, ...]) -> set[str]:
    """The subjects that have a counter of `item` in `storage`."""
    head, tail = _key_parts(item, ids)
    if isinstance(storage, MemoryStorage):
        keys = list(storage.storage) + list(storage.events)
    elif isinstance(storage, RedisStorage):
        stored = len(storage.prefixed_key(""))
        pattern = storage.prefixed_key(_glob_escape(head) + "*" + _glob_escape(tail))
        keys = [(key.decode() if isinstance(key, bytes) else key)[stored:] for key in
                storage.get_connection(True).scan_iter(match=pattern, count=1000)]
    else:
        raise LocksNotListable(type(storage).__name__)
    return {key[len(head):len(key) - len(tail)] for key in keys
            if key.startswith(head) and key.endswith(tail) and len(key) > len(head) + len(tail)}


def _glob_escape(text: str) -> str:
    return "".join("\\" + c if c in "*?[]\\" else c for c in text)


def _delete(storage, key: str) -> bool:
    """Delete one counter; whether there was one."""
    if isinstance(storage, MemoryStorage):
        with storage.locks[key]:
            existed = storage.storage.pop(key, None) is not None
            existed = storage.events.pop(key, None) is not None or existed
            storage.expirations.pop(key, None)
        return existed
    if isinstance(storage, RedisStorage):
        return bool(storage.get_connection().delete(storage.prefixed_key(key)))
    storage.clear(key)
    return True


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


def figure_text(figure: str) -> str:
    """'10 per 15 minutes;50/hour' as '10 in 15 minutes, 50 in 1 hour', in the page's language."""
    return ", ".join(_("%(count)d in %(window)s", count=item.amount,
                       window=wait_text(item.get_expiry())) for item in parse_many(figure))


def limited_form_message() -> str | None:
    """The message for a form sent back because of a limit, or None when there was no limit."""
    wait = g.get("rate_limit_wait")
    if wait is None:
        return None
    return _("You have sent this form many times in a short time. Your text is kept: wait "
             "%(wait)s and send it again.", wait=wait_text(wait))
