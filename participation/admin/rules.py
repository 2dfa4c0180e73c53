"""Who may give whom which role: only admins, and the site always keeps one admin."""
from __future__ import annotations

from ..accounts.models import User
from ..core.roles import Role, can_manage_roles


def can_change_role(actor: User, target: User, new_role: Role, admin_count: int) -> bool:
    """May `actor` give `target` `new_role`, with `admin_count` admins now?

    Only admins change roles, and the site always keeps one admin: the last admin cannot give
    up the role, nor can anyone take it away from them.
    """
    if not can_manage_roles(actor):
        return False
    losing_an_admin = target.role is Role.admin and new_role is not Role.admin
    return not (losing_an_admin and admin_count <= 1)
