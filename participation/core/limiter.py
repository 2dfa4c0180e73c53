"""Rate limits on the POSTs that bots and password guessers aim at, checked by the views.

Every limit is called by the view it applies to (Indico's `RateLimit` pattern), its figures in
the RATE_LIMITS config, read per request. Two kinds:

- a `PostLimit` on a form: the view calls `check()` before it handles a POST and, where only
  posts that saved count, `hit()` once it has saved. Loading a form is never limited. Over the
  limit, a form where a person may have typed a long text (input, reactions, registration,
  reports, invitations) comes back with the text and a message next to it (status 429,
  Retry-After); the other forms answer with the friendly 429 page (participation.core.errors);
- a `CountedAction` that a view checks itself, where only some outcomes count (logging in:
  participation.accounts.login_limits). The view calls `allows()` before the action and `hit()`
  only for an outcome that counts; the team lists the full counters (`locks()`) and lifts one.

Both count in Flask-Limiter's storage and strategy (memory://, or Redis shared by every web
process), one Limiter per app (AppLimiter).
"""
from __future__ import annotations

import hashlib
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from flask import Flask, current_app, g, request
from flask_babel import format_timedelta
from flask_babel import gettext as _
from flask_limiter import Limiter
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


# --- the extension ------------------------------------------------------------------------

class AppLimiter:
    """Flask-Limiter, with one Limiter per app.

    Flask-Limiter keeps its on/off switch, storage and key prefix on the Limiter object, so one
    object bound to two apps in one process (the tests make several) would mix them up. This
    holder is the unbound extension; `init_app` makes the app's own Limiter. The limits
    themselves are called by the views (PostLimit, CountedAction), not put on routes here.
    """

    def init_app(self, app: Flask) -> None:
        if app.config.get("RATELIMIT_ENABLED") is None:
            app.config["RATELIMIT_ENABLED"] = not app.testing
        limiter = Limiter(key_func=client_address)
        limiter.init_app(app)
        app.extensions[EXTENSION_KEY] = limiter
        if limiter.enabled:
            # Before Flask-Compress's (registered earlier, so run later): it leaves a 429 as is.
            app.after_request(_limited_form_status)

    @property
    def current(self) -> Limiter:
        return current_app.extensions[EXTENSION_KEY]


def _enabled_limiter() -> Limiter | None:
    limiter = current_app.extensions[EXTENSION_KEY]
    return limiter if limiter.enabled else None


def _fall_back_to_memory(limiter: Limiter) -> bool:
    """The storage failed: count in this process's memory from now on, as Flask-Limiter does
    for its own limits (RATELIMIT_IN_MEMORY_FALLBACK_ENABLED). Its check before each request
    finds out when the storage answers again and switches back. False when there is no
    fallback, or the fallback is in use already.

    Flask-Limiter has no public switch for this; these are the attributes its own request
    check sets (tests/test_rate_limits.py notices when they change).
    """
    if getattr(limiter, "_fallback_limiter", None) is None or limiter._storage_dead:
        return False
    current_app.logger.warning("rate limit storage unreachable: counting in memory")
    limiter._storage_dead = True
    return True


# --- limits where only some outcomes count ------------------------------------------------

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
        return _enabled_limiter()

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


# --- limits on a form's posts -------------------------------------------------------------

class LimitReached(Exception):
    """A POST over a PostLimit, answered with the friendly 429 page (participation.core.errors)."""

    def __init__(self, wait: int):
        super().__init__(wait)
        #: Seconds until a post is let through again (Retry-After).
        self.wait = wait


class PostCounter(CountedAction):
    """One counter of a PostLimit: its figures in RATE_LIMITS[`name`], counted per `per()`
    ("addr:192.0.2.1", "user:12"), a post not counted when `exempt_when()` holds."""

    def __init__(self, name: str, per: Callable[[], str],
                 exempt_when: Callable[[], bool] | None = None):
        super().__init__(name)
        self.per = per
        self.exempt_when = exempt_when

    def __repr__(self) -> str:
        return f"<PostCounter {self.name}>"


class PostLimit:
    """A limit on the POSTs of a form, which the view that handles them calls (Indico's
    `RateLimit.test()` / `.hit()` in its login controller).

    Its counters (PostCounter) hold together: a post over any of them is refused. Counters
    with the same name are one counter, wherever they are called: a reaction and a reply
    share the reactions' count. With `only_saved` only a post that saved something counts
    (the view calls `hit()`), not a form sent back with a mistake; otherwise `check()` counts
    every post. With the limits off (RATELIMIT_ENABLED) nothing is counted or refused.
    """

    def __init__(self, *counters: PostCounter, only_saved: bool = False):
        self.counters = counters
        self.only_saved = only_saved

    def __repr__(self) -> str:
        return f"<PostLimit {', '.join(counter.name for counter in self.counters)}>"

    def check(self, *, keep_text: bool = False) -> None:
        """Before the view handles a POST (on a GET it does nothing): is it within the limit?

        Over it, with `keep_text`, the view's form refuses with a message and keeps the text
        (participation.core.forms.BaseForm) and the page answers 429 with Retry-After: only for
        views whose every POST validates a BaseForm before it changes anything. Without
        `keep_text`, LimitReached: the friendly 429 page.
        """
        if request.method != "POST":
            return
        wait = self._counted(self._over, "not checked")
        if wait is None:
            return
        if not keep_text:
            raise LimitReached(wait)
        g.rate_limit_wait = wait

    def hit(self) -> None:
        """Count this post: it saved something (a limit of only saved posts)."""
        if not self.only_saved:
            raise TypeError(f"{self!r} counts every post in check()")
        self._counted(self._hit, "not counted")

    # -- the parts

    def _figures(self) -> list[tuple[RateLimitItem, PostCounter]]:
        """Every figure of the counters that apply to this post, shortest window first."""
        figures = [(item, counter) for counter in self.counters
                   if counter.exempt_when is None or not counter.exempt_when()
                   for item in counter._items()]
        return sorted(figures, key=lambda figure: figure[0])

    def _over(self, limiter: Limiter) -> int | None:
        """The wait, in seconds, of the first figure this post is over; None when within."""
        strategy = limiter.limiter
        for item, counter in self._figures():
            ids = counter._ids(counter.per())
            within = (strategy.test(item, *ids) if self.only_saved
                      else strategy.hit(item, *ids))
            if not within:
                reset = strategy.get_window_stats(item, *ids).reset_time
                return max(1, math.ceil(reset - time.time()))
        return None

    def _hit(self, limiter: Limiter) -> None:
        for item, counter in self._figures():
            limiter.limiter.hit(item, *counter._ids(counter.per()))

    def _counted(self, step: Callable[[Limiter], int | None], failed: str) -> int | None:
        """`step` on the app's storage; when that cannot be reached, on the memory fallback, and
        when that fails too the post goes through (and is logged) rather than fail the page."""
        limiter = _enabled_limiter()
        if limiter is None:
            return None
        try:
            return step(limiter)
        except Exception:
            if _fall_back_to_memory(limiter):
                try:
                    return step(limiter)
                except Exception:
                    pass
            current_app.logger.exception("rate limit storage: %r %s", self, failed)
            return None


def _limited_form_status(response):
    """A form sent back because of a limit (`check(keep_text=True)`) answers 429 with
    Retry-After; a redirect or another refusal (403) stays as it is."""
    wait = g.get("rate_limit_wait")
    if wait is not None and response.status_code in (200, 400):
        response.status_code = 429
        response.headers["Retry-After"] = str(wait)
    return response


# --- telling the person -------------------------------------------------------------------

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
