"""Who may rate a round, saving a rating once, and the figures per round for the dashboard and
the participation document (one query for a whole process)."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from ..accounts.models import Organisation, User
from ..comments.models import Comment
from ..contributions.models import Contribution
from ..core.extensions import db
from ..core.mixins import ModerationState
from ..core.sanitize import plain_text
from ..processes.models import Process, Round, RoundKind
from .models import HIGHEST, LOWEST, Rating


class AlreadyRated(Exception):
    """This person rated this round before (in another tab, or a moment ago)."""


NOT_TAKEN_PART = _l("You can rate a round once you have taken part in it.")
ALREADY = _l("You have already rated this round. Thank you!")


def took_part(user, round_: Round) -> bool:
    """Gave input (round 1) or a comment (round 2) in the round that they did not withdraw:
    only those who went through the process judge it."""
    if not getattr(user, "is_authenticated", False):
        return False
    if round_.kind is RoundKind.input:
        query = sa.select(Contribution.id).where(
            Contribution.round_id == round_.id, Contribution.author_id == user.id,
            Contribution.state != ModerationState.withdrawn)
    else:
        query = sa.select(Comment.id).where(
            Comment.round_id == round_.id, Comment.author_id == user.id,
            Comment.by_team.is_(False), Comment.state != ModerationState.withdrawn)
    return db.session.scalar(query.limit(1)) is not None


def rating_of(user, round_: Round) -> Rating | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return db.session.scalar(sa.select(Rating).where(Rating.round_id == round_.id,
                                                     Rating.user_id == user.id))


def refusal(user, round_: Round):
    """Why `user` may not rate `round_` now (a message), or None."""
    if rating_of(user, round_) is not None:
        return ALREADY
    if not took_part(user, round_):
        return NOT_TAKEN_PART
    return None


def clean_remark(text: str | None) -> str:
    """Plain text with its line breaks: every line through bleach (core.sanitize.plain_text),
    empty lines between paragraphs kept once."""
    lines = [plain_text(line) for line in (text or "").splitlines()]
    out: list[str] = []
    for line in lines:
        if line or (out and out[-1]):
            out.append(line)
    return "\n".join(out).strip()


def rate(user: User, round_: Round, *, score: int, remark: str) -> Rating:
    """Save the rating (flushes; the view commits). AlreadyRated when there is one: found
    first, or refused by the unique key when two tabs send at the same moment."""
    if not LOWEST <= score <= HIGHEST:
        raise ValueError(score)
    if rating_of(user, round_) is not None:
        raise AlreadyRated
    rating = Rating(round_id=round_.id, user_id=user.id, score=score, remark=clean_remark(remark))
    try:
        with db.session.begin_nested():
            db.session.add(rating)
    except sa.exc.IntegrityError:
        raise AlreadyRated from None
    return rating


@dataclass
class Remark:
    text: str
    created_at: datetime
    #: Internal version only: who wrote it (name, and organisation when they have one).
    who: str | None = None


@dataclass
class RoundRating:
    """How the participants judged one round."""
    kind: str  #: "input" or "feedback"
    respondents: int = 0
    #: score -> how many gave it, for every score 1..10 (0 included: the chart's axis).
    distribution: dict[int, int] = field(default_factory=dict)
    remarks: list[Remark] = field(default_factory=list)
    #: The mean score to one decimal; None without respondents. A field, not a property, so
    #: the JSON export carries it.
    average: float | None = None


def round_ratings(process: Process, *, public: bool) -> list[RoundRating]:
    """Per round of the process (in order: input, feedback), its ratings. One query."""
    rows = db.session.execute(
        sa.select(Round.kind, Rating.score, Rating.remark, Rating.created_at, User.name,
                  Organisation.name.label("organisation"))
        .join(Round, Round.id == Rating.round_id)
        .join(User, User.id == Rating.user_id)
        .outerjoin(Organisation, Organisation.id == User.organisation_id)
        .where(Round.process_id == process.id)
        .order_by(Rating.created_at, Rating.id)).all()
    kinds = [kind for kind in (RoundKind.input, RoundKind.feedback) if process.round_of(kind)]
    found = {kind: RoundRating(kind.value, distribution={n: 0 for n in range(LOWEST, HIGHEST + 1)})
             for kind in kinds}
    for row in rows:
        summary = found.get(row.kind)
        if summary is None:
            continue
        summary.respondents += 1
        summary.distribution[row.score] += 1
        if row.remark:
            who = None
            if not public:
                who = f"{row.name} ({row.organisation})" if row.organisation else row.name
            summary.remarks.append(Remark(row.remark, row.created_at, who))
    for summary in found.values():
        if summary.respondents:
            total = sum(score * n for score, n in summary.distribution.items())
            summary.average = round(total / summary.respondents, 1)
    return [found[kind] for kind in kinds]
