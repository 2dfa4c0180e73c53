"""Gather the participation document's content once, as plain data, for every format.

Public: individuals are "Resident 1, 2, ..." (numbered in order of their first contribution),
organisations are named, only what everyone may read is listed (ModeratedMixin.is_shown, the
rule export.services.item_count counts by), no e-mail addresses, only published responses.
Internal: the same, plus hidden, rejected and pending items, marked as such with the team's
reasons, and draft responses, marked as drafts.
An item the team answered only by replying in its thread carries those replies
(`team_replies`): it is never printed as unanswered.
A fixed number of queries, whatever the size of the process.
"""
from __future__ import annotations

import html
import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import undefer

from ..comments.models import Comment
from ..contributions.models import Contribution
from ..drafts.models import DraftVersion, Section
from ..drafts.services import latest_published
from ..core.extensions import db
from ..core.mixins import ModerationState, shown_to_everyone
from ..accounts.models import Organisation, User, name_key
from ..analysis.models import AnalysisGroup, AnalysisGroupItem, Code, ItemCode
from ..invitations.models import Invitation, InvitationKind
from ..moderation.models import Response, ResponseSection, TargetType
from ..processes.models import Process, Round, RoundKind, Theme
from ..ratings.services import RoundRating, round_ratings
from ..core.timeutil import utcnow
from .member_check import MemberCheckChapter

_BLOCK_TAGS = re.compile(r"</?(?:p|br|li|ul|ol|blockquote|pre|h3|h4|hr)\b[^>]*>")
_TAGS = re.compile(r"<[^>]*>")
KIND_ORDER = ("business", "education", "government", "civil_society", "other")


@dataclass
class TeamReply:
    """The project team's reply to a comment in its thread (not an official response)."""
    text_md: str
    text_html: str
    created_at: datetime


@dataclass
class Item:
    kind: str  #: "contribution" (round 1) or "comment" (round 2)
    id: int
    round: str
    topic: str  #: the theme, or the section "3.2 Heading"
    title: str
    text_md: str
    #: The text as cleaned on save (bleach allow-list): what the HTML and PDF show, and what
    #: the DOCX turns into Word lists, links and emphasis.
    text_html: str
    created_at: datetime
    state: str
    hidden: bool
    offline_source: str | None = None
    #: Internal version only: the organisation the item was written for, when its author is
    #: not a confirmed member of it (or it is not confirmed): the item is listed as a
    #: resident's (accounts.models.listed_under_organisation).
    unverified_organisation: str | None = None
    #: For a reply: who it answered and the start of that text (the thread context).
    in_reply_to: str | None = None
    disposition: str | None = None
    response_md: str | None = None
    response_html: str | None = None
    response_sections: list[str] = field(default_factory=list)
    #: Internal version only: the response is a draft the team has not published yet.
    response_draft: bool = False
    #: The team's replies in the thread to this comment, oldest first.
    team_replies: list[TeamReply] = field(default_factory=list)
    #: The stable ids behind the names above, for the open-data API (participation.api): the
    #: theme (round 1) or section lineage (round 2), the comment replied to, the response and
    #: the lineages of the sections it names (in the order of `response_sections`).
    theme_id: int | None = None
    section_id: int | None = None
    parent_id: int | None = None
    response_id: int | None = None
    response_section_ids: list[int] = field(default_factory=list)
    #: Internal version only: why the team hid or rejected the item.
    hidden_reason: str | None = None
    rejection_reason: str | None = None

    @property
    def answered(self) -> bool:
        """The team answered it: with a response, or at least by replying in the thread."""
        return bool(self.disposition or self.team_replies)

    @property
    def shown(self) -> bool:
        """In the public version too (the internal one marks the others)."""
        return shown_to_everyone(ModerationState(self.state), self.hidden)


@dataclass
class Stakeholder:
    name: str
    kind: str | None  #: organisation kind; None for an individual
    sector: str
    items: list[Item] = field(default_factory=list)
    #: Invited by the team to read the draft along (round 2), and whether they accepted.
    invited_to_read_along: bool = False
    read_along: bool = False
    #: The member check (export.member_check): the last reply of someone listed here, and
    #: whether a reaction (not only confirmations) came in.
    checked_on: datetime | None = None
    reaction_received: bool = False

    @property
    def rounds(self) -> set[str]:
        return {item.round for item in self.items}

    @property
    def input_count(self) -> int:
        return sum(1 for item in self.items if item.round == "input")

    @property
    def feedback_count(self) -> int:
        return sum(1 for item in self.items if item.round == "feedback")


@dataclass
class RoundSummary:
    kind: str
    opens_at: datetime
    closes_at: datetime
    #: Stakeholders who took part, per organisation kind ("individual" for residents).
    participants_by_kind: dict[str, int]
    audience: str = "registered"  #: who could take part: any registered person, or invited
    items: int = 0  #: contributions (round 1) or reactions (round 2) in the document
    invited: int = 0  #: invitations sent by e-mail for this round
    invitations_accepted: int = 0

    @property
    def participants(self) -> int:
        return sum(self.participants_by_kind.values())


@dataclass
class Topic:
    """A theme (round 1) or a draft section (round 2), with who responded to it."""
    name: str
    items: int = 0
    stakeholders: list[str] = field(default_factory=list)


@dataclass
class ConcernAnswer:
    """A response of the municipality as the chapter "what came back most" shows it."""
    disposition: str
    text_md: str
    text_html: str
    sections: list[str] = field(default_factory=list)
    #: How many of the concern's items have this response.
    items: int = 0


@dataclass
class Concern:
    """A group of similar input (the analysis's, as the team kept it) or one of the team's
    codes, with what the municipality answered its items. Counts are of the items in this
    version of the document (the public one: what everyone may read, published responses)."""
    kind: str  #: "group" or "code"
    label: str
    round: str | None  #: a group's round ("input" or "feedback"); None for a code
    key_phrases: list[str]
    items: int
    stakeholders: int
    #: The one response every item got (the same disposition, text and sections); else None.
    shared: ConcernAnswer | None = None
    #: Disposition -> items with it, most first; "none" for items without a response.
    dispositions: dict[str, int] = field(default_factory=dict)
    #: When the items got different answers: the response most of them got.
    most_common: ConcernAnswer | None = None


@dataclass
class ParticipationDocument:
    process_title: str
    process_slug: str
    municipality: str
    public: bool
    generated_at: datetime
    draft_version: int | None
    rounds: list[RoundSummary]
    invitations_sent: int
    invitations_accepted: int
    #: Everyone in the overview: who took part, and organisations invited who did not.
    stakeholders: list[Stakeholder]
    #: The index: themes in their order, then sections in the draft's order.
    themes: list[Topic]
    sections: list[Topic]
    #: The member check and its reactions chapter (export.member_check); None: there was none.
    member_check: MemberCheckChapter | None = None
    #: How participants rated each round (participation.ratings): the remarks without names in
    #: the public version.
    ratings: list[RoundRating] = field(default_factory=list)
    #: The chapter "what came back most": groups, then codes, most items first.
    concerns: list[Concern] = field(default_factory=list)

    def items(self):
        for stakeholder in self.stakeholders:
            for item in stakeholder.items:
                yield stakeholder, item

    @property
    def contributors(self) -> list[Stakeholder]:
        """The stakeholders with at least one item: the per-stakeholder part of the document."""
        return [s for s in self.stakeholders if s.items]

    @property
    def item_count(self) -> int:
        return sum(len(s.items) for s in self.stakeholders)


def build(process: Process, *, public: bool = True, resident_label: str = "Resident",
          municipality: str = "", removed_label: str = "a contribution that was removed",
          withdrawn_label: str = "a contribution its author withdrew",
          team_label: str = "the municipality") -> ParticipationDocument:
    rounds = {r.kind: r for r in db.session.scalars(sa.select(Round).where(
        Round.process_id == process.id))}
    themes = {t.id: t.title for t in db.session.scalars(sa.select(Theme).where(
        Theme.process_id == process.id).order_by(Theme.position, Theme.id))}
    version = latest_published(process)
    section_names = _section_names(process, version)
    section_order = list(dict.fromkeys(section_names.values()))

    contributions = list(db.session.scalars(
        sa.select(Contribution).options(undefer(Contribution.listed_under_organisation))
        .join(Round, Round.id == Contribution.round_id)
        .where(Round.process_id == process.id,
               Contribution.state != ModerationState.withdrawn)
        .order_by(Contribution.created_at, Contribution.id)))
    comments = list(db.session.scalars(
        sa.select(Comment).options(undefer(Comment.listed_under_organisation))
        .join(Round, Round.id == Comment.round_id)
        .where(Round.process_id == process.id, Comment.by_team.is_(False),
               Comment.state != ModerationState.withdrawn)
        .order_by(Comment.created_at, Comment.id)))
    parents = {c.id: c for c in db.session.scalars(sa.select(Comment).options(
        undefer(Comment.listed_under_organisation)).where(
        Comment.id.in_({c.parent_id for c in comments if c.parent_id} or {-1})))}
    # The team's own replies in threads: shown under the comment they answer.
    team_replies: dict[int, list[TeamReply]] = defaultdict(list)
    for parent_id, body_md, body_html, created_at in db.session.execute(
            sa.select(Comment.parent_id, Comment.body_md, Comment.body_html, Comment.created_at)
            .join(Round, Round.id == Comment.round_id)
            .where(Round.process_id == process.id, Comment.by_team.is_(True),
                   Comment.parent_id.is_not(None), Comment.is_shown)
            .order_by(Comment.created_at, Comment.id)):
        team_replies[parent_id].append(TeamReply(body_md, body_html, created_at))
    response_query = sa.select(Response).where(Response.process_id == process.id)
    if public:
        response_query = response_query.where(Response.published_at.is_not(None))
    responses = {(r.target_type, r.target_id): r
                 for r in db.session.scalars(response_query)}
    response_sections = defaultdict(list)
    for response_id, lineage_id in db.session.execute(
            sa.select(ResponseSection.response_id, ResponseSection.lineage_id)
            .join(Response, Response.id == ResponseSection.response_id)
            .where(Response.process_id == process.id)):
        if lineage_id in section_names:
            response_sections[response_id].append((section_names[lineage_id], lineage_id))

    residents: dict[int | str, str] = {}
    stakeholders: dict[str, Stakeholder] = {}
    #: (kind, id) of items listed as a resident's although written for an organisation, with
    #: the organisation's name: marked in the internal version.
    unverified: dict[tuple[str, int], str] = {}

    def stakeholder_for(item) -> Stakeholder:
        """Under the organisation only when the team entered it or its author is a confirmed
        member of the (confirmed) organisation; else as the author's "Resident N"."""
        if item.organisation_kind is not None and item.listed_under_organisation:
            key = f"org:{item.organisation_id or item.organisation_name}"
            if key not in stakeholders:
                stakeholders[key] = Stakeholder(item.organisation_name or "",
                                                item.organisation_kind.value, "")
            return stakeholders[key]
        if item.organisation_kind is not None and not public:
            kind = "contribution" if isinstance(item, Contribution) else "comment"
            unverified[(kind, item.id)] = item.organisation_name or ""
        person = item.author_id or f"offline:{item.organisation_name}"
        if person not in residents:
            residents[person] = f"{resident_label} {len(residents) + 1}"
        key = f"person:{person}"
        if key not in stakeholders:
            stakeholders[key] = Stakeholder(residents[person], None, "")
        return stakeholders[key]

    def keep(item) -> bool:
        return item.is_shown or not public

    def with_response(entry: Item, kind: TargetType) -> Item:
        response = responses.get((kind, entry.id))
        if response is not None:
            entry.disposition = response.disposition.value
            entry.response_md = response.body_md
            entry.response_html = response.body_html
            linked = sorted(response_sections.get(response.id, []))
            entry.response_sections = [name for name, _lineage in linked]
            entry.response_section_ids = [lineage for _name, lineage in linked]
            entry.response_id = response.id
            entry.response_draft = response.published_at is None
        return entry

    def reasons(entry: Item, item) -> Item:
        if not public:
            entry.hidden_reason = item.hidden_reason if item.is_hidden else None
            entry.rejection_reason = (item.rejection_reason
                                      if item.state.value == "rejected" else None)
        return entry

    for c in contributions:
        if not keep(c):
            continue
        stakeholder_for(c).items.append(reasons(with_response(Item(
            kind="contribution", id=c.id, round="input", topic=themes.get(c.theme_id, ""),
            title=c.title, **_text(c, public), created_at=c.created_at,
            state=c.state.value,
            hidden=c.is_hidden, offline_source=c.offline_source, theme_id=c.theme_id),
            TargetType.contribution), c))
    for c in comments:
        if not keep(c):
            continue
        context = None
        parent = parents.get(c.parent_id) if c.parent_id else None
        if parent is not None:
            context = _reply_context(parent, resident_label=resident_label,
                                     removed_label=removed_label,
                                     withdrawn_label=withdrawn_label, team_label=team_label,
                                     public=public)
        entry = reasons(with_response(Item(
            kind="comment", id=c.id, round="feedback",
            topic=section_names.get(c.lineage_id, ""), title="", **_text(c, public),
            created_at=c.created_at, state=c.state.value, hidden=c.is_hidden,
            in_reply_to=context, section_id=c.lineage_id, parent_id=c.parent_id),
            TargetType.comment), c)
        entry.team_replies = team_replies.get(c.id, [])
        stakeholder_for(c).items.append(entry)

    for stakeholder in stakeholders.values():
        for entry in stakeholder.items:
            entry.unverified_organisation = unverified.get((entry.kind, entry.id))
    _add_invitations(process, stakeholders, residents, resident_label)
    ordered = sorted((s for s in stakeholders.values() if s.kind is not None),
                     key=lambda s: s.name.casefold())
    ordered += sorted((s for s in stakeholders.values() if s.kind is None),
                      key=lambda s: int(s.name.rsplit(" ", 1)[-1]))
    theme_topics = {name: Topic(name) for name in themes.values()}
    section_topics = {name: Topic(name) for name in section_order}
    position = {name: n for n, name in enumerate([*themes.values(), *section_order])}
    for stakeholder in ordered:
        stakeholder.items.sort(key=lambda i: (i.round != "input", position.get(i.topic, 1 << 30),
                                              i.created_at))
        for item in stakeholder.items:
            index = theme_topics if item.round == "input" else section_topics
            topic = index.setdefault(item.topic, Topic(item.topic))
            topic.items += 1
            if not topic.stakeholders or topic.stakeholders[-1] != stakeholder.name:
                topic.stakeholders.append(stakeholder.name)

    invitations = db.session.execute(
        sa.select(Invitation.kind, sa.func.count(Invitation.id),
                  sa.func.count(Invitation.accepted_at))
        .where(Invitation.process_id == process.id).group_by(Invitation.kind)).all()
    invited = {kind.value: (sent, accepted) for kind, sent, accepted in invitations}
    summaries = []
    for kind in (RoundKind.input, RoundKind.feedback):
        round_ = rounds.get(kind)
        if round_ is None:
            continue
        counts: dict[str, int] = defaultdict(int)
        items = 0
        for stakeholder in ordered:
            if kind.value in stakeholder.rounds:
                counts[stakeholder.kind or "individual"] += 1
            items += sum(1 for item in stakeholder.items if item.round == kind.value)
        # "Full" invitations ask people into both rounds; "read along" ones into round 2.
        sent, accepted = invited.get("full", (0, 0))
        if kind is RoundKind.feedback:
            more = invited.get("read_along", (0, 0))
            sent, accepted = sent + more[0], accepted + more[1]
        summaries.append(RoundSummary(
            kind.value, round_.opens_at, round_.closes_at,
            {k: counts[k] for k in (*KIND_ORDER, "individual") if counts.get(k)},
            audience=round_.audience.value, items=items, invited=sent,
            invitations_accepted=accepted))
    return ParticipationDocument(
        process_title=process.title, process_slug=process.slug, municipality=municipality,
        public=public, generated_at=utcnow(), draft_version=version.number if version else None,
        rounds=summaries, invitations_sent=sum(v[0] for v in invited.values()),
        invitations_accepted=sum(v[1] for v in invited.values()), stakeholders=ordered,
        themes=[t for t in theme_topics.values() if t.items],
        sections=[t for t in section_topics.values() if t.items],
        ratings=round_ratings(process, public=public),
        concerns=concerns(process, ordered))


#: A group of the analysis is in the chapter when this many of its items are in the document.
CONCERN_MIN_ITEMS = 2


def concerns(process: Process, stakeholders: list[Stakeholder]) -> list[Concern]:
    """The chapter "what came back most": per group of the analysis (with at least
    CONCERN_MIN_ITEMS items in the document) and per code of the team, the items, the
    stakeholders and the municipality's answer, from the items already gathered. Two queries."""
    where: dict[tuple[str, int], tuple[Stakeholder, Item]] = {
        (item.kind, item.id): (stakeholder, item)
        for stakeholder in stakeholders for item in stakeholder.items}
    members: dict[tuple[str, int], list] = defaultdict(list)
    labels: dict[tuple[str, int], tuple[str, str | None, list[str]]] = {}
    for row in db.session.execute(
            sa.select(AnalysisGroup.id, AnalysisGroup.label, AnalysisGroup.round_kind,
                      AnalysisGroup.key_phrases, AnalysisGroupItem.item_kind,
                      AnalysisGroupItem.item_id)
            .join(AnalysisGroupItem, AnalysisGroupItem.group_id == AnalysisGroup.id)
            .where(AnalysisGroup.process_id == process.id)):
        labels[("group", row.id)] = (row.label, row.round_kind.value, list(row.key_phrases or []))
        members[("group", row.id)].append((row.item_kind.value, row.item_id))
    for row in db.session.execute(
            sa.select(Code.id, Code.name, ItemCode.item_kind, ItemCode.item_id)
            .join(ItemCode, ItemCode.code_id == Code.id).where(Code.process_id == process.id)):
        labels[("code", row.id)] = (row.name, None, [])
        members[("code", row.id)].append((row.item_kind.value, row.item_id))
    found = []
    for key, keys in members.items():
        present = [where[k] for k in dict.fromkeys(keys) if k in where]
        if not present or (key[0] == "group" and len(present) < CONCERN_MIN_ITEMS):
            continue
        label, round_, phrases = labels[key]
        found.append(_concern(key[0], label, round_, phrases, present))
    found.sort(key=lambda c: (c.kind != "group", -c.items, -c.stakeholders, c.label.casefold()))
    return found


def _concern(kind: str, label: str, round_: str | None, phrases: list[str],
             present: list[tuple[Stakeholder, Item]]) -> Concern:
    answers: dict[tuple, ConcernAnswer] = {}
    dispositions: dict[str, int] = defaultdict(int)
    for _stakeholder, item in present:
        dispositions[item.disposition or "none"] += 1
        if item.disposition:
            answer = answers.setdefault(
                (item.disposition, item.response_md, tuple(item.response_sections)),
                ConcernAnswer(item.disposition, item.response_md or "", item.response_html or "",
                              list(item.response_sections)))
            answer.items += 1
    concern = Concern(kind, label, round_, phrases, items=len(present),
                      stakeholders=len({id(s) for s, _item in present}),
                      dispositions=dict(sorted(dispositions.items(), key=lambda d: -d[1])))
    if len(answers) == 1 and "none" not in dispositions:
        concern.shared = next(iter(answers.values()))
    elif answers:
        concern.most_common = max(answers.values(), key=lambda a: a.items)
    return concern


def _add_invitations(process: Process, stakeholders: dict[str, Stakeholder],
                     residents: dict, resident_label: str) -> None:
    """Mark who was invited to read along and who accepted; organisations invited that did not
    take part join the overview (people are only ever counted, never listed by name)."""
    rows = db.session.execute(
        sa.select(Invitation.organisation_name, Invitation.accepted_at,
                  User.id, User.organisation_id, Organisation.name, Organisation.kind)
        .outerjoin(User, User.id == Invitation.accepted_user_id)
        .outerjoin(Organisation, Organisation.id == User.organisation_id)
        .where(Invitation.process_id == process.id,
               Invitation.kind == InvitationKind.read_along,
               Invitation.revoked_at.is_(None))).all()
    by_name = {s.name.casefold(): s for s in stakeholders.values() if s.kind is not None}
    unknown_names = set()
    for row in rows:
        stakeholder = None
        if row.organisation_id is not None:
            stakeholder = stakeholders.get(f"org:{row.organisation_id}")
            if stakeholder is None:
                stakeholder = stakeholders[f"org:{row.organisation_id}"] = Stakeholder(
                    row.name, row.kind.value, "")
                by_name[row.name.casefold()] = stakeholder
        elif row.id is not None:
            stakeholder = stakeholders.get(f"person:{row.id}")
        elif row.organisation_name:
            stakeholder = by_name.get(row.organisation_name.casefold())
            if stakeholder is None:
                unknown_names.add(row.organisation_name)
        if stakeholder is not None:
            stakeholder.invited_to_read_along = True
            stakeholder.read_along = stakeholder.read_along or row.accepted_at is not None
    if unknown_names:
        known = {o.name_key: o for o in db.session.scalars(sa.select(Organisation).where(
            Organisation.name_key.in_({name_key(n) for n in unknown_names})))}
        for name in sorted(unknown_names):
            if name.casefold() in by_name:
                by_name[name.casefold()].invited_to_read_along = True
                continue
            organisation = known.get(name_key(name))
            stakeholder = Stakeholder(organisation.name if organisation else name,
                                      organisation.kind.value if organisation else "other", "",
                                      invited_to_read_along=True)
            stakeholders[f"invited:{name.casefold()}"] = stakeholder
            by_name[name.casefold()] = stakeholder


def _reply_context(parent: Comment, *, resident_label: str, removed_label: str,
                   withdrawn_label: str, team_label: str, public: bool = True) -> str:
    """What a reply answers, as the document says it: who and the start of their text; for a
    parent nobody may read any more, only that it is gone (a name with nothing to answer to
    would suggest the reply answers that stakeholder's published words)."""
    if parent.removed_at is not None:
        return removed_label
    if parent.state is ModerationState.withdrawn:
        return withdrawn_label
    if not parent.is_shown:
        return removed_label
    if parent.by_team:
        who = team_label
    else:
        who = parent.organisation_name if parent.organisation_kind \
            and parent.listed_under_organisation else resident_label.lower()
    snippet = _snippet(_text(parent, public)["text_html"])
    return f"{who}: {snippet}" if snippet else who


def _text(item, public: bool) -> dict:
    """The item's text for the document: the public version reads it as published (personal
    data replaced, participation.redaction), the internal one as its author wrote it."""
    if public:
        return {"text_md": item.published_md, "text_html": item.published_html}
    return {"text_md": item.body_md, "text_html": item.body_html}


def _snippet(cleaned_html: str, limit: int = 200) -> str:
    """The start of a text as plain words (the HTML was cleaned on save, so dropping its tags
    leaves exactly the text), cut at a word with an ellipsis."""
    text = _TAGS.sub("", _BLOCK_TAGS.sub(" ", cleaned_html))
    text = " ".join(html.unescape(text).split())
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0] + " …"


def _section_names(process: Process, version) -> dict[int, str]:
    """Lineage → "3.2 Heading", from the latest version that has the section, in the order of
    the latest version (sections it dropped come after)."""
    return {lineage: section_name(section)
            for lineage, section in latest_sections(process).items()}


def section_name(section: Section) -> str:
    """How the document names a section: "3.2 Heading"."""
    return f"{section.number} {section.heading}"


def latest_sections(process: Process) -> dict[int, Section]:
    """Lineage → the section as the latest published version that has it says it, in the order
    of the latest version (sections it dropped come after). One query."""
    sections: dict[int, Section] = {}
    for section in db.session.scalars(
            sa.select(Section).join(DraftVersion, DraftVersion.id == Section.version_id)
            .where(DraftVersion.process_id == process.id,
                   DraftVersion.published_at.is_not(None))
            .order_by(DraftVersion.number.desc(), Section.position)):
        sections.setdefault(section.lineage_id, section)
    return sections
