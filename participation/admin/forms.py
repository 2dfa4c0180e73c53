"""Forms for roles, processes and rounds. Moments are typed in Amsterdam time, kept in UTC."""
from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields import Field
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf, DataRequired, InputRequired, Length, Regexp, ValidationError
from wtforms.widgets import DateTimeLocalInput

from ..accounts.login_limits import BY_NAME as LOGIN_LIMITS
from ..core.roles import Role
from ..core.conflicts import VersionField
from ..core.forms import BaseForm
from ..core.timeutil import NonexistentLocalTime, amsterdam_to_utc, utc_to_amsterdam
from .labels import AUDIENCE_CHOICES, MODERATION_CHOICES, ROLE_LABELS
from .services import slug_taken

#: Lowercase letters and digits in groups joined by single hyphens: "economic-agenda-2026".
SLUG_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"
_LOCAL_FORMATS = ("%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S")
_TOO_LONG = _l("Use at most %(max)d characters.")
SLUG_TAKEN = _l("Another process already uses this web address. Choose another one.")


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def _slug(value):
    return value.strip().lower() if isinstance(value, str) else value


def _one_of(choices, message):
    return [InputRequired(message), AnyOf([c.value for c in choices], message=message)]


class RoleForm(BaseForm):
    role = SelectField(_l("Role"), validate_choice=False, choices=[
        SelectChoice(role.value, label) for role, label in ROLE_LABELS.items()])
    #: The role the page showed: another admin may have changed it since (admin.services).
    role_was = HiddenField()

    def validate_role(self, field):
        if field.data not in Role._value2member_map_:
            raise ValidationError(_l("Choose one of the roles."))


class LiftLockForm(BaseForm):
    """The "Lift" button of one login lock: which counter, and whose."""
    limit = HiddenField(validators=[AnyOf(list(LOGIN_LIMITS))])
    #: "user:12", "email:<hash>" or "addr:192.0.2.1", as participation.accounts.login_limits
    #: writes them.
    subject = HiddenField(validators=[DataRequired(), Length(max=200),
                                      Regexp(r"^(user|email|addr):[0-9A-Za-z.:_-]+$")])


class AmsterdamMomentField(Field):
    """A date and time typed as Europe/Amsterdam wall-clock time; `data` is naive UTC.

    One `datetime-local` input: the browser shows its own date and time picker, and the typed
    text comes back unchanged when the form has to be corrected.
    """

    widget = DateTimeLocalInput()

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        if self.data:
            return utc_to_amsterdam(self.data).strftime("%Y-%m-%dT%H:%M")
        return ""

    def process_formdata(self, valuelist):
        text = (valuelist[0] if valuelist else "").strip()
        self.data = None
        if not text:
            return
        for fmt in _LOCAL_FORMATS:
            try:
                local = datetime.strptime(text, fmt)
                break
            except ValueError:
                continue
        else:
            raise ValueError(_l("Enter a date and a time, for example 2 March 2026 at 09:00."))
        try:
            self.data = amsterdam_to_utc(local)
        except NonexistentLocalTime:
            raise ValueError(_l("This time does not exist in the Netherlands: the clocks go "
                                "forward an hour that night. Choose another time.")) from None


def _moment(label, *validators):
    return AmsterdamMomentField(label, description=_l("Dutch time (Amsterdam)."), validators=[
        InputRequired(_l("Enter a date and a time.")), *validators])


def _closes_after(opens_name: str):
    def check(form, field):
        opens = form[opens_name].data
        if opens and field.data and field.data <= opens:
            raise ValidationError(_l("The closing time must be after the opening time."))
    return check


VISIBILITY_CHOICES = [
    SelectChoice("public", _l("Public: everyone can see the process")),
    SelectChoice("invite", _l("By invitation: only invited people and the team can see it")),
]


class ProcessForm(BaseForm):
    """What the team edits of a process; its address (slug) is fixed once it exists."""

    title = StringField(_l("Title"), filters=[_strip], validators=[
        DataRequired(_l("Give the process a title.")), Length(max=200, message=_TOO_LONG)])
    summary = TextAreaField(_l("Summary"), filters=[_strip], validators=[
        DataRequired(_l("Write a short summary.")), Length(max=500, message=_TOO_LONG)],
        description=_l("One or two sentences, shown on the home page."))
    intro_md = TextAreaField(_l("Introduction"), filters=[_strip], validators=[
        Length(max=20000, message=_TOO_LONG)],
        description=_l("Shown on the process page. You can use Markdown: *emphasis*, "
                       "**bold**, lists with - and links."))
    contact = StringField(_l("Contact"), filters=[_strip], validators=[
        Length(max=300, message=_TOO_LONG)],
        description=_l("Who people can turn to, for example the project team's e-mail "
                       "address and phone number."))
    visibility = RadioField(_l("Who can see the process"), choices=VISIBILITY_CHOICES,
                            default="public", validate_choice=False,
                            validators=_one_of(VISIBILITY_CHOICES,
                                               _l("Choose who can see the process.")))
    #: The version of the process the form was made from (participation.core.conflicts); not
    #: rendered for a new process.
    version = VersionField()


class NewProcessForm(ProcessForm):
    slug = StringField(_l("Web address"), filters=[_slug], validators=[
        DataRequired(_l("Choose a web address.")), Length(max=80, message=_TOO_LONG),
        Regexp(SLUG_PATTERN, message=_l("Use only lowercase letters, digits and hyphens, for "
                                        "example economic-agenda-2026."))],
        description=_l("The last part of the process's address, /p/…; it cannot be changed "
                       "later. Lowercase letters, digits and hyphens."))
    input_opens = _moment(_l("Round 1 opens"))
    input_closes = _moment(_l("Round 1 closes"), _closes_after("input_opens"))
    feedback_opens = _moment(_l("Round 2 opens"))
    feedback_closes = _moment(_l("Round 2 closes"), _closes_after("feedback_opens"))

    def validate_slug(self, field):
        if not field.errors and slug_taken(field.data):  # only a well-formed address is looked up
            raise ValidationError(SLUG_TAKEN)


class RoundForm(BaseForm):
    opens_at = _moment(_l("Opens"))
    closes_at = _moment(_l("Closes"), _closes_after("opens_at"))
    moderation = RadioField(_l("Moderation"), choices=MODERATION_CHOICES, validate_choice=False,
                            validators=_one_of(MODERATION_CHOICES,
                                               _l("Choose when the team moderates.")))
    audience = RadioField(_l("Who can take part"), choices=AUDIENCE_CHOICES,
                          validate_choice=False,
                          validators=_one_of(AUDIENCE_CHOICES,
                                             _l("Choose who can take part.")))
    #: The version of the round the form was made from (participation.core.conflicts).
    version = VersionField()
