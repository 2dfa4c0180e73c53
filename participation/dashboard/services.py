"""The team's dashboard numbers: a fixed set of GROUP BY queries, whatever the amount of input.

What counts: input that is not withdrawn; comments by the project team are the municipality's
own words and never count as input. Taking part means having input that is published or waits
for moderation (as in processes.rules.took_part_in_input_round): rejected input is no part.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from ..accounts.models import OrganisationKind
from ..comments.models import Comment
from ..contributions.models import Contribution
from ..core.extensions import db
from ..core.mixins import ModerationState
from ..drafts.models import DraftVersion, Section
from ..moderation.models import Disposition, Response, TargetType
from ..processes.models import Process, Round, RoundKind, Theme

AMSTERDAM = ZoneInfo("Europe/Amsterdam")

#: Filling the days without input makes quiet days visible; beyond this span (odd data, such
#: as offline input dated long ago) only the days with input are listed.
MAX_FILLED_DAYS = 366


@dataclass(frozen=True)
class StateCounts:
    """Non-withdrawn input by where it stands; `hidden` is published input the team hid."""
    published: int = 0
    hidden: int = 0
    pending: int = 0
    rejected: int = 0

    @property
    def total(self) -> int:
        return self.published + self.hidden + self.pending + self.rejected


@dataclass(frozen=True)
class Participants:
    """Distinct people and organisations with input in round 1 and comments in round 2."""
    people_input: int = 0
    organisations_input: int = 0
    people_feedback: int = 0
    organisations_feedback: int = 0


@dataclass(frozen=True)
class KindParticipants:
    #: None: individuals, taking part without an organisation.
    kind: OrganisationKind | None
    participants: Participants


@dataclass(frozen=True)
class ThemeCount:
    theme_id: int
    title: str
    is_retired: bool
    counts: StateCounts


@dataclass(frozen=True)
class SectionCount:
    #: None for the row of sections the latest version no longer has.
    lineage_id: int | None
    #: The section's number and heading in the latest published version.
    number: str | None
    heading: str | None
    counts: StateCounts


@dataclass(frozen=True)
class DayCount:
    day: date  #: in Europe/Amsterdam
    count: int


@dataclass(frozen=True)
class ResponseProgress:
    """Published, visible input by how far the municipality's answer is."""
    published: dict[Disposition, int] = field(default_factory=dict)  #: answered, by disposition
    draft: int = 0  #: only a draft response, not shown to the author yet
    unanswered: int = 0

    @property
    def answered(self) -> int:
        return sum(self.published.values())

    @property
    def total(self) -> int:
        return self.answered + self.draft + self.unanswered


@dataclass(frozen=True)
class Dashboard:
    by_kind: list[KindParticipants]
    participants: Participants  #: the distinct totals (a person can be in two kinds over time)
    themes: list[ThemeCount]
    #: The latest published draft version's number; None before the first is published.
    draft_number: int | None
    sections: list[SectionCount]
    contribution_days: list[DayCount]
    comment_days: list[DayCount]
    contribution_states: StateCounts
    comment_states: StateCounts
    contribution_responses: ResponseProgress
    comment_responses: ResponseProgress


def dashboard(process: Process) -> Dashboard:
    by_kind, participants = _participants(process)
    themes = _themes(process)
    draft_number, sections = _sections(process)
    return Dashboard(
        by_kind=by_kind, participants=participants, themes=themes, draft_number=draft_number,
        sections=sections,
        contribution_days=_days(_contributions(process), Contribution.created_at),
        comment_days=_days(_comments(process), Comment.created_at),
        contribution_states=_sum_states(t.counts for t in themes),
        comment_states=_sum_states(s.counts for s in sections),
        contribution_responses=_responses(process, TargetType.contribution),
        comment_responses=_responses(process, TargetType.comment))


# --- what is counted ----------------------------------------------------------------------

def _contributions(process: Process, *columns):
    """Round-1 input of the process that is not withdrawn."""
    return (sa.select(*columns).select_from(Contribution)
            .join(Round, Contribution.round_id == Round.id)
            .where(Round.process_id == process.id, Round.kind == RoundKind.input,
                   Contribution.state != ModerationState.withdrawn))


def _comments(process: Process, *columns):
    """Round-2 comments of the process by stakeholders, not withdrawn."""
    return (sa.select(*columns).select_from(Comment)
            .join(Round, Comment.round_id == Round.id)
            .where(Round.process_id == process.id, Round.kind == RoundKind.feedback,
                   Comment.by_team.is_(False), Comment.state != ModerationState.withdrawn))


_TAKING_PART = (ModerationState.pending, ModerationState.published)


def _state_counts(rows) -> StateCounts:
    """(state, shown, n) rows, whatever the item type, into StateCounts."""
    fields = defaultdict(int)
    for state, shown, n in rows:
        if state is None:  # a theme or section without input (outer join)
            continue
        name = state.value
        if name == "published" and not shown:
            name = "hidden"
        fields[name] += n
    return StateCounts(**fields)


def _sum_states(counts) -> StateCounts:
    totals = defaultdict(int)
    for each in counts:
        for name in ("published", "hidden", "pending", "rejected"):
            totals[name] += getattr(each, name)
    return StateCounts(**totals)


# --- the queries --------------------------------------------------------------------------

def _participants(process: Process) -> tuple[list[KindParticipants], Participants]:
    """Four queries: people and organisations per kind, and the distinct totals, per round."""
    # As in the participation document: input for an organisation whose author is not a
    # confirmed member of it counts as a resident's (listed_under_organisation).
    listed_c, listed_m = Contribution.listed_under_organisation, Comment.listed_under_organisation
    kind_c = sa.case((listed_c, Contribution.organisation_kind), else_=None).label("kind")
    kind_m = sa.case((listed_m, Comment.organisation_kind), else_=None).label("kind")
    people_c = sa.func.count(sa.distinct(Contribution.author_id))
    orgs_c = sa.func.count(sa.distinct(sa.case((listed_c, Contribution.organisation_id))))
    taking_part_c = Contribution.state.in_(_TAKING_PART)
    people_m = sa.func.count(sa.distinct(Comment.author_id))
    orgs_m = sa.func.count(sa.distinct(sa.case((listed_m, Comment.organisation_id))))
    taking_part_m = Comment.state.in_(_TAKING_PART)

    per_kind: dict[OrganisationKind | None, dict[str, int]] = defaultdict(dict)
    for kind, people, orgs in db.session.execute(
            _contributions(process, kind_c, people_c, orgs_c)
            .where(taking_part_c).group_by(kind_c)):
        per_kind[kind].update(people_input=people, organisations_input=orgs)
    for kind, people, orgs in db.session.execute(
            _comments(process, kind_m, people_m, orgs_m)
            .where(taking_part_m).group_by(kind_m)):
        per_kind[kind].update(people_feedback=people, organisations_feedback=orgs)

    people_input, orgs_input = db.session.execute(
        _contributions(process, people_c, orgs_c).where(taking_part_c)).one()
    people_feedback, orgs_feedback = db.session.execute(
        _comments(process, people_m, orgs_m).where(taking_part_m)).one()

    rows = [KindParticipants(kind, Participants(**per_kind.get(kind, {})))
            for kind in (*OrganisationKind, None)]
    return rows, Participants(people_input=people_input, organisations_input=orgs_input,
                              people_feedback=people_feedback,
                              organisations_feedback=orgs_feedback)


def _themes(process: Process) -> list[ThemeCount]:
    """One query: every theme of the process, with its input by state (themes without too)."""
    shown = Contribution.is_shown
    rows = db.session.execute(
        sa.select(Theme.id, Theme.title, Theme.retired_at, Contribution.state, shown,
                  sa.func.count(Contribution.id))
        .select_from(Theme)
        .outerjoin(Contribution, sa.and_(Contribution.theme_id == Theme.id,
                                         Contribution.state != ModerationState.withdrawn))
        .where(Theme.process_id == process.id)
        .group_by(Theme.id, Theme.title, Theme.retired_at, Theme.position, Contribution.state,
                  shown)
        .order_by(Theme.position, Theme.id))
    themes: dict[int, tuple] = {}
    states: dict[int, list] = defaultdict(list)
    for theme_id, title, retired_at, state, is_shown, n in rows:
        themes.setdefault(theme_id, (title, retired_at is not None))
        states[theme_id].append((state, is_shown, n))
    return [ThemeCount(theme_id, title, retired, _state_counts(states[theme_id]))
            for theme_id, (title, retired) in themes.items()]


def _sections(process: Process) -> tuple[int | None, list[SectionCount]]:
    """Two queries: the latest published version's sections, and comments per lineage.

    Comments belong to a lineage, so comments on an earlier version's text count for the
    section that continues it; those on sections the latest version dropped are one last row.
    """
    latest = (sa.select(DraftVersion.id)
              .where(DraftVersion.process_id == process.id,
                     DraftVersion.published_at.is_not(None))
              .order_by(DraftVersion.number.desc()).limit(1).scalar_subquery())
    sections = db.session.execute(
        sa.select(DraftVersion.number, Section.lineage_id, Section.number, Section.heading)
        .join(DraftVersion, Section.version_id == DraftVersion.id)
        .where(Section.version_id == latest).order_by(Section.position)).all()
    shown = Comment.is_shown
    per_lineage: dict[int, list] = defaultdict(list)
    for lineage_id, state, is_shown, n in db.session.execute(
            _comments(process, Comment.lineage_id, Comment.state, shown,
                      sa.func.count(Comment.id))
            .group_by(Comment.lineage_id, Comment.state, shown)):
        per_lineage[lineage_id].append((state, is_shown, n))

    rows = [SectionCount(lineage_id, number, heading,
                         _state_counts(per_lineage.pop(lineage_id, [])))
            for _version, lineage_id, number, heading in sections]
    if per_lineage:
        elsewhere = [row for each in per_lineage.values() for row in each]
        rows.append(SectionCount(None, None, None, _state_counts(elsewhere)))
    return (sections[0][0] if sections else None), rows


def _per_hour(select, created_at):
    """Count per UTC hour: Amsterdam's offset is whole hours, so each hour falls in one day.

    Grouping by hour keeps the query portable (SQLite has no time zones) and the rows few:
    at most 24 a day, however much input there is.
    """
    parts = [sa.extract(unit, created_at) for unit in ("year", "month", "day", "hour")]
    return select.add_columns(*parts, sa.func.count()).group_by(*parts)


def _days(select, created_at) -> list[DayCount]:
    """One query: input per Amsterdam day, from the first day with input to the last."""
    counts: dict[date, int] = defaultdict(int)
    for year, month, day, hour, n in db.session.execute(_per_hour(select, created_at)):
        moment = datetime(int(year), int(month), int(day), int(hour), tzinfo=timezone.utc)
        counts[moment.astimezone(AMSTERDAM).date()] += n
    if not counts:
        return []
    first, last = min(counts), max(counts)
    if (last - first).days <= MAX_FILLED_DAYS:
        days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
    else:
        days = sorted(counts)
    return [DayCount(day, counts.get(day, 0)) for day in days]


def _responses(process: Process, target_type: TargetType) -> ResponseProgress:
    """One query: published, visible input by its response's disposition and publication."""
    if target_type is TargetType.contribution:
        select, item = _contributions(process), Contribution
    else:
        select, item = _comments(process), Comment
    is_draft = Response.published_at.is_(None)
    rows = db.session.execute(
        select.add_columns(Response.disposition, is_draft, sa.func.count(item.id))
        .outerjoin(Response, sa.and_(Response.target_type == target_type,
                                     Response.target_id == item.id))
        .where(item.is_shown)
        .group_by(Response.disposition, is_draft))
    published: dict[Disposition, int] = {}
    draft = unanswered = 0
    for disposition, draft_only, n in rows:
        if disposition is None:  # no response row (a response always has a disposition)
            unanswered += n
        elif draft_only:
            draft += n
        else:
            published[disposition] = published.get(disposition, 0) + n
    return ResponseProgress(published={d: published.get(d, 0) for d in Disposition},
                            draft=draft, unanswered=unanswered)
