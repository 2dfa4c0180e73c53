""""You said, we did" from the participation document's own content: what came in per theme
and section, what the municipality did with it, and where the agenda changed.

Every figure is counted from export.builder's public document (export.services.document), the
one rule of what the document lists: the page and the document cannot disagree.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask import url_for
from flask_babel import lazy_gettext as _l

from ..accounts.models import User
from ..audit.services import record
from ..comments.models import Comment
from ..contributions.models import Contribution
from ..core.extensions import db
from ..export.builder import Item, ParticipationDocument, _snippet
from ..export.services import document
from ..mail.services import queue_mail
from ..moderation.models import Disposition
from ..notifications.models import NotificationPreference, NotifyMode
from ..notifications.services import unsubscribe_token
from ..processes.models import Process, Round
from .models import FinalDocument

#: Dispositions in the order the page lists them; None: no published response yet.
DISPOSITIONS = (*(d.value for d in Disposition), None)
#: Responses that changed the agenda.
CHANGED = ("adopted", "partly")
KEY_POINTS = 5
EXAMPLES = 3


@dataclass
class Example:
    what: str  #: the item's title, or the start of a comment
    disposition: str
    response: str  #: the start of the response


@dataclass
class TopicOutcome:
    """One theme (round 1) or section (round 2)."""
    name: str
    round: str
    items: int = 0
    stakeholders: int = 0
    key_points: list[str] = field(default_factory=list)
    #: disposition value (None: no response yet) -> how many
    dispositions: dict[str | None, int] = field(default_factory=dict)
    examples: list[Example] = field(default_factory=list)


@dataclass
class AgendaChange:
    """A section of the draft where input was taken up (adopted or partly)."""
    section: str
    items: list[Example] = field(default_factory=list)


@dataclass
class Outcome:
    document: ParticipationDocument
    topics: list[TopicOutcome]
    totals: dict[str | None, int]
    changes: list[AgendaChange]

    @property
    def item_count(self) -> int:
        return sum(self.totals.values())


def _what(item: Item) -> str:
    return item.title or _snippet(item.text_html, 120)


def outcome(process: Process, language: str) -> Outcome:
    """The page's content, from the public document in `language` (its fixed queries)."""
    doc = document(process, public=True, language=language)
    by_topic: dict[tuple[str, str], list[Item]] = {}
    for _stakeholder, item in doc.items():
        by_topic.setdefault((item.round, item.topic), []).append(item)
    topics = []
    for round_kind, listed in (("input", doc.themes), ("feedback", doc.sections)):
        for topic in listed:
            items = sorted(by_topic.get((round_kind, topic.name), []), key=lambda i: i.created_at)
            counts = Counter(item.disposition for item in items)
            titles = Counter(_what(item) for item in items)
            answered = sorted((i for i in items if i.disposition),
                              key=lambda i: (i.disposition not in CHANGED, i.created_at))
            topics.append(TopicOutcome(
                name=topic.name, round=round_kind, items=topic.items,
                stakeholders=len(topic.stakeholders),
                key_points=[text for text, _n in titles.most_common(KEY_POINTS)],
                dispositions={d: counts[d] for d in DISPOSITIONS if counts.get(d)},
                examples=[Example(_what(i), i.disposition, _snippet(i.response_html or "", 240))
                          for i in answered[:EXAMPLES]]))
    totals = Counter(item.disposition for _s, item in doc.items())
    changes: dict[str, AgendaChange] = {}
    for _stakeholder, item in doc.items():
        if item.disposition in CHANGED:
            for section in item.response_sections:
                changes.setdefault(section, AgendaChange(section)).items.append(Example(
                    _what(item), item.disposition, _snippet(item.response_html or "", 240)))
    order = {topic.name: n for n, topic in enumerate(doc.sections)}
    return Outcome(doc, topics, {d: totals[d] for d in DISPOSITIONS if totals.get(d)},
                   sorted(changes.values(), key=lambda c: (order.get(c.section, 1 << 30),
                                                           c.section)))


def final_mark(process: Process) -> FinalDocument | None:
    return db.session.scalar(sa.select(FinalDocument).where(
        FinalDocument.process_id == process.id))


class AlreadyFinal(Exception):
    """The document was marked final before (by someone else, or a moment ago)."""


def participants(process: Process) -> list[User]:
    """Everyone with input or a comment of their own in the process (the team's own replies
    do not count), who has an account still, and did not stop this process's e-mail (the
    unsubscribe link of notifications, which every process mail carries). One query."""
    authors = sa.union(
        sa.select(Contribution.author_id.label("user_id"))
        .join(Round, Round.id == Contribution.round_id).where(Round.process_id == process.id),
        sa.select(Comment.author_id.label("user_id"))
        .join(Round, Round.id == Comment.round_id)
        .where(Round.process_id == process.id, Comment.by_team.is_(False))).subquery()
    stopped = sa.select(NotificationPreference.user_id).where(
        NotificationPreference.process_id == process.id,
        NotificationPreference.mode == NotifyMode.none)
    return list(db.session.scalars(
        sa.select(User).where(User.id.in_(sa.select(authors.c.user_id)),
                              User.deleted_at.is_(None), User.id.not_in(stopped))
        .order_by(User.id)))




def mark_final(process: Process, actor: User) -> FinalDocument:
    """Mark the document final, once: audited, and one mail with the page's link to every
    participant, through the outbox in the same transaction (flushes; the view commits).
    AlreadyFinal when it was marked before, also by a second click at the same moment."""
    if final_mark(process) is not None:
        raise AlreadyFinal
    mark = FinalDocument(process_id=process.id, marked_by_id=actor.id)
    try:
        with db.session.begin_nested():
            db.session.add(mark)
    except sa.exc.IntegrityError:
        raise AlreadyFinal from None
    url = url_for("outcomes.page", slug=process.slug, _external=True)
    people = participants(process)
    for person in people:
        queue_mail(person.email, "outcome", _l("What was done with your input: %(title)s",
                                               title=process.title), person.locale,
                   user=person, process=process, url=url,
                   unsubscribe_url=url_for("notifications.unsubscribe", _external=True,
                                           token=unsubscribe_token(person.id, process.id)))
    mark.mailed = len(people)
    record("document.final", actor=actor, target_type="process", target_id=process.id,
           process_id=process.id, after={"mailed": len(people)})
    db.session.flush()
    return mark
