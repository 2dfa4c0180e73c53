"""Roles on the site and the predicates over them, used by views, templates and commands alike.

What a role may do in one feature (write in a round, change an item) is that feature's rule, in
its `rules.py`; these are only the questions every feature asks: is this person the team, may
they moderate, may they manage roles.
"""
from __future__ import annotations

import enum

from flask import abort
from flask_login import AnonymousUserMixin, UserMixin, current_user

from .extensions import login_manager

#: Someone logged in (participation.accounts.models.User) or a visitor: the predicates answer
#: for both, so a template can ask them of `current_user`.
Person = UserMixin | AnonymousUserMixin


class Role(enum.Enum):
    """A person's role on the whole site (the column user_account.role)."""
    participant = "participant"
    moderator = "moderator"
    staff = "staff"
    admin = "admin"


TEAM_ROLES = frozenset({Role.moderator, Role.staff, Role.admin})
MODERATOR_ROLES = frozenset({Role.moderator, Role.admin})


def _role(user) -> Role | None:
    return getattr(user, "role", None) if getattr(user, "is_authenticated", False) else None


def is_admin(user: Person) -> bool:
    return _role(user) is Role.admin


def is_team(user: Person) -> bool:
    """The municipality's people: moderators, staff and admins."""
    return _role(user) in TEAM_ROLES


def can_moderate(user: Person) -> bool:
    """Moderators and admins run processes: themes, offline input, moderation."""
    return _role(user) in MODERATOR_ROLES


def can_manage_roles(user: Person) -> bool:
    """Admins give and take roles."""
    return is_admin(user)


def can_lift_login_locks(user: Person) -> bool:
    """Admins see who is locked out of logging in, and let them try again."""
    return is_admin(user)


def require(predicate, *args) -> None:
    """Stop the request unless `predicate(current_user, *args)`: visitors go to the login page."""
    if not current_user.is_authenticated:
        abort(login_manager.unauthorized())
    if not predicate(current_user, *args):
        abort(403)


#: The predicates every template can use (participation.core.templating); a feature adds its
#: own with its blueprint (the privacy statement's `needs_consent`, participation.privacy).
PREDICATES = {
    "is_admin": is_admin,
    "is_team": is_team,
    "can_moderate": can_moderate,
    "can_manage_roles": can_manage_roles,
}
