"""Signed, expiring links for e-mail confirmation and password reset.

Nothing is stored: the link carries the user id and what must still hold for it to be valid
(the same e-mail address; the same password, so a reset link works once).
"""
from __future__ import annotations

import enum

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from ..core.extensions import db
from .models import User, password_fingerprint


class Purpose(enum.Enum):
    confirm = "confirm-email"
    reset = "reset-password"


class LinkProblem(enum.Enum):
    expired = "expired"
    invalid = "invalid"  #: tampered, for another purpose, or already used


def _serializer(purpose: Purpose) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=purpose.value)


def _claims(user: User, purpose: Purpose) -> dict:
    if purpose is Purpose.confirm:
        return {"u": user.id, "e": user.email}
    return {"u": user.id, "p": password_fingerprint(user.password_hash)}


def make_token(user: User, purpose: Purpose) -> str:
    return _serializer(purpose).dumps(_claims(user, purpose))


def _max_age(purpose: Purpose) -> int:
    key = "CONFIRM_LINK_MAX_AGE" if purpose is Purpose.confirm else "RESET_LINK_MAX_AGE"
    return current_app.config[key]


def read_token(token: str, purpose: Purpose) -> User | LinkProblem:
    """The user the link is for, or why it cannot be used."""
    try:
        claims = _serializer(purpose).loads(token, max_age=_max_age(purpose))
    except SignatureExpired:
        return LinkProblem.expired
    except BadSignature:
        return LinkProblem.invalid
    if not isinstance(claims, dict) or not isinstance(claims.get("u"), int):
        return LinkProblem.invalid
    user = db.session.get(User, claims["u"])
    if user is None or _claims(user, purpose) != claims:
        return LinkProblem.invalid
    return user
