"""The words for the kinds of invitation, in one place for the forms and the audit trail.
Lazy: each is translated where it is shown."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms.fields.choices import SelectChoice

KIND_CHOICES = [SelectChoice("read_along", _l("Read along: read the draft and react in round 2")),
                SelectChoice("full", _l("Full participation: both rounds"))]
