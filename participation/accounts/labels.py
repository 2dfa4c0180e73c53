"""The words for the kinds of organisation, in one place for forms, pages and the audit trail.
Lazy: each is translated where it is shown."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from .models import OrganisationKind

KIND_LABELS = {
    OrganisationKind.business: _l("Business"),
    OrganisationKind.education: _l("Education or knowledge institution"),
    OrganisationKind.government: _l("Government"),
    OrganisationKind.civil_society: _l("Civil-society organisation"),
    OrganisationKind.other: _l("Other"),
}
