"""Who may do what: named predicates, used by views, templates and the CLI alike."""
from __future__ import annotations

from .accounts.models import Role, User

TEAM_ROLES = frozenset({Role.moderator, Role.staff, Role.admin})


def _role(user) -> Role | None:
    return getattr(user, "role", None) if getattr(user, "is_authenticated", False) else None


def is_admin(user: User) -> bool:
    return _role(user) is Role.admin


def is_team(user: User) -> bool:
    """The municipality's people: moderators, staff and admins."""
    return _role(user) in TEAM_ROLES


PREDICATES = {
    "is_admin": is_admin,
    "is_team": is_team,
}
