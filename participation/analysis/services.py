"""The analysis of a round: its shown items loaded in one query, grouped (grouping.py), and
the result as the plain data of the `analyse` command's JSON."""
from __future__ import annotations

import sqlalchemy as sa

from ..comments.models import Comment
from ..contributions.models import Contribution
from ..core.extensions import db
from ..processes.models import Process, Round, RoundKind
from .grouping import Analysis, Item, analyse

#: How much of a comment's text stands for its title in the result (comments have none).
EXCERPT = 80


def round_items(process: Process, kind: RoundKind, *, theme_id: int | None = None,
                lineage_id: int | None = None) -> list[Item]:
    """The round's items that everyone may read (ModeratedMixin.is_shown), oldest first, in one
    query: round 1's contributions (of one theme, if given), or round 2's comments by
    participants (on one section across its versions, if given); the team's own comments are
    answers, not input."""
    if kind is RoundKind.input:
        query = (sa.select(Contribution.id, Contribution.title, Contribution.body_md)
                 .join(Round, Round.id == Contribution.round_id)
                 .where(Round.process_id == process.id, Round.kind == RoundKind.input,
                        Contribution.is_shown)
                 .order_by(Contribution.id))
        if theme_id is not None:
            query = query.where(Contribution.theme_id == theme_id)
        return [Item(row.id, "contribution", row.title, row.body_md)
                for row in db.session.execute(query)]
    query = (sa.select(Comment.id, Comment.body_md)
             .join(Round, Round.id == Comment.round_id)
             .where(Round.process_id == process.id, Round.kind == RoundKind.feedback,
                    Comment.is_shown, Comment.by_team.is_(False))
             .order_by(Comment.id))
    if lineage_id is not None:
        query = query.where(Comment.lineage_id == lineage_id)
    return [Item(row.id, "comment", "", row.body_md) for row in db.session.execute(query)]


def analyse_round(process: Process, kind: RoundKind, *, theme_id: int | None = None,
                  lineage_id: int | None = None) -> Analysis:
    return analyse(round_items(process, kind, theme_id=theme_id, lineage_id=lineage_id))


def shown_title(item: Item) -> str:
    """The title, or for a comment the start of its text."""
    if item.title:
        return item.title
    text = " ".join(item.text.split())
    return text if len(text) <= EXCERPT else text[:EXCERPT - 1].rstrip() + "…"


def as_json(analysis: Analysis) -> dict:
    """The shape of issue 17: groups with label, key phrases and items; near-duplicate pairs."""
    return {
        "groups": [{"label": group.label, "key_phrases": list(group.key_phrases),
                    "items": [{"id": item.id, "kind": item.kind, "title": shown_title(item)}
                              for item in group.items]}
                   for group in analysis.groups],
        "near_duplicates": [list(pair) for pair in analysis.near_duplicates],
    }
