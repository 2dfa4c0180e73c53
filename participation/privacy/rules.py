"""Who must agree to the privacy statement again, and who may delete their account."""
from __future__ import annotations

from flask import current_app

from ..accounts.models import User
from ..core.roles import Role, is_team


def needs_consent(user: User) -> bool:
    """A participant who agreed to an older privacy statement (or none) agrees again before
    taking part. The team works for the municipality and is not asked."""
    if not getattr(user, "is_authenticated", False) or is_team(user):
        return False
    return user.consent_version != current_app.config["PRIVACY_STATEMENT_VERSION"]


def can_delete_account(user: User, admin_count: int) -> bool:
    """Anyone may delete their own account, except the last admin: the site keeps one admin
    (the same rule as for giving up the role, participation.admin.rules.can_change_role)."""
    if not getattr(user, "is_authenticated", False):
        return False
    return not (user.role is Role.admin and admin_count <= 1)
