"""The comment and reply form."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import RadioField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from ..core.conflicts import VersionField
from ..core.forms import BaseForm, SubmissionKeyMixin
from ..moderation.labels import DISPOSITION_LABELS
from ..core.spam import SpamCheckMixin

BODY_MAX = 10_000


class CommentForm(SpamCheckMixin, SubmissionKeyMixin, BaseForm):
    body = TextAreaField(_l("Your reaction"), validators=[
        DataRequired(_l("Write your reaction.")),
        Length(max=BODY_MAX, message=_l("Use at most %(max)d characters."))],
        description=_l("You can use Markdown: *word* for emphasis, - for a list, "
                       "[text](https://…) for a link."))

    def validate_body(self, field):
        if field.data and not field.data.strip():
            raise ValidationError(_l("Write your reaction."))


class EditCommentForm(CommentForm):
    #: The version of the comment the form was made from (participation.core.conflicts).
    version = VersionField()


class TeamReplyForm(CommentForm):
    """A moderator's reply: a reply in the discussion, or the municipality's response to the
    comment (with a disposition), which the participation document then prints as such."""
    #: The version of the published response the page showed; 0: none (participation.core.conflicts).
    version = VersionField()
    answer_as = RadioField(_l("What is this answer?"), default="reply", choices=[
        SelectChoice("reply", _l("A reply in the discussion")),
        SelectChoice("response", _l("The municipality's response to this reaction"))],
        validators=[InputRequired(_l("Choose what this answer is."))])
    disposition = RadioField(_l("What the municipality does with it"),
                             choices=[SelectChoice(k, v) for k, v in DISPOSITION_LABELS.items()],
                             validators=[Optional()])

    def validate(self, extra_validators=None) -> bool:
        # Not a validate_disposition method: Optional() stops the chain before it would run.
        valid = super().validate(extra_validators)
        if self.answer_as.data == "response" and not self.disposition.data:
            self.disposition.errors = [_l("Choose what the municipality does with it.")]
            return False
        return valid
