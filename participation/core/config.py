"""Configuration: safe local defaults, overridden by instance config, the environment and tests."""
from __future__ import annotations

import json
import os
from datetime import timedelta

DEFAULT_SECRET_KEY = "dev-only-change-me"

#: Environment variables read into the config, with the type they are parsed as.
ENV_SETTINGS: dict[str, type] = {
    "SECRET_KEY": str,
    "DATABASE_URL": str,
    "MAIL_SERVER": str,
    "MAIL_PORT": int,
    "MAIL_USE_TLS": bool,
    "MAIL_USE_SSL": bool,
    "MAIL_USERNAME": str,
    "MAIL_PASSWORD": str,
    "MAIL_DEFAULT_SENDER": str,
    "SESSION_COOKIE_SECURE": bool,
    "MUNICIPALITY_NAME": str,
    "CONTACT_EMAIL": str,
    "UPLOAD_FOLDER": str,
    "SITE_URL": str,
    "TASK_QUEUE_URL": str,
    "TASK_QUEUE_NAME": str,
    "TASK_QUEUE_POLL_SECONDS": float,
    "JOB_LEASE_SECONDS": int,
    "JOB_MAX_ATTEMPTS": int,
    "JOB_RESULT_FOLDER": str,
    "EXPORT_KEEP_SECONDS": int,
    "DIGEST_HOUR_UTC": int,
    "PURGE_HOUR_UTC": int,
    "JOB_TEST_STAGE_SECONDS": float,
    "API_CACHE_SECONDS": int,
    "RATELIMIT_ENABLED": bool,
    "RATELIMIT_STORAGE_URI": str,
    "RATELIMIT_KEY_PREFIX": str,
    #: JSON, e.g. {"contributions": "40/hour"}: figures that replace those in RATE_LIMITS.
    "RATE_LIMITS": dict,
    "SPAM_MIN_SECONDS": float,
    "PROXIES": int,
    "RETENTION_MONTHS": int,
    "MEMBER_CHECK_REMINDER_DAYS": int,
    #: JSON, a list of OpenID Connect providers (see Defaults.OIDC_PROVIDERS).
    "OIDC_PROVIDERS": list,
    "LOCAL_LOGIN": bool,
}


def _parse(value: str, kind: type):
    if kind is bool:
        return value.strip().lower() in {"1", "true", "yes", "on"}
    if kind in (dict, list):
        parsed = json.loads(value)
        if not isinstance(parsed, kind):
            raise ValueError(f"expected a JSON {kind.__name__}, got {value[:40]!r}")
        return parsed
    return kind(value)


class Defaults:
    SECRET_KEY = DEFAULT_SECRET_KEY
    SQLALCHEMY_DATABASE_URI: str | None = None  # filled in by the factory: instance/participation.sqlite
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    SQLALCHEMY_TRACK_MODIFICATIONS = False

    # Sessions: the cookie is never readable from JavaScript and not sent on cross-site posts.
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_DURATION = timedelta(days=30)
    PERMANENT_SESSION_LIFETIME = timedelta(hours=12)

    # CSRF: checked by each form so a failure re-renders the form with the text kept
    # (see participation.core.security); the global check covers every other POST.
    WTF_CSRF_TIME_LIMIT = 8 * 3600

    MAX_CONTENT_LENGTH = 12 * 1024 * 1024

    BABEL_DEFAULT_LOCALE = "nl"
    BABEL_DEFAULT_TIMEZONE = "Europe/Amsterdam"
    LANGUAGES = {"nl": "Nederlands", "en": "English"}

    MAIL_SERVER = "127.0.0.1"
    MAIL_PORT = 25
    MAIL_USE_TLS = False
    MAIL_USE_SSL = False
    MAIL_USERNAME: str | None = None
    MAIL_PASSWORD: str | None = None
    MAIL_DEFAULT_SENDER = "participatie@localhost"
    #: Delivery attempts before an outbox row is marked failed (kept, never dropped).
    MAIL_MAX_ATTEMPTS = 8
    #: First retry delay in seconds; doubles per attempt.
    MAIL_RETRY_BASE_SECONDS = 60
    MAIL_WORKER_INTERVAL_SECONDS = 5
    #: An SMTP server that does not answer within this many seconds counts as a failure.
    MAIL_TIMEOUT_SECONDS = 30

    #: Lifetime of e-mail confirmation and password reset links.
    CONFIRM_LINK_MAX_AGE = 3 * 24 * 3600
    RESET_LINK_MAX_AGE = 2 * 3600

    #: Reverse proxies in front of the site (nginx, a load balancer) that set X-Forwarded-For
    #: and -Proto. 0: none, and forwarded headers are ignored (anyone could send them). Rate
    #: limits count per client address, so behind a proxy this must be set.
    PROXIES = 0

    #: Days an invitation link works.
    INVITATION_DAYS = 14

    #: Days before a member check closes that the one reminder goes out (`member-check remind`).
    MEMBER_CHECK_REMINDER_DAYS = 3

    # Long work (participation/jobs): exports, the analysis, the digest, the purge.
    #: Where the queue's messages live: None is "sqlite:///instance/tasks.sqlite" (one machine;
    #: `make run`), or "immediate" when TESTING; "redis://host:6379/0" for workers on several
    #: machines.
    TASK_QUEUE_URL: str | None = None
    #: The queue's name: its key prefix in Redis, for sites that share one.
    TASK_QUEUE_NAME = "participation"
    #: Longest wait of an idle worker on the SQLite store (Redis tells a worker at once).
    TASK_QUEUE_POLL_SECONDS = 1.0
    #: A running job's worker writes a heartbeat every third of this; a job whose heartbeat is
    #: older is taken over by another worker (its own was killed, or its machine is gone).
    JOB_LEASE_SECONDS = 60
    #: Claims of one job before it counts as failed (a job that kills its worker every time,
    #: e.g. out of memory, must not take down every worker in turn).
    JOB_MAX_ATTEMPTS = 3
    #: Where jobs' result files are kept: None is instance/results; shared storage when
    #: workers and web processes run on several machines.
    JOB_RESULT_FOLDER: str | None = None
    #: How long an export's file is kept and served again, as long as nothing in the process
    #: changed (a second click then costs nothing).
    EXPORT_KEEP_SECONDS = 24 * 3600
    #: Hours (UTC) of the daily reply digest and the daily retention purge, run by the workers.
    DIGEST_HOUR_UTC = 5
    PURGE_HOUR_UTC = 2
    #: Tests only: seconds a job waits at each new stage, so a worker can be killed mid-job.
    JOB_TEST_STAGE_SECONDS = 0.0

    #: How long a web process keeps a process's published items for the open-data API: the
    #: API may be this far behind the site, and a crawl of every page builds the public
    #: document once, not once a page. 0: built for every request.
    API_CACHE_SECONDS = 60

    PASSWORD_MIN_LENGTH = 10
    #: None: production's scrypt (accounts.passwords.METHOD). Only the test suite sets another.
    PASSWORD_HASH_METHOD: str | None = None
    #: Version of the privacy statement; stored with each consent.
    PRIVACY_STATEMENT_VERSION = "2026-11"
    #: Months after a process's last round closed before `flask privacy purge` erases the
    #: personal data it no longer needs (the privacy statement tells participants this term).
    RETENTION_MONTHS = 12
    MUNICIPALITY_NAME = "Gemeente Assen"
    #: Where participants report a barrier or ask for another format (the accessibility
    #: statement). None: the statement asks them to contact the municipality as they usually do.
    CONTACT_EMAIL: str | None = None
    #: The site's address, for links in mail that a command (not a request) writes.
    SITE_URL = "http://127.0.0.1:5000"

    # Rate limits (participation.core.limiter, Flask-Limiter). None: on, but off when TESTING so
    # the suite is not limited; tests that check the limits turn them on.
    RATELIMIT_ENABLED: bool | None = None
    #: Where the counters live. memory:// is per process; with several web processes set
    #: redis://host:6379 so they share the counters.
    RATELIMIT_STORAGE_URI = "memory://"
    #: Prefix of the counters' keys, for sites that share one Redis.
    RATELIMIT_KEY_PREFIX = "participation"
    RATELIMIT_STRATEGY = "fixed-window"
    #: When Redis cannot be reached, count in this process's memory rather than fail the page.
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
    #: Limits, in Flask-Limiter's notation ("10/minute;50/hour": both hold). Only POSTs count.
    #: "Per address" is the client's IP address, "per e-mail" the address typed in the form,
    #: "per user" the logged-in account. Where a limit counts only saved posts, a form sent
    #: back with a mistake does not use up the limit. Logging in counts wrong passwords and
    #: logins apart (participation.accounts.login_limits), so a room behind one address gets in.
    RATE_LIMITS = {
        "failed_login_per_account": "10 per 15 minutes",  # wrong passwords for one account
        "failed_login_per_address": "50/hour",  # wrong passwords from one address, any account
        "login_per_address": "200/hour",        # logins from one address: a room, an office
        "register": "5/hour",                  # per address, registrations made
        "password_reset": "5/hour",            # per address: reset and confirmation links
        "password_reset_per_email": "3/hour",  # per e-mail: no mail bombing of one inbox
        "contributions": "10/hour",            # per user, input saved
        "comments": "30/hour",                 # per user, reactions and replies saved
        "flags": "30/hour",                    # per user, reports saved
        "invitations": "30/hour",              # per team member, sends and CSV imports
        # per address, logins through a provider that failed (a wrong state, a refused token)
        "failed_oidc_login_per_address": "30/hour",
        "input_imports": "60/hour",            # per team member, offline-input files read or stored
        "api": "120/minute;3000/hour",         # per address, open-data API requests (any answer)
    }

    #: Login through OpenID Connect providers (participation.oidc), each a dict: "name" (in
    #: the callback URL /account/oidc/<name>/callback: lower-case letters, digits, "-"),
    #: "label" (on the login button), "issuer" (its discovery document is
    #: <issuer>/.well-known/openid-configuration), "client_id", "client_secret", and optionally
    #: "scopes" (default "openid email profile") and "kvk_claim" (the claim with the KvK number
    #: an eHerkenning broker certifies; default "kvk", "" for none). Empty: no such login.
    OIDC_PROVIDERS: list = []
    #: Seconds a provider may take to answer the site (discovery, keys, the token request).
    OIDC_TIMEOUT_SECONDS = 10
    #: False: no log-in with an e-mail address and password (the form is hidden and its POST
    #: refused); people log in through the providers only.
    LOCAL_LOGIN = True

    #: Spam check on public forms (participation.core.spam): a form sent sooner than this many
    #: seconds after it was shown is refused. None: 3, but 0 (no check) when TESTING.
    SPAM_MIN_SECONDS: float | None = None


def from_environment() -> dict:
    """Settings given as environment variables, parsed to their types."""
    found = {}
    for name, kind in ENV_SETTINGS.items():
        value = os.environ.get(name)
        if value not in (None, ""):
            found[name] = _parse(value, kind)
    if "DATABASE_URL" in found:
        found["SQLALCHEMY_DATABASE_URI"] = normalise_database_url(found.pop("DATABASE_URL"))
    if "RATE_LIMITS" in found:
        found["RATE_LIMITS"] = rate_limits_with(found["RATE_LIMITS"])
    return found


def rate_limits_with(figures) -> dict[str, str]:
    """RATE_LIMITS with some figures replaced; a wrong name or figure stops the start."""
    from limits import parse_many

    if not isinstance(figures, dict):
        raise ValueError("RATE_LIMITS must be a JSON object, e.g. {\"contributions\": \"40/hour\"}")
    for name, figure in figures.items():
        if name not in Defaults.RATE_LIMITS:
            raise ValueError(f"RATE_LIMITS: unknown limit {name!r}; known: "
                             + ", ".join(Defaults.RATE_LIMITS))
        parse_many(str(figure))  # ValueError when Flask-Limiter could not read it
    return {**Defaults.RATE_LIMITS, **{name: str(figure) for name, figure in figures.items()}}


def normalise_database_url(url: str) -> str:
    """Accept the usual postgres:// forms and use the psycopg 3 driver for them."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url
