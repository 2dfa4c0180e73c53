"""The words for roles and for a round's settings, in one place for the admin's forms and pages,
the privacy page and the audit trail. Lazy: each is translated where it is shown."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms.fields.choices import SelectChoice

from ..core.roles import Role
from ..processes.models import Audience, ModerationMode

ROLE_LABELS = {
    Role.participant: _l("Participant"),
    Role.moderator: _l("Moderator"),
    Role.staff: _l("Staff"),
    Role.admin: _l("Admin"),
}

MODERATION_CHOICES = [
    SelectChoice(ModerationMode.post.value,
                 _l("Afterwards: input is published at once; the team can hide it later")),
    SelectChoice(ModerationMode.pre.value,
                 _l("Beforehand: input waits until the team has approved it")),
]
AUDIENCE_CHOICES = [
    SelectChoice(Audience.registered.value, _l("Everyone with a confirmed account")),
    SelectChoice(Audience.invited.value,
                 _l("Invited stakeholders and those who took part in round 1")),
]
