"""Spam checks for the public forms: a honeypot field and a minimum time to fill in the form.

Bots fill in every field and post at once; people never see the honeypot and take seconds.
A refused form says only that it was not sent and keeps the text, never why: a bot learns
nothing, and a person who was unlucky (an autofill, a very quick click) just sends it again.
"""
from __future__ import annotations

import time

from flask import current_app
from flask_babel import lazy_gettext as _l
from itsdangerous import BadData, URLSafeSerializer
from wtforms import HiddenField, StringField

#: The seconds used when SPAM_MIN_SECONDS is not set (outside tests).
DEFAULT_MIN_SECONDS = 3.0
_SALT = "participation.form-started"

NOT_SENT = _l("This form was not sent. Your text is kept: check it and send it again.")


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=_SALT)


def started_token() -> str:
    """The moment the form was shown, signed with the app's secret: it cannot be forged or
    moved. (Not itsdangerous's own timestamp, which counts in whole seconds.)"""
    return _serializer().dumps(round(time.time(), 3))


def seconds_since(token: str) -> float | None:
    """Seconds since `token` was made, or None when it is not one of ours."""
    try:
        started = _serializer().loads(token)
    except BadData:
        return None
    if not isinstance(started, (int, float)) or isinstance(started, bool):
        return None
    return time.time() - started


def min_seconds() -> float:
    value = current_app.config.get("SPAM_MIN_SECONDS")
    if value is None:
        # The tests post forms the moment they load them; tests of this check set a value.
        return 0.0 if current_app.testing else DEFAULT_MIN_SECONDS
    return float(value)


class SpamCheckMixin:
    """For public forms: render both fields with the `spam_trap` macro (macros/form.html).

    A form without the fields (an old page, a test post) has an empty honeypot, which is fine,
    and no start time, which is refused only when a minimum time is set.
    """

    website = StringField(_l("Leave this field empty"))
    form_started = HiddenField(default=started_token)

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if self.looks_automated():
            self.form_errors.append(NOT_SENT)
            self.website.data = ""
            return False
        return valid

    def looks_automated(self) -> bool:
        if (self.website.data or "").strip():
            return True
        needed = min_seconds()
        if needed <= 0:
            return False
        elapsed = seconds_since(self.form_started.data or "") if self.form_started.raw_data else None
        if elapsed is None:
            # Missing or forged: a fresh start time, so a person can send the form again.
            self.form_started.data = started_token()
            return True
        # The kept start time lets the next send through: the person has waited by then.
        return elapsed < needed
