"""Form pieces shared by every feature."""
from __future__ import annotations

import functools
import re
import uuid

from babel.support import Translations
from flask import request
from flask_babel import get_locale, lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms.i18n import messages_path
from wtforms import HiddenField
from wtforms.validators import ValidationError

from .limiter import limited_form_message
from .sanitize import without_control_characters

_SUBMISSION_KEY = re.compile(r"^[0-9a-f]{32}$")


@functools.lru_cache(maxsize=8)
def _wtforms_translations(locale: str) -> Translations:
    return Translations.load(messages_path(), [locale], domain="wtforms")


class PageForm(FlaskForm):
    """A form on a page that may hold several forms (the header's log-out and language forms,
    a button per row): its CSRF field has no id, so no two fields share one (nothing refers to
    a token by id; the server reads it by name)."""

    class Meta(FlaskForm.Meta):
        def get_translations(self, form):
            """WTForms' own messages in the page's language, read from disk once per locale
            and process. (Flask-WTF reads and parses the .mo file again on every request
            that builds a form: every label-less field asks at construction, so each page
            with a form paid about a millisecond for it.)"""
            return _wtforms_translations(str(get_locale()))

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        token = getattr(self, "csrf_token", None)  # absent where CSRF is switched off
        if token is not None:
            token.render_kw = {**(token.render_kw or {}), "id": False}


class EmptyForm(PageForm):
    """A bare button that changes state: still a POST with a CSRF token."""


class BaseForm(PageForm):
    """Checks every form needs: the CSRF token as a message, unreadable and NUL characters,
    and a rate limit the post went over (participation.core.limiter).

    An expired or missing CSRF token is shown as a message with the text kept, not a bare 400.
    NUL bytes (which PostgreSQL cannot store) and characters the browser sent in a broken
    encoding (decoded as U+FFFD) are refused next to the field instead of saved or crashing.
    """

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if request.content_length and not request.form and not request.files:
            # Werkzeug drops a url-encoded body that is not UTF-8 as a whole.
            self.form_errors.append(_l("The form could not be read: it contained characters "
                                       "in a broken encoding. Check the text and send it again."))
            return False
        for field in self:
            data = field.data
            if not isinstance(data, str) or field.name == "csrf_token":
                continue
            # Other invisible control characters (pasted from a PDF or a terminal) go
            # silently: nobody means them, and no page may show them.
            data = field.data = without_control_characters(data, but_nul=True)
            if "\x00" in data:
                field.data = data.replace("\x00", "")
                field.errors = list(field.errors) + [_l(
                    "The text contains a character that cannot be saved (a NUL byte); it has "
                    "been removed. Check the text and send it again.")]
                valid = False
            elif "\ufffd" in data:
                field.errors = list(field.errors) + [_l(
                    "The text contains characters that could not be read. Check the text "
                    "and send it again.")]
                valid = False
        if "csrf_token" in self.errors:
            self.form_errors.append(_l(
                "This form had expired or was sent from somewhere else. Your text is kept: "
                "check it and send it again."))
        limited = limited_form_message()
        if limited:
            # Over a rate limit: the view shows the form again with the text (status 429).
            self.form_errors.append(limited)
            valid = False
        return valid


class SubmissionKeyMixin:
    """A random key per form page: a second send of the same page is recognised as such
    (participation.core.submissions.save_once)."""

    submission_key = HiddenField()

    def fresh_key(self) -> None:
        if not self.submission_key.data:
            self.submission_key.data = uuid.uuid4().hex

    def validate_submission_key(self, field):
        if not _SUBMISSION_KEY.match(field.data or ""):
            field.data = uuid.uuid4().hex
            raise ValidationError(_l("This form was incomplete. Your text is kept: send it "
                                     "again."))
