"""Who may see a process and who may write in its rounds now, with the reason when not.

Write rules return a Refusal (why not, in words for the person) or None; the server checks
them on every write, whatever the page showed. The rules for changing one's own item build on
`round_write_refusal` (participation.contributions.rules, participation.comments.rules).
"""
from __future__ import annotations

import enum

import sqlalchemy as sa
from flask_babel import format_datetime
from flask_babel import lazy_gettext as _l

from ..accounts.models import User
from ..contributions.models import Contribution
from ..core.extensions import db
from ..core.i18n import DATETIME_FORMAT
from ..core.mixins import ModerationState
from ..core.roles import is_team
from ..core.timeutil import utcnow
from ..privacy.rules import needs_consent
from .models import Audience, Process, ProcessMember, Round, RoundKind, RoundState


def member_source(user: User, process: Process) -> str | None:
    """How the user joined the process ("read_along", "full", "team"), or None."""
    if not getattr(user, "is_authenticated", False):
        return None
    return db.session.scalar(sa.select(ProcessMember.source).where(
        ProcessMember.process_id == process.id, ProcessMember.user_id == user.id))


def is_member(user: User, process: Process) -> bool:
    return member_source(user, process) is not None


def _input_given(user_id, process_id) -> sa.Exists:
    return sa.exists(
        sa.select(Contribution.id).join(Round, Contribution.round_id == Round.id).where(
            Round.process_id == process_id, Round.kind == RoundKind.input,
            Contribution.author_id == user_id,
            Contribution.state.in_([ModerationState.pending, ModerationState.published])))


# Made once with the user and the process as parameters: every post asks, and building and
# hashing the statement cost more than running it.
_USER = sa.bindparam("user_id", type_=sa.Integer)
_PROCESS = sa.bindparam("process_id", type_=sa.Integer)
_INPUT_GIVEN = sa.select(_input_given(_USER, _PROCESS))
_ADMISSION = sa.select(
    sa.select(ProcessMember.source)
    .where(ProcessMember.process_id == _PROCESS, ProcessMember.user_id == _USER)
    .scalar_subquery(),
    _input_given(_USER, _PROCESS))


def took_part_in_input_round(user: User, process: Process) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return bool(db.session.scalar(_INPUT_GIVEN, {"user_id": user.id, "process_id": process.id}))


def _admission(user: User, process: Process) -> tuple[str | None, bool]:
    """member_source and took_part_in_input_round in one statement: a round for invited
    stakeholders asks both for every post, and on PostgreSQL each statement is a round trip."""
    row = db.session.execute(_ADMISSION, {"user_id": user.id, "process_id": process.id}).one()
    return row[0], bool(row[1])


def can_view_process(user: User, process: Process) -> bool:
    """Public processes are open to everyone; invite-only ones to members and the team."""
    return process.is_public or is_team(user) or is_member(user, process)


class Refusal(enum.Enum):
    login = "login"
    unconfirmed = "unconfirmed"
    not_open_yet = "not_open_yet"
    closed = "closed"
    audience = "audience"
    theme_retired = "theme_retired"
    not_author = "not_author"
    not_editable = "not_editable"
    no_draft = "no_draft"
    consent = "consent"

    def message(self, round_=None):
        if self is Refusal.not_open_yet:
            return _l("This round is not open yet. It opens on %(date)s.",
                      date=format_datetime(round_.opens_at, DATETIME_FORMAT))
        if self is Refusal.closed:
            return _l("This round closed on %(date)s. New input and changes are no longer "
                      "possible.", date=format_datetime(round_.closes_at, DATETIME_FORMAT))
        return REFUSAL_MESSAGES[self]


REFUSAL_MESSAGES = {
    Refusal.login: _l("Log in to take part."),
    Refusal.unconfirmed: _l("Confirm your e-mail address first; we sent you a link."),
    Refusal.audience: _l("This round is open only to invited stakeholders and to those who took "
                         "part in the first round."),
    Refusal.theme_retired: _l("This theme no longer takes new input. Choose another theme."),
    Refusal.not_author: _l("You can only change your own input."),
    Refusal.no_draft: _l("There is no published draft to react to yet."),
    Refusal.consent: _l("The privacy statement has changed. Read it and agree to it before you "
                        "take part again."),
    Refusal.not_editable: _l("This input can no longer be changed."),
}


def round_write_refusal(user: User, round_: Round, now=None) -> Refusal | None:
    """May `user` write in `round_` now? Checks login, confirmation, window and audience."""
    if not getattr(user, "is_authenticated", False):
        return Refusal.login
    if not user.is_confirmed:
        return Refusal.unconfirmed
    state = round_.state(now or utcnow())
    if state is RoundState.upcoming:
        return Refusal.not_open_yet
    if state is RoundState.closed:
        return Refusal.closed
    if is_team(user):
        return None
    process = round_.process
    if not can_view_process(user, process):
        return Refusal.audience
    if round_.audience is Audience.invited:
        source, took_part = _admission(user, process)
        # Read-along invitees take part in round 2 only.
        admitted = source is not None and not (
            source == "read_along" and round_.kind is RoundKind.input)
        if not (admitted or took_part):
            return Refusal.audience
    # Last: agreeing helps only someone who may otherwise take part.
    if needs_consent(user):
        return Refusal.consent
    return None


def own_item_write_refusal(user: User, item, round_: Round, now=None) -> Refusal | None:
    """May `user` edit or withdraw `item` (their contribution or comment) now? Only its author,
    while it is not withdrawn or rejected and `round_` is open to them."""
    if not getattr(user, "is_authenticated", False):
        return Refusal.login
    if item.author_id != user.id:
        return Refusal.not_author
    if item.state in (ModerationState.withdrawn, ModerationState.rejected):
        return Refusal.not_editable
    return round_write_refusal(user, round_, now)
