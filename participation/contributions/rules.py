"""Who may see a contribution, and who may change or withdraw it now."""
from __future__ import annotations

from ..accounts.models import User
from ..core.roles import is_team
from ..processes.rules import Refusal, can_view_process, own_item_write_refusal
from .models import Contribution


def contribution_write_refusal(user: User, contribution: Contribution, now=None) -> Refusal | None:
    """May `user` edit or withdraw `contribution` now? Only its author, while the round is open."""
    return own_item_write_refusal(user, contribution, contribution.round, now)


def can_see_contribution(user: User, contribution: Contribution) -> bool:
    if is_team(user):
        return True
    if getattr(user, "is_authenticated", False) and contribution.author_id == user.id:
        return True
    return contribution.is_shown and can_view_process(user, contribution.round.process)
