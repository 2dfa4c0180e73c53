"""Form pieces shared by every feature."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm


class EmptyForm(FlaskForm):
    """A bare button that changes state: still a POST with a CSRF token."""


class BaseForm(FlaskForm):
    """A form whose expired or missing CSRF token is shown as a message, not a bare 400."""

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if "csrf_token" in self.errors:
            self.form_errors.append(_l(
                "This form had expired or was sent from somewhere else. Your text is kept: "
                "check it and send it again."))
        return valid
