"""The rating form: one class and one template include (ratings/_form.html), so any page that
asks for a rating (the process page, after a contribution, the member check) shows the same."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import RadioField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf, InputRequired, Length

from ..core.forms import BaseForm
from .models import HIGHEST, LOWEST

REMARK_LIMIT = 2000
SCORES = [str(n) for n in range(LOWEST, HIGHEST + 1)]
_CHOOSE = _l("Choose a score from 1 to 10.")


class RatingForm(BaseForm):
    score = RadioField(_l("Your score, from 1 (very poor) to 10 (excellent)"),
                       choices=[SelectChoice(n, n) for n in SCORES], validate_choice=False,
                       validators=[InputRequired(_CHOOSE), AnyOf(SCORES, message=_CHOOSE)])
    remark = TextAreaField(_l("Remark (optional)"),
                           validators=[Length(max=REMARK_LIMIT, message=_l(
                               "At most %(max)d characters."))])
