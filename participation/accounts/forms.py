"""Account forms. Messages are shown next to their field and in the error summary."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, PasswordField, RadioField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, EqualTo, InputRequired, Length, ValidationError

from ..core.forms import BaseForm
from ..core.integers import db_int
from ..organisations.services import clean_kvk
from ..core.spam import SpamCheckMixin
from .labels import KIND_LABELS
from .models import OrganisationKind
from .passwords import password_problems

AS_EXISTING, AS_NEW, AS_INDIVIDUAL = "existing", "new", "individual"


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def _email_field():
    return EmailField(
        _l("E-mail address"),
        filters=[lambda v: v.strip().lower() if isinstance(v, str) else v],
        validators=[DataRequired(_l("Enter your e-mail address.")),
                    Length(max=254, message=_l("Use at most %(max)d characters.")),
                    Email(_l("Enter an e-mail address like name@example.nl."),
                          check_deliverability=False)])


def _new_password_fields():
    password = PasswordField(_l("Password"), validators=[
        DataRequired(_l("Choose a password."))])
    confirm = PasswordField(_l("Repeat the password"), validators=[
        DataRequired(_l("Repeat the password.")),
        EqualTo("password", _l("The two passwords are not the same."))])
    return password, confirm


class OrganisationChoiceMixin:
    """Take part for an existing organisation, a new one, or as an individual.

    Only the fields of the chosen option are required; the others are ignored, so a person who
    changes their mind halfway does not get errors for fields they left behind.
    """

    participate_as = RadioField(
        _l("I take part"),
        choices=[SelectChoice(AS_EXISTING, _l("for an organisation that is already registered")),
                 SelectChoice(AS_NEW, _l("for an organisation that is not registered yet")),
                 SelectChoice(AS_INDIVIDUAL, _l("as an individual (resident)"))],
        validators=[InputRequired(_l("Choose how you take part."))])
    organisation_id = SelectField(_l("Organisation"), coerce=db_int, validate_choice=False)
    org_name = StringField(_l("Name of the organisation"), filters=[_strip])
    org_kind = RadioField(_l("Kind of organisation"),
                          choices=[SelectChoice(kind.value, label) for kind, label in KIND_LABELS.items()],
                          validate_choice=False)
    org_sector = StringField(_l("Sector"), filters=[_strip],
                             description=_l("For example: retail, logistics, care, education."))
    #: Evidence for the team or the organisation's members, who confirm that the person
    #: takes part for it (participation.organisations).
    org_role = StringField(_l("Your role or function in the organisation"), filters=[_strip],
                           description=_l("For example: owner, policy adviser, secretary."))
    org_kvk = StringField(_l("KvK number of the organisation (optional)"), filters=[_strip],
                          description=_l("The 8 digits of its registration with the Chamber of "
                                         "Commerce. It helps to confirm that you take part for "
                                         "it."))
    #: The organisation the person takes part for now (the profile form): keeping it asks
    #: for no new evidence.
    current_organisation_id: int | None = None

    def set_organisation_choices(self, organisations) -> None:
        self.organisation_id.choices = [SelectChoice(0, _l("Choose an organisation"))] + [
            SelectChoice(org.id, org.name) for org in organisations]

    def validate_organisation_id(self, field):
        if self.participate_as.data != AS_EXISTING:
            return
        if field.data not in {choice.value for choice in field.choices if choice.value}:
            raise ValidationError(_l("Choose your organisation from the list."))

    def validate_org_name(self, field):
        if self.participate_as.data != AS_NEW:
            return
        if not field.data:
            raise ValidationError(_l("Enter the name of the organisation."))
        if len(field.data) > 200:
            raise ValidationError(_l("Use at most %(max)d characters.", max=200))

    def validate_org_kind(self, field):
        if self.participate_as.data != AS_NEW:
            return
        if field.data not in {kind.value for kind in OrganisationKind}:
            raise ValidationError(_l("Choose the kind of organisation."))

    def _claims_an_organisation(self) -> bool:
        """Taking part for an organisation the person does not take part for already."""
        if self.participate_as.data == AS_NEW:
            return True
        return (self.participate_as.data == AS_EXISTING
                and self.organisation_id.data != self.current_organisation_id)

    def validate_org_role(self, field):
        if self.participate_as.data not in (AS_EXISTING, AS_NEW):
            return
        if not field.data and self._claims_an_organisation():
            raise ValidationError(_l("Enter your role or function in the organisation."))
        if len(field.data or "") > 120:
            raise ValidationError(_l("Use at most %(max)d characters.", max=120))

    def validate_org_kvk(self, field):
        if self.participate_as.data not in (AS_EXISTING, AS_NEW):
            return
        try:
            field.data = clean_kvk(field.data)
        except ValueError:
            raise ValidationError(_l("A KvK number has exactly 8 digits, like 12345678. "
                                     "Check the number, or leave the field empty.")) from None

    def validate_org_sector(self, field):
        if self.participate_as.data != AS_NEW:
            return
        if not field.data:
            raise ValidationError(_l("Enter the sector, for example retail or care."))
        if len(field.data) > 120:
            raise ValidationError(_l("Use at most %(max)d characters.", max=120))


class NameMixin:
    name = StringField(_l("Your name"), filters=[_strip], validators=[
        DataRequired(_l("Enter your name.")),
        Length(max=120, message=_l("Use at most %(max)d characters."))])


class RegisterForm(SpamCheckMixin, NameMixin, OrganisationChoiceMixin, BaseForm):
    email = _email_field()
    password, password_confirm = _new_password_fields()
    consent = BooleanField(
        _l("I agree that my details are processed as described in the privacy statement."),
        validators=[DataRequired(_l("You can only register if you agree to the privacy "
                                    "statement."))])

    def validate_password(self, field):
        problems = password_problems(field.data or "", email=self.email.data or "",
                                     name=self.name.data or "")
        if problems:
            raise ValidationError(problems[0])


class LoginForm(BaseForm):
    email = _email_field()
    password = PasswordField(_l("Password"), validators=[DataRequired(_l("Enter your password."))])
    remember = BooleanField(_l("Keep me logged in on this device"))


class EmailOnlyForm(BaseForm):
    email = _email_field()


class ForgotPasswordForm(SpamCheckMixin, EmailOnlyForm):
    """Asks for a reset link: public, and it sends mail, so it has the spam checks."""


class ResetPasswordForm(BaseForm):
    password, password_confirm = _new_password_fields()

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self._user = user

    def validate_password(self, field):
        problems = password_problems(field.data or "", email=getattr(self._user, "email", ""),
                                     name=getattr(self._user, "name", ""))
        if problems:
            raise ValidationError(problems[0])


class ChangePasswordForm(ResetPasswordForm):
    current_password = PasswordField(_l("Current password"), validators=[
        DataRequired(_l("Enter your current password."))])


class ProfileForm(NameMixin, OrganisationChoiceMixin, BaseForm):
    locale = RadioField(_l("Language of the site and of e-mails"),
                        choices=[SelectChoice("nl", "Nederlands"), SelectChoice("en", "English")],
                        validators=[InputRequired(_l("Choose a language."))])
