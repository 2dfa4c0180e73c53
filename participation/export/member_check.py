"""The member check in the document: per stakeholder "checked on <date>" / "reaction received",
and the chapter "Reactions of participants on this document" with the team's answers.

Gathered after the rest of the document (builder.build), from the stakeholders and items it
already has, in a fixed number of queries.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa

from ..comments.models import Comment
from ..contributions.models import Contribution
from ..core.extensions import db
from ..processes.models import Process, Round
from ..review.models import MemberCheck, ReviewLink, ReviewReply, Verdict


@dataclass
class MemberReaction:
    """A participant's reaction on how the document shows their input, with the answer."""
    stakeholder: str
    #: The item it is about as the document heads it ("Round 1 · Theme: title"); None: the
    #: stakeholder's part as a whole.
    about: str | None
    text_md: str
    text_html: str
    given_at: datetime
    answer_md: str = ""
    answer_html: str = ""
    answered_at: datetime | None = None


@dataclass
class MemberCheckChapter:
    opens_at: datetime
    closes_at: datetime
    invited: int  #: participants who got a personal link
    replied: int  #: of them, who confirmed or reacted
    reactions: list[MemberReaction] = field(default_factory=list)


def add_member_check(document, process: Process, round_short: dict[str, str]) -> None:
    """Fill in `document.member_check` and each stakeholder's `checked_on` and
    `reaction_received`; nothing when the process had no check. `round_short` names the rounds
    in the document's language ("Round 1")."""
    check = db.session.scalar(sa.select(MemberCheck).where(MemberCheck.process_id == process.id))
    if check is None:
        return
    replies = list(db.session.scalars(
        sa.select(ReviewReply).where(ReviewReply.check_id == check.id)
        .order_by(ReviewReply.changed_at, ReviewReply.id)))
    invited = db.session.scalar(sa.select(sa.func.count(ReviewLink.id)).where(
        ReviewLink.check_id == check.id)) or 0
    chapter = MemberCheckChapter(check.opens_at, check.closes_at, invited,
                                 len({r.user_id for r in replies}))
    document.member_check = chapter
    if not replies:
        return
    placed = {(item.kind, item.id): (stakeholder, item) for stakeholder, item in document.items()}
    # Who wrote which of the document's items: a person's replies mark the stakeholder(s)
    # their items are listed under (an organisation, or their "Resident N").
    people = {r.user_id for r in replies}
    by_person: dict[int, list] = {}
    for kind, model in (("contribution", Contribution), ("comment", Comment)):
        for item_id, author_id in db.session.execute(
                sa.select(model.id, model.author_id).join(Round, Round.id == model.round_id)
                .where(Round.process_id == process.id, model.author_id.in_(people))
                .order_by(model.created_at, model.id)):
            found = placed.get((kind, item_id))
            if found is not None and found[0] not in by_person.setdefault(author_id, []):
                by_person[author_id].append(found[0])
    for reply in replies:
        stakeholders = by_person.get(reply.user_id, [])
        if reply.subject.value != "document":
            found = placed.get((reply.subject.value, reply.subject_id))
            if found is None:
                continue  # an item this version of the document does not list
            stakeholders = [found[0]]
            item = found[1]
            about = f"{round_short.get(item.round, item.round)} · {item.topic}" + (
                f": {item.title}" if item.title else "")
        else:
            about = None
        if not stakeholders:
            continue
        for stakeholder in stakeholders:
            if stakeholder.checked_on is None or reply.changed_at > stakeholder.checked_on:
                stakeholder.checked_on = reply.changed_at
            if reply.verdict is Verdict.reaction:
                stakeholder.reaction_received = True
        if reply.verdict is Verdict.reaction:
            chapter.reactions.append(MemberReaction(
                stakeholders[0].name, about, reply.body_md, reply.body_html, reply.changed_at,
                reply.answer_md if reply.answered_at else "",
                reply.answer_html if reply.answered_at else "", reply.answered_at))
