"""The team's settings of an organisation, and the bare confirm/refuse buttons."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, HiddenField, StringField
from wtforms.validators import ValidationError

from ..core.forms import BaseForm
from .services import clean_domain, clean_kvk


class DecisionForm(BaseForm):
    """Confirm or refuse: the decision is in the URL; `next` is the page to go back to."""
    next = HiddenField()


class SettingsForm(BaseForm):
    website_domain = StringField(
        _l("Domain of the website"),
        description=_l("For example vanderveen.nl. Leave empty if the organisation has no "
                       "website."))
    auto_confirm_domain = BooleanField(
        _l("Members whose e-mail domain matches the website domain are confirmed "
           "automatically"))

    kvk = StringField(
        _l("KvK number"),
        description=_l("8 digits. Someone whose login service (eHerkenning) confirms that they "
                       "act for this number is a confirmed member at once. Leave empty if you "
                       "do not know it."))

    def validate_kvk(self, field):
        try:
            field.data = clean_kvk(field.data)
        except ValueError:
            raise ValidationError(_l("Enter the KvK number as 8 digits.")) from None

    def validate_website_domain(self, field):
        try:
            field.data = clean_domain(field.data)
        except ValueError:
            raise ValidationError(_l("Enter the domain of the website, like vanderveen.nl.")) \
                from None

    def validate_auto_confirm_domain(self, field):
        if field.data and not self.website_domain.data:
            raise ValidationError(_l("Enter the domain of the website first."))
