"""Who may do what: named predicates, used by views, templates and the CLI alike.

Write rules return a Refusal (why not, in words for the person) or None; the server checks
them on every write, whatever the page showed.
"""
from __future__ import annotations

import enum

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from .accounts.models import Role, User
from .core.extensions import db
from .core.mixins import ModerationState
from .core.timeutil import utcnow

#: How moments are shown: in Europe/Amsterdam, with the zone ("3 maart 2026, 17:00 CET").
DATETIME_FORMAT = "d MMMM yyyy, HH:mm zzz"

TEAM_ROLES = frozenset({Role.moderator, Role.staff, Role.admin})
MODERATOR_ROLES = frozenset({Role.moderator, Role.admin})


def _role(user) -> Role | None:
    return getattr(user, "role", None) if getattr(user, "is_authenticated", False) else None


def is_admin(user: User) -> bool:
    return _role(user) is Role.admin


def is_team(user: User) -> bool:
    """The municipality's people: moderators, staff and admins."""
    return _role(user) in TEAM_ROLES


def can_moderate(user: User) -> bool:
    """Moderators and admins run processes: themes, offline input, moderation."""
    return _role(user) in MODERATOR_ROLES


def can_manage_roles(user: User) -> bool:
    """Admins give and take roles."""
    return is_admin(user)


def can_lift_login_locks(user: User) -> bool:
    """Admins see who is locked out of logging in, and let them try again."""
    return is_admin(user)


def can_change_role(actor: User, target: User, new_role: Role, admin_count: int) -> bool:
    """May `actor` give `target` `new_role`, with `admin_count` admins now?

    Only admins change roles, and the site always keeps one admin: the last admin cannot give
    up the role, nor can anyone take it away from them.
    """
    if not can_manage_roles(actor):
        return False
    losing_an_admin = target.role is Role.admin and new_role is not Role.admin
    return not (losing_an_admin and admin_count <= 1)


def can_delete_account(user: User, admin_count: int) -> bool:
    """Anyone may delete their own account, except the last admin: the site keeps one admin
    (the same rule as for giving up the role, see can_change_role)."""
    if not getattr(user, "is_authenticated", False):
        return False
    return not (user.role is Role.admin and admin_count <= 1)


def needs_consent(user: User) -> bool:
    """A participant who agreed to an older privacy statement (or none) agrees again before
    taking part. The team works for the municipality and is not asked."""
    from flask import current_app

    if not getattr(user, "is_authenticated", False) or is_team(user):
        return False
    return user.consent_version != current_app.config["PRIVACY_STATEMENT_VERSION"]


def member_source(user: User, process) -> str | None:
    """How the user joined the process ("read_along", "full", "team"), or None."""
    from .processes.models import ProcessMember

    if not getattr(user, "is_authenticated", False):
        return None
    return db.session.scalar(sa.select(ProcessMember.source).where(
        ProcessMember.process_id == process.id, ProcessMember.user_id == user.id))


def is_member(user: User, process) -> bool:
    return member_source(user, process) is not None


def took_part_in_input_round(user: User, process) -> bool:
    from .contributions.models import Contribution
    from .processes.models import Round, RoundKind

    if not getattr(user, "is_authenticated", False):
        return False
    return db.session.scalar(
        sa.select(Contribution.id).join(Round, Contribution.round_id == Round.id).where(
            Round.process_id == process.id, Round.kind == RoundKind.input,
            Contribution.author_id == user.id,
            Contribution.state.in_([ModerationState.pending, ModerationState.published]))
        .limit(1)) is not None


def can_view_process(user: User, process) -> bool:
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
        from flask_babel import format_datetime

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


def round_write_refusal(user: User, round_, now=None) -> Refusal | None:
    """May `user` write in `round_` now? Checks login, confirmation, window and audience."""
    from .processes.models import Audience, RoundKind, RoundState

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
        source = member_source(user, process)
        # Read-along invitees take part in round 2 only.
        admitted = source is not None and not (
            source == "read_along" and round_.kind is RoundKind.input)
        if not (admitted or took_part_in_input_round(user, process)):
            return Refusal.audience
    # Last: agreeing helps only someone who may otherwise take part.
    if needs_consent(user):
        return Refusal.consent
    return None


def contribution_write_refusal(user: User, contribution, now=None) -> Refusal | None:
    """May `user` edit or withdraw `contribution` now? Only its author, while the round is open."""
    if not getattr(user, "is_authenticated", False):
        return Refusal.login
    if contribution.author_id != user.id:
        return Refusal.not_author
    if contribution.state in (ModerationState.withdrawn, ModerationState.rejected):
        return Refusal.not_editable
    return round_write_refusal(user, contribution.round, now)


def can_see_contribution(user: User, contribution) -> bool:
    if is_team(user):
        return True
    if getattr(user, "is_authenticated", False) and contribution.author_id == user.id:
        return True
    return contribution.is_shown and can_view_process(user, contribution.round.process)


def require(predicate, *args) -> None:
    """Stop the request unless `predicate(current_user, *args)`: visitors go to the login page."""
    from flask import abort
    from flask_login import current_user

    from .core.extensions import login_manager

    if not current_user.is_authenticated:
        abort(login_manager.unauthorized())
    if not predicate(current_user, *args):
        abort(403)


def comment_write_refusal(user: User, comment, round_, now=None) -> Refusal | None:
    """May `user` edit or withdraw `comment` now? Only its author, while round 2 is open."""
    if not getattr(user, "is_authenticated", False):
        return Refusal.login
    if comment.author_id != user.id:
        return Refusal.not_author
    if comment.state in (ModerationState.withdrawn, ModerationState.rejected):
        return Refusal.not_editable
    return round_write_refusal(user, round_, now)


PREDICATES = {
    "is_admin": is_admin,
    "is_team": is_team,
    "can_moderate": can_moderate,
    "can_manage_roles": can_manage_roles,
    "needs_consent": needs_consent,
}
