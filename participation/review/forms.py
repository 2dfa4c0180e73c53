"""Forms of the member check: the team opens the window and answers; a participant replies."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, RadioField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, ValidationError

from ..admin.forms import AmsterdamMomentField
from ..core.conflicts import VersionField
from ..core.forms import BaseForm
from .services import MAX_TEXT


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def _closes_after_opens(form, field):
    if form.opens_at.data and field.data and field.data <= form.opens_at.data:
        raise ValidationError(_l("The closing time must be after the opening time."))


class OpenCheckForm(BaseForm):
    opens_at = AmsterdamMomentField(_l("Opens"), description=_l("Dutch time (Amsterdam). The "
                                                                "e-mails go out at this time."),
                                    validators=[InputRequired(_l("Enter a date and a time."))])
    closes_at = AmsterdamMomentField(_l("Closes"), description=_l(
        "Dutch time (Amsterdam). The links stop working then; a reminder goes out a few days "
        "before to those who have not replied."),
        validators=[InputRequired(_l("Enter a date and a time.")), _closes_after_opens])
    #: Asked only when items are still unanswered: the team opens the window knowingly.
    despite_unanswered = BooleanField(_l("Open the check anyway, with these items unanswered"))


class ReplyForm(BaseForm):
    """A participant's reply to one item, or to their whole part (one form per item on the
    page, each with its own prefix, so that ids stay unique)."""
    version = VersionField()
    verdict = RadioField(_l("Is this how you meant it?"), choices=[
        SelectChoice("confirmed", _l("Yes, this is correct")),
        SelectChoice("reaction", _l("I have a correction or a reaction"))],
        validators=[InputRequired(_l("Choose whether it is correct or you have a reaction."))])
    body = TextAreaField(_l("Your correction or reaction"), filters=[_strip], validators=[
        Length(max=MAX_TEXT, message=_l("Use at most %(max)d characters."))],
        description=_l("Only needed when you have a correction or a reaction."))

    def validate_body(self, field):
        if self.verdict.data == "reaction" and not field.data:
            raise ValidationError(_l("Write your correction or reaction, or choose that it is "
                                     "correct."))


class AnswerForm(BaseForm):
    version = VersionField()
    answer = TextAreaField(_l("The municipality's answer"), filters=[_strip], validators=[
        InputRequired(_l("Write the answer; it is printed with the reaction in the document.")),
        Length(max=MAX_TEXT, message=_l("Use at most %(max)d characters."))])
