"""Forms for input on a theme, and for input the team records on someone's behalf."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import BooleanField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, ValidationError

from ..core.conflicts import VersionField
from ..core.forms import BaseForm, SubmissionKeyMixin
from ..core.integers import db_int, db_int_or_blank
from ..core.spam import SpamCheckMixin

TITLE_MAX = 200
BODY_MAX = 20_000


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class ContributionForm(SpamCheckMixin, SubmissionKeyMixin, BaseForm):
    theme_id = SelectField(_l("Theme"), coerce=db_int_or_blank, validate_choice=False)
    title = StringField(_l("Title"), filters=[_strip], validators=[
        DataRequired(_l("Give your input a title.")),
        Length(max=TITLE_MAX, message=_l("Use at most %(max)d characters."))],
        description=_l("One line that says what your input is about."))
    body = TextAreaField(_l("Your input"), validators=[
        DataRequired(_l("Write your input.")),
        Length(max=BODY_MAX, message=_l("Use at most %(max)d characters."))],
        description=_l("You can use Markdown: an empty line starts a new paragraph, - starts a "
                       "list item, *word* is emphasis and [text](https://…) is a link."))
    paper = FileField(_l("Position paper (PDF, optional)"),
                      description=_l("A PDF of at most 10 MB."))
    remove_paper = BooleanField(_l("Remove the position paper"))

    def set_theme_choices(self, themes) -> None:
        # The placeholder has an empty value, so the browser and the checker know it is none.
        self.theme_id.choices = [SelectChoice("", _l("Choose a theme"))] + [
            SelectChoice(theme.id, theme.title) for theme in themes]

    def validate_theme_id(self, field):
        if field.data not in {choice.value for choice in field.choices if choice.value}:
            raise ValidationError(_l("Choose a theme from the list."))

    def validate_body(self, field):
        if field.data and not field.data.strip():
            raise ValidationError(_l("Write your input."))


class EditContributionForm(ContributionForm):
    #: The version of the input the form was made from (participation.core.conflicts).
    version = VersionField()


class OfflineContributionForm(ContributionForm):
    organisation_id = SelectField(_l("On behalf of"), coerce=db_int, validate_choice=False)
    individual_name = StringField(_l("Name of the person"), filters=[_strip], validators=[
        Length(max=200, message=_l("Use at most %(max)d characters."))],
        description=_l("Only when the input comes from a person without an organisation; "
                       "residents are not named in the public document."))
    source = StringField(_l("How the input reached the team"), filters=[_strip], validators=[
        DataRequired(_l("Say how the input reached the team, for example 'e-mail of 3 March'.")),
        Length(max=300, message=_l("Use at most %(max)d characters."))],
        description=_l("For example: e-mail of 3 March, or the business breakfast of 12 March."))

    def set_organisation_choices(self, organisations) -> None:
        self.organisation_id.choices = [SelectChoice(0, _l("A person without organisation"))] + [
            SelectChoice(org.id, org.name) for org in organisations]

    def validate_organisation_id(self, field):
        if field.data not in {choice.value for choice in field.choices}:
            raise ValidationError(_l("Choose an organisation from the list."))

    def validate_individual_name(self, field):
        if self.organisation_id.data == 0 and not field.data:
            raise ValidationError(_l("Enter the name of the person, or choose an organisation."))


class ImportForm(BaseForm):
    """A spreadsheet of offline input; the preview comes first (importing.plan_import)."""
    file = FileField(_l("Spreadsheet (CSV or XLSX)"), description=_l(
        "Line 1 holds the column names: organisation, kind of organisation, theme, title, "
        "text, date received (in Dutch or English). One row per contribution; leave the "
        "organisation empty for a resident. At most 5 MB and 5,000 rows."))
    source = StringField(_l("How the input reached the team"), filters=[_strip], validators=[
        DataRequired(_l("Say how the input reached the team, for example 'workshop of 12 "
                        "November'.")),
        Length(max=200, message=_l("Use at most %(max)d characters."))],
        description=_l("For example: workshop of 12 November. Each contribution carries it, "
                       "with the file's name and its line."))


class ConfirmImportForm(BaseForm):
    #: Signed: the previewed file's hash, who previewed it, for which process (core.held).
    token = HiddenField()
