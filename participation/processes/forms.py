"""The team's theme form."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from ..core.conflicts import VersionField
from ..core.forms import BaseForm


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class ThemeForm(BaseForm):
    title = StringField(_l("Title"), filters=[_strip], validators=[
        DataRequired(_l("Give the theme a title.")),
        Length(max=200, message=_l("Use at most %(max)d characters."))])
    description = TextAreaField(_l("Description"), filters=[_strip], validators=[
        Length(max=1000, message=_l("Use at most %(max)d characters."))],
        description=_l("One or two sentences that help people decide what to write here."))
    #: The version of the theme the form was made from (participation.core.conflicts); not rendered
    #: for a new theme.
    version = VersionField()
