"""The limits on logging in: failed attempts per account and per address, logins per address.

A room full of people behind one address (a participation evening, an office) must all get in,
and a guesser must not get far. So three counters, their figures in RATE_LIMITS:

- wrong passwords per account (`failed_login_per_account`): nobody guesses one password;
- wrong passwords per address (`failed_login_per_address`): one address cannot try account
  after account;
- successful logins per address (`login_per_address`), high enough for a room.

The login view checks all three before it checks the password (`LoginAttempt.refusal`) and
counts a wrong password only as a failure, a right one only as a login (Indico's pattern). The
team sees the full counters and lifts them (participation.admin); a new password chosen through
the reset link lifts the account's lock too.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from ..core.limiter import CountedAction, client_address, wait_text
from .models import User

FAILED_PER_ACCOUNT = CountedAction("failed_login_per_account")
FAILED_PER_ADDRESS = CountedAction("failed_login_per_address")
PER_ADDRESS = CountedAction("login_per_address")
#: Logins through a provider (participation.oidc) that failed, per address: a wrong state, a
#: code or ID token refused. Someone trying answers is stopped as a guesser of passwords is.
FAILED_PROVIDER_PER_ADDRESS = CountedAction("failed_oidc_login_per_address")
#: What the team sees and lifts, in this order.
LOGIN_LIMITS = (FAILED_PER_ACCOUNT, FAILED_PER_ADDRESS, PER_ADDRESS, FAILED_PROVIDER_PER_ADDRESS)
BY_NAME = {limit.name: limit for limit in LOGIN_LIMITS}

#: What each counts, for the team.
LABELS = {
    FAILED_PER_ACCOUNT.name: _l("Wrong passwords for one account"),
    FAILED_PER_ADDRESS.name: _l("Wrong passwords from one address, for any account"),
    PER_ADDRESS.name: _l("Logins from one address"),
    FAILED_PROVIDER_PER_ADDRESS.name: _l("Failed logins through another service from one "
                                         "address"),
}

#: What the person reads on the login form, with the wait.
REFUSALS = {
    FAILED_PER_ACCOUNT.name: _l(
        "Someone has typed a wrong password for this account too many times in a short "
        "time, so it is locked for now. Wait %(wait)s and try again, or choose a new password "
        "with “Forgot your password?”: that lifts the lock at once."),
    FAILED_PER_ADDRESS.name: _l(
        "Too many wrong passwords have been typed from your network in a short time. Wait "
        "%(wait)s and try again. If many people log in here together, the project team can "
        "lift this limit."),
    PER_ADDRESS.name: _l(
        "Very many people have logged in from your network in the past hour. Wait %(wait)s "
        "and try again, or ask the project team to lift this limit."),
    FAILED_PROVIDER_PER_ADDRESS.name: _l(
        "Very many logins have come from your network in a short time. Wait %(wait)s and try "
        "again. If many people log in here together, the project team can lift this limit."),
}


def account_subject(email: str, user: User | None) -> str:
    """Whose failures: the account, or for an address without one its hash (no e-mail address
    is stored in Redis). Both are limited alike, so the limit does not tell which exists."""
    if user is not None:
        return f"user:{user.id}"
    typed = email.strip().lower()
    return "email:" + hashlib.sha256(typed.encode()).hexdigest()[:32]


@dataclass(frozen=True)
class Refusal:
    limit: str
    wait: int

    @property
    def message(self) -> str:
        return str(REFUSALS[self.limit]) % {"wait": wait_text(self.wait)}


@dataclass(frozen=True)
class LoginAttempt:
    account: str
    address: str

    @classmethod
    def of(cls, email: str, user: User | None) -> LoginAttempt:
        return cls(account_subject(email, user), client_address())

    def _counters(self):
        return ((FAILED_PER_ACCOUNT, self.account), (FAILED_PER_ADDRESS, self.address),
                (PER_ADDRESS, self.address))

    def refusal(self) -> Refusal | None:
        """The limit this attempt is over (the one with the longest wait), or None. Counts
        nothing, and is asked before the password is checked."""
        over = [Refusal(limit.name, max(1, limit.wait_seconds(subject)))
                for limit, subject in self._counters() if not limit.allows(subject)]
        return max(over, key=lambda refusal: refusal.wait) if over else None

    def failed(self) -> None:
        """A wrong password (or an unknown address): counted for the account and the address."""
        FAILED_PER_ACCOUNT.hit(self.account)
        FAILED_PER_ADDRESS.hit(self.address)

    def succeeded(self) -> None:
        """The right password: a login from this address; the account's failures are forgotten.
        (The address's failures are not: a guesser with an account of their own could reset
        them between guesses.)"""
        PER_ADDRESS.hit(self.address)
        FAILED_PER_ACCOUNT.clear(self.account)


def lift_account_lock(user: User) -> None:
    """The person proved they own the account (a new password through the reset link)."""
    FAILED_PER_ACCOUNT.clear(account_subject(user.email, user))
