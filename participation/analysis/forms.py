"""Forms of the team's groups and codes pages."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from ..core.conflicts import VersionField
from ..core.forms import BaseForm
from .codes import NAME_LENGTH


def _squeeze(value):
    return " ".join(value.split()) if isinstance(value, str) else value


class GroupNameForm(BaseForm):
    version = VersionField()
    label = StringField(_l("Name of the group"), filters=[_squeeze], validators=[
        DataRequired(_l("Give the group a name.")),
        Length(max=200, message=_l("Use at most %(max)d characters."))])


class SplitForm(BaseForm):
    """The selected items into a new group of the team's."""
    version = VersionField()
    new_label = StringField(_l("Name of the new group"), filters=[_squeeze], validators=[
        DataRequired(_l("Give the new group a name.")),
        Length(max=200, message=_l("Use at most %(max)d characters."))])


class CodeForm(BaseForm):
    version = VersionField()
    name = StringField(_l("Code"), filters=[_squeeze], validators=[
        DataRequired(_l("Give the code a name.")),
        Length(max=NAME_LENGTH, message=_l("Use at most %(max)d characters."))],
        description=_l("A short word the team uses, e.g. \"wonen\" or \"netcongestie\"."))
