"""Forms for deleting an account and for agreeing to the privacy statement."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, PasswordField, RadioField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired

from ..core.forms import BaseForm
from .erasure import ItemChoice


class DeleteAccountForm(BaseForm):
    items = RadioField(
        _l("What happens to what you published"),
        choices=[
            SelectChoice(ItemChoice.keep.value, _l(
                "Keep my contributions and reactions, without my name: they are shown as those "
                "of a withdrawn participant (input for an organisation stays under its name)")),
            SelectChoice(ItemChoice.remove.value, _l(
                "Remove my contributions and reactions: they disappear from the site and from "
                "the participation document (replies by others stay, under \"comment "
                "removed\")")),
        ],
        validators=[InputRequired(_l("Choose what happens to what you published."))])
    password = PasswordField(_l("Your password"), validators=[
        DataRequired(_l("Enter your password to confirm that it is you."))])


class ConsentForm(BaseForm):
    consent = BooleanField(
        _l("I agree that my details are processed as described in the privacy statement."),
        validators=[DataRequired(_l("Tick the box to agree to the privacy statement."))])
