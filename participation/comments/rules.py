"""Who may change or withdraw a comment now."""
from __future__ import annotations

from ..accounts.models import User
from ..core.mixins import ModerationState
from ..processes.models import Round
from ..processes.rules import Refusal, round_write_refusal
from .models import Comment


def comment_write_refusal(user: User, comment: Comment, round_: Round, now=None) -> Refusal | None:
    """May `user` edit or withdraw `comment` now? Only its author, while round 2 is open."""
    if not getattr(user, "is_authenticated", False):
        return Refusal.login
    if comment.author_id != user.id:
        return Refusal.not_author
    if comment.state in (ModerationState.withdrawn, ModerationState.rejected):
        return Refusal.not_editable
    return round_write_refusal(user, round_, now)
