"""Forms of the moderation workspace and the participants' flag form."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, RadioField, SelectMultipleField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length

from ..core import conflicts
from ..core.conflicts import VersionField
from ..core.forms import BaseForm
from ..core.integers import db_int
from ..core.spam import SpamCheckMixin
from .labels import DISPOSITION_LABELS, FLAG_LABELS


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class ReasonForm(BaseForm):
    reason = TextAreaField(_l("Reason"), filters=[_strip], validators=[
        DataRequired(_l("Give a reason; it is kept in the audit trail (and mailed to the author "
                        "when you reject).")),
        Length(max=2000, message=_l("Use at most %(max)d characters."))])


class ResponseForm(BaseForm):
    #: The version of the response the form was made from; 0: none yet (participation.core.conflicts).
    version = VersionField()
    disposition = RadioField(_l("What the municipality does with it"),
                             choices=[SelectChoice(k, v) for k, v in DISPOSITION_LABELS.items()],
                             validators=[InputRequired(_l("Choose what the municipality does "
                                                          "with it."))])
    body = TextAreaField(_l("Response"), validators=[
        DataRequired(_l("Write the response; say why, especially when it is not adopted.")),
        Length(max=10_000, message=_l("Use at most %(max)d characters."))])
    sections = SelectMultipleField(_l("Taken up in section(s) of the draft"), coerce=db_int,
                                   validate_choice=False,
                                   description=_l("Optional. Hold Ctrl (or Cmd) to choose more "
                                                  "than one."))


class BulkResponseForm(ResponseForm):
    """One response for many items (moderation.services.save_responses). No version of its
    own: the page carries each item's response version beside the item."""
    version = None
    replace_existing = BooleanField(_l("Also replace the responses these items already have"))


def response_conflict(form, response) -> conflicts.Conflict:
    """Another team member saved a response to this item after `form` was made: what they
    saved, beside the text `form` keeps. `response` None: it was removed meanwhile."""
    if response is None:
        return conflicts.answer(form, 0, [])
    return conflicts.answer(form, response.version, [
        (_l("What the municipality does with it"), DISPOSITION_LABELS[response.disposition.value]),
        (_l("Response"), response.body_md)], saved_at=response.updated_at)


class TemplateForm(BaseForm):
    title = StringField(_l("Name of the template"), filters=[_strip], validators=[
        DataRequired(_l("Give the template a name.")),
        Length(max=200, message=_l("Use at most %(max)d characters."))])
    disposition = RadioField(_l("Disposition"),
                             choices=[SelectChoice(k, v) for k, v in DISPOSITION_LABELS.items()],
                             validators=[InputRequired(_l("Choose a disposition."))])
    body = TextAreaField(_l("Text"), validators=[
        DataRequired(_l("Write the text of the template.")),
        Length(max=10_000, message=_l("Use at most %(max)d characters."))])
    #: The version of the template the form was made from (participation.core.conflicts); not
    #: rendered for a new template.
    version = VersionField()


class FlagForm(SpamCheckMixin, BaseForm):
    reason = RadioField(_l("What is wrong with it?"),
                        choices=[SelectChoice(k, v) for k, v in FLAG_LABELS.items()],
                        validators=[InputRequired(_l("Choose what is wrong with it."))])
    note = TextAreaField(_l("Explain (optional)"), filters=[_strip], validators=[
        Length(max=1000, message=_l("Use at most %(max)d characters."))])
