"""Gather the participation document's content once, as plain data, for every format.

Public: individuals are "Resident 1, 2, ..." (numbered in order of their first contribution),
organisations are named, hidden and rejected items are left out, no e-mail addresses.
Internal: the same, plus hidden and rejected items, marked as such.
A fixed number of queries, whatever the size of the process.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa

from ..comments.models import Comment, CommentState
from ..contributions.models import Contribution, ContributionState
from ..drafts.models import Section
from ..drafts.services import latest_published
from ..extensions import db
from ..invitations.models import Invitation
from ..moderation.models import Response, ResponseSection, TargetType
from ..processes.models import Process, Round, RoundKind, Theme
from ..timeutil import utcnow

KIND_ORDER = ("business", "education", "government", "civil_society", "other")


@dataclass
class Item:
    kind: str  #: "contribution" (round 1) or "comment" (round 2)
    id: int
    round: str
    topic: str  #: the theme, or the section "3.2 Heading"
    title: str
    text_md: str
    created_at: datetime
    state: str
    hidden: bool
    offline_source: str | None = None
    #: For a reply: who it answered and the start of that text (the thread context).
    in_reply_to: str | None = None
    disposition: str | None = None
    response_md: str | None = None
    response_sections: list[str] = field(default_factory=list)


@dataclass
class Stakeholder:
    name: str
    kind: str | None  #: organisation kind; None for an individual
    sector: str
    items: list[Item] = field(default_factory=list)

    @property
    def rounds(self) -> set[str]:
        return {item.round for item in self.items}


@dataclass
class RoundSummary:
    kind: str
    opens_at: datetime
    closes_at: datetime
    #: Stakeholders who took part, per organisation kind ("individual" for residents).
    participants_by_kind: dict[str, int]


@dataclass
class ParticipationDocument:
    process_title: str
    process_slug: str
    public: bool
    generated_at: datetime
    draft_version: int | None
    rounds: list[RoundSummary]
    invitations_sent: int
    invitations_accepted: int
    stakeholders: list[Stakeholder]
    by_theme: dict[str, list[str]]
    by_section: dict[str, list[str]]

    def items(self):
        for stakeholder in self.stakeholders:
            for item in stakeholder.items:
                yield stakeholder, item


def build(process: Process, *, public: bool = True, resident_label: str = "Resident") -> \
        ParticipationDocument:
    rounds = {r.kind: r for r in db.session.scalars(sa.select(Round).where(
        Round.process_id == process.id))}
    themes = {t.id: t.title for t in db.session.scalars(sa.select(Theme).where(
        Theme.process_id == process.id))}
    version = latest_published(process)
    section_names = _section_names(process, version)

    contributions = list(db.session.scalars(
        sa.select(Contribution).join(Round, Round.id == Contribution.round_id)
        .where(Round.process_id == process.id,
               Contribution.state != ContributionState.withdrawn)
        .order_by(Contribution.created_at, Contribution.id)))
    comments = list(db.session.scalars(
        sa.select(Comment).join(Round, Round.id == Comment.round_id)
        .where(Round.process_id == process.id, Comment.by_team.is_(False),
               Comment.state != CommentState.withdrawn)
        .order_by(Comment.created_at, Comment.id)))
    parents = {c.id: c for c in db.session.scalars(sa.select(Comment).where(
        Comment.id.in_({c.parent_id for c in comments if c.parent_id} or {-1})))}
    responses = {(r.target_type, r.target_id): r for r in db.session.scalars(
        sa.select(Response).where(Response.process_id == process.id,
                                  Response.published_at.is_not(None)))}
    response_sections = defaultdict(list)
    for response_id, lineage_id in db.session.execute(
            sa.select(ResponseSection.response_id, ResponseSection.lineage_id)
            .join(Response, Response.id == ResponseSection.response_id)
            .where(Response.process_id == process.id)):
        if lineage_id in section_names:
            response_sections[response_id].append(section_names[lineage_id])

    residents: dict[int | str, str] = {}
    stakeholders: dict[str, Stakeholder] = {}

    def stakeholder_for(item) -> Stakeholder:
        if item.organisation_kind is not None:
            key = f"org:{item.organisation_id or item.organisation_name}"
            if key not in stakeholders:
                stakeholders[key] = Stakeholder(item.organisation_name or "",
                                                item.organisation_kind.value, "")
            return stakeholders[key]
        person = item.author_id or f"offline:{item.organisation_name}"
        if person not in residents:
            residents[person] = f"{resident_label} {len(residents) + 1}"
        key = f"person:{person}"
        if key not in stakeholders:
            stakeholders[key] = Stakeholder(residents[person], None, "")
        return stakeholders[key]

    def keep(item) -> bool:
        excluded = item.hidden_at is not None or item.state.value in ("rejected", "pending")
        return not (public and excluded)

    def with_response(entry: Item, kind: TargetType) -> Item:
        response = responses.get((kind, entry.id))
        if response is not None:
            entry.disposition = response.disposition.value
            entry.response_md = response.body_md
            entry.response_sections = sorted(response_sections.get(response.id, []))
        return entry

    for c in contributions:
        if not keep(c):
            continue
        stakeholder_for(c).items.append(with_response(Item(
            kind="contribution", id=c.id, round="input", topic=themes.get(c.theme_id, ""),
            title=c.title, text_md=c.body_md, created_at=c.created_at, state=c.state.value,
            hidden=c.hidden_at is not None, offline_source=c.offline_source),
            TargetType.contribution))
    for c in comments:
        if not keep(c):
            continue
        context = None
        parent = parents.get(c.parent_id) if c.parent_id else None
        if parent is not None:
            who = (parent.organisation_name if parent.organisation_kind
                   else resident_label.lower()) if not parent.by_team else "—"
            snippet = parent.body_md if parent.state is CommentState.published and \
                parent.hidden_at is None else ""
            context = f"{who}: {snippet[:200]}" if snippet else who
        stakeholder_for(c).items.append(with_response(Item(
            kind="comment", id=c.id, round="feedback",
            topic=section_names.get(c.lineage_id, ""), title="", text_md=c.body_md,
            created_at=c.created_at, state=c.state.value, hidden=c.hidden_at is not None,
            in_reply_to=context), TargetType.comment))

    ordered = sorted((s for s in stakeholders.values() if s.kind is not None),
                     key=lambda s: s.name.casefold())
    ordered += sorted((s for s in stakeholders.values() if s.kind is None),
                      key=lambda s: int(s.name.rsplit(" ", 1)[-1]))
    by_theme: dict[str, list[str]] = defaultdict(list)
    by_section: dict[str, list[str]] = defaultdict(list)
    for stakeholder in ordered:
        stakeholder.items.sort(key=lambda i: (i.round != "input", i.topic, i.created_at))
        for item in stakeholder.items:
            index = by_theme if item.round == "input" else by_section
            if stakeholder.name not in index[item.topic]:
                index[item.topic].append(stakeholder.name)

    summaries = []
    for kind in (RoundKind.input, RoundKind.feedback):
        round_ = rounds.get(kind)
        if round_ is None:
            continue
        counts: dict[str, int] = defaultdict(int)
        for stakeholder in ordered:
            if kind.value in stakeholder.rounds:
                counts[stakeholder.kind or "individual"] += 1
        summaries.append(RoundSummary(kind.value, round_.opens_at, round_.closes_at,
                                      dict(counts)))
    sent, accepted = db.session.execute(
        sa.select(sa.func.count(Invitation.id), sa.func.count(Invitation.accepted_at))
        .where(Invitation.process_id == process.id)).one()
    return ParticipationDocument(
        process_title=process.title, process_slug=process.slug, public=public,
        generated_at=utcnow(), draft_version=version.number if version else None,
        rounds=summaries, invitations_sent=sent, invitations_accepted=accepted,
        stakeholders=ordered, by_theme=dict(by_theme), by_section=dict(by_section))


def _section_names(process: Process, version) -> dict[int, str]:
    """Lineage → "3.2 Heading", from the latest version that has the section."""
    from ..drafts.models import DraftVersion

    names: dict[int, str] = {}
    for section in db.session.scalars(
            sa.select(Section).join(DraftVersion, DraftVersion.id == Section.version_id)
            .where(DraftVersion.process_id == process.id,
                   DraftVersion.published_at.is_not(None))
            .order_by(DraftVersion.number, Section.position)):
        names[section.lineage_id] = f"{section.number} {section.heading}"
    return names
