"""Password rules and hashing.

Hashing is Werkzeug's scrypt (a memory-hard KDF). The common-password list is Django's
(BSD licence, 20,000 passwords from breaches), shipped in data/.
"""
from __future__ import annotations

import gzip
import secrets
from functools import cache
from importlib import resources

from flask import current_app
from flask_babel import lazy_gettext as _l
from werkzeug.security import check_password_hash, generate_password_hash

MAX_LENGTH = 200  # scrypt of a megabyte "password" is a cheap denial of service otherwise

#: Werkzeug's scrypt, its parameters written out (n=2^15, r=8, p=1: about 100 ms and 32 MiB on
#: the CI machine). Every hash and the stand-in hash below are made with it, so checking a
#: password costs the same whether or not there is an account behind it.
METHOD = "scrypt:32768:8:1"



def stand_in_hash(method: str = METHOD) -> str:
    """Checked against when no account matches, so a wrong e-mail costs as long as a wrong
    password. Made when the app starts (`prepare`), not on first use: a first use twice as
    slow would tell."""
    # Through a cache keyed by the method alone: @cache on this function would keep
    # stand_in_hash() and stand_in_hash(METHOD) apart and make the first of them on first use.
    return _stand_in_hash(method)


@cache
def _stand_in_hash(method: str) -> str:
    return generate_password_hash(secrets.token_urlsafe(16), method=method)


def _method() -> str:
    """METHOD; the test suite sets PASSWORD_HASH_METHOD to a cheap one (its thousands of
    made-up accounts would cost minutes of scrypt), except where the work itself is tested."""
    return current_app.config.get("PASSWORD_HASH_METHOD") or METHOD


def prepare(method: str) -> None:
    stand_in_hash(method)


@cache
def common_passwords() -> frozenset[str]:
    data = resources.files(__package__).joinpath("data/common-passwords.txt.gz").read_bytes()
    return frozenset(line.strip() for line in gzip.decompress(data).decode().splitlines())


def password_problems(password: str, *, email: str = "", name: str = "") -> list:
    """What is wrong with a new password, as messages for the person; empty when it is fine."""
    problems = []
    minimum = current_app.config["PASSWORD_MIN_LENGTH"]
    if len(password) < minimum:
        problems.append(_l("Use at least %(n)d characters.", n=minimum))
    elif len(password) > MAX_LENGTH:
        problems.append(_l("Use at most %(n)d characters.", n=MAX_LENGTH))
    lowered = password.lower()
    if lowered in common_passwords() or lowered.strip("0123456789!") in common_passwords():
        problems.append(_l("This password is too common; choose one that is harder to guess."))
    elif email and lowered in {email.lower(), email.lower().split("@")[0]}:
        problems.append(_l("Do not use your e-mail address as your password."))
    elif name and lowered == name.lower():
        problems.append(_l("Do not use your name as your password."))
    return problems


def hash_password(password: str) -> str:
    return generate_password_hash(password, method=_method())


def verify_password(password_hash: str | None, password: str) -> bool:
    """Is `password` the one `password_hash` was made from? None (no account) costs the same."""
    if len(password) > MAX_LENGTH:
        return False
    return check_password_hash(password_hash or stand_in_hash(_method()), password) \
        and password_hash is not None


def spend_one_hash() -> None:
    """Do the work of one password check and drop the answer: for a path that must take as long
    as its twin for another address (see accounts.services.request_password_reset)."""
    check_password_hash(stand_in_hash(_method()), "")
