"""Who may change or withdraw a comment now."""
from __future__ import annotations

from ..accounts.models import User
from ..processes.models import Round
from ..processes.rules import Refusal, own_item_write_refusal
from .models import Comment


def comment_write_refusal(user: User, comment: Comment, round_: Round, now=None) -> Refusal | None:
    """May `user` edit or withdraw `comment` now? Only its author, while round 2 is open."""
    return own_item_write_refusal(user, comment, round_, now)
