"""Forms to invite people, import a CSV, and accept an invitation."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import BooleanField, EmailField, PasswordField, RadioField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, InputRequired, Length, ValidationError

from ..accounts.passwords import password_problems
from ..core.forms import BaseForm
from .labels import KIND_CHOICES


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class InviteForm(BaseForm):
    name = StringField(_l("Name"), filters=[_strip], validators=[
        DataRequired(_l("Enter the name.")), Length(max=120, message=_l(
            "Use at most %(max)d characters."))])
    email = EmailField(_l("E-mail address"), filters=[
        lambda v: v.strip().lower() if isinstance(v, str) else v], validators=[
        DataRequired(_l("Enter the e-mail address.")),
        Length(max=254, message=_l("Use at most %(max)d characters.")),
        Email(_l("Enter an e-mail address like name@example.nl."), check_deliverability=False)])
    organisation = StringField(_l("Organisation (optional)"), filters=[_strip], validators=[
        Length(max=200, message=_l("Use at most %(max)d characters."))])
    kind = RadioField(_l("Invite for"), choices=KIND_CHOICES, default="read_along",
                      validators=[InputRequired(_l("Choose what the invitation is for."))])


class CsvImportForm(BaseForm):
    """Shown on one page with InviteForm: its fields have ids of their own (the names stay), so
    each label works its own form's field."""

    file = FileField(_l("CSV file"), id="csv-file", description=_l(
        "One person per row: name, e-mail address, organisation (optional). A first row with "
        "the column names is allowed."))
    kind = RadioField(_l("Invite for"), choices=KIND_CHOICES, default="read_along",
                      id="csv-kind",
                      validators=[InputRequired(_l("Choose what the invitation is for."))])


class AcceptForm(BaseForm):
    name = StringField(_l("Your name"), filters=[_strip], validators=[
        DataRequired(_l("Enter your name.")),
        Length(max=120, message=_l("Use at most %(max)d characters."))])
    password = PasswordField(_l("Choose a password"), validators=[
        DataRequired(_l("Choose a password."))])
    password_confirm = PasswordField(_l("Repeat the password"), validators=[
        DataRequired(_l("Repeat the password.")),
        EqualTo("password", _l("The two passwords are not the same."))])
    consent = BooleanField(
        _l("I agree that my details are processed as described in the privacy statement."),
        validators=[DataRequired(_l("You can only take part if you agree to the privacy "
                                    "statement."))])

    def __init__(self, *args, email: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self._email = email

    def validate_password(self, field):
        problems = password_problems(field.data or "", email=self._email,
                                     name=self.name.data or "")
        if problems:
            raise ValidationError(problems[0])
