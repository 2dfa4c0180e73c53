"""The comment and reply form."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import TextAreaField
from wtforms.validators import DataRequired, Length, ValidationError

from ..forms import BaseForm, SubmissionKeyMixin
from ..spam import SpamCheckMixin

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
