"""The dashboard page: each block of numbers as a bar chart and as a data table."""
from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, render_template
from flask_babel import format_date, format_decimal, ngettext
from flask_babel import gettext as _
from markupsafe import Markup

from ..accounts.models import OrganisationKind
from ..moderation.labels import disposition_names
from ..moderation.models import Disposition
from ..core.roles import is_team, require
from ..ratings.services import round_ratings
from ..processes.services import get_visible_process
from . import services, svg
from .services import ResponseProgress, StateCounts

bp = Blueprint("dashboard", __name__)


@bp.get("/p/<slug>/dashboard")
def dashboard(slug: str):
    process = get_visible_process(slug)
    require(is_team)
    numbers = services.dashboard(process)
    return render_template("dashboard/dashboard.html", process=process, numbers=numbers,
                           blocks=_blocks(numbers) + _rating_blocks(process))


@dataclass(frozen=True)
class Block:
    """One set of numbers: a heading, a chart, and the table with the same numbers."""
    id: str
    title: str
    hint: str
    row_header: str
    columns: list[str]
    #: (label, values); a value None is "not applicable", shown as a dash.
    rows: list[tuple[str, list[int | None]]]
    chart: Markup | None
    footer: tuple[str, list[int | None]] | None = None
    #: Shown instead of chart and table when there is nothing to count yet.
    empty: str | None = None
    #: Participants' own words under the table (the ratings' remarks, without names).
    remarks: list[str] | None = None


def _kind_labels() -> dict[OrganisationKind | None, str]:
    return {OrganisationKind.business: _("Businesses"),
            OrganisationKind.education: _("Education and knowledge institutions"),
            OrganisationKind.government: _("Government"),
            OrganisationKind.civil_society: _("Civil-society organisations"),
            OrganisationKind.other: _("Other organisations"),
            None: _("Individuals (no organisation)")}


def _disposition_labels() -> dict[Disposition, str]:
    return {Disposition(value): name for value, name in disposition_names().items()}


def _state_columns() -> list[str]:
    return [_("Published"), _("Hidden"), _("Waiting for moderation"), _("Rejected"), _("Total")]


def _state_values(counts: StateCounts) -> list[int]:
    return [counts.published, counts.hidden, counts.pending, counts.rejected, counts.total]


def _grouped(block_id: str, title: str, description: str, columns: list[str], rows) -> Markup:
    """One group of bars per row, one bar per column: the table's numbers, drawn."""
    return svg.grouped_bar_chart(block_id, title, description,
                                 [(label, list(zip(columns, values, strict=True))) for label, values in rows])


def _blocks(numbers: services.Dashboard) -> list[Block]:
    table_below = _("The same numbers are in the table below the chart.")
    return [_participants(numbers, table_below), _states(numbers, table_below),
            _themes(numbers, table_below), _sections(numbers, table_below),
            _days("contribution-days", _("Contributions per day"), _("Contributions"),
                  numbers.contribution_days, _("No contributions yet."), table_below),
            _days("comment-days", _("Comments per day"), _("Comments"),
                  numbers.comment_days, _("No comments yet."), table_below),
            _responses(numbers, table_below)]


def _participants(numbers, table_below: str) -> Block:
    title = _("People and organisations that took part")
    columns = [_("People, round 1"), _("Organisations, round 1"),
               _("People, round 2"), _("Organisations, round 2")]
    labels = _kind_labels()
    rows = []
    for row in numbers.by_kind:
        p = row.participants
        if row.kind is None:  # individuals have no organisation to count
            rows.append((labels[None], [p.people_input, None, p.people_feedback, None]))
        else:
            rows.append((labels[row.kind], [p.people_input, p.organisations_input,
                                            p.people_feedback, p.organisations_feedback]))
    total = numbers.participants
    return Block(
        id="participants", title=title,
        hint=_("Distinct people and organisations with input in round 1 and comments in round 2 "
               "that are published or waiting for moderation, by the kind of organisation they "
               "took part for."),
        row_header=_("Kind of organisation"), columns=columns, rows=rows,
        footer=(_("Total (each counted once)"),
                [total.people_input, total.organisations_input, total.people_feedback,
                 total.organisations_feedback]),
        chart=_grouped("participants-chart", title,
                       _("Bars per kind of organisation: people and organisations in round 1 and "
                         "round 2.") + " " + table_below, columns, rows))


def _states(numbers, table_below: str) -> Block:
    title = _("Input and comments by state")
    columns = _state_columns()
    rows = [(_("Contributions (round 1)"), _state_values(numbers.contribution_states)),
            (_("Comments (round 2)"), _state_values(numbers.comment_states))]
    return Block(
        id="states", title=title,
        hint=_("Hidden: published, then hidden by the project team. Withdrawn input and comments "
               "by the project team are not counted."),
        row_header=_("Input"), columns=columns, rows=rows,
        chart=_grouped("states-chart", title, _("Bars per state, for contributions and for "
                                                "comments.") + " " + table_below, columns, rows))


def _themes(numbers, table_below: str) -> Block:
    title = _("Contributions per theme")
    rows = [(theme.title + (" " + _("(closed theme)") if theme.is_retired else ""),
             _state_values(theme.counts)) for theme in numbers.themes]
    return Block(
        id="themes", title=title, hint="", row_header=_("Theme"), columns=_state_columns(),
        rows=rows, empty=None if rows else _("This process has no themes yet."),
        chart=svg.bar_chart("themes-chart", title,
                            _("One bar per theme: the total of its contributions.") + " "
                            + table_below, [(label, values[-1]) for label, values in rows]))


def _sections(numbers, table_below: str) -> Block:
    title = _("Comments per section")
    rows = [((f"{s.number} {s.heading}" if s.lineage_id is not None
              else _("Sections no longer in this version")), _state_values(s.counts))
            for s in numbers.sections]
    hint = ""
    if numbers.draft_number is not None:
        hint = _("Sections of draft version %(number)s, the latest published. Comments on an "
                 "earlier version count for the section that continues it.",
                 number=numbers.draft_number)
    return Block(
        id="sections", title=title, hint=hint, row_header=_("Section"),
        columns=_state_columns(), rows=rows,
        empty=None if rows else _("No draft has been published yet."),
        chart=svg.bar_chart("sections-chart", title,
                            _("One bar per section: the total of its comments.") + " "
                            + table_below, [(label, values[-1]) for label, values in rows]))


def _days(block_id: str, title: str, column: str, days, empty: str, table_below: str) -> Block:
    return Block(
        id=block_id, title=title, hint=_("Days in Dutch time (Europe/Amsterdam)."),
        row_header=_("Date"), columns=[column],
        rows=[(format_date(d.day, "d MMMM yyyy"), [d.count]) for d in days],
        empty=None if days else empty,
        chart=svg.bar_chart(f"{block_id}-chart", title,
                            _("One bar per day.") + " " + table_below,
                            [(format_date(d.day, "EEE d MMM"), d.count) for d in days]))


def _responses(numbers, table_below: str) -> Block:
    title = _("Responses of the municipality")
    columns = [_("Contributions"), _("Comments"), _("Total")]
    contributions: ResponseProgress = numbers.contribution_responses
    comments: ResponseProgress = numbers.comment_responses
    rows = [(label, [contributions.published[disposition], comments.published[disposition],
                     contributions.published[disposition] + comments.published[disposition]])
            for disposition, label in _disposition_labels().items()]
    rows.append((_("Only a draft response"),
                 [contributions.draft, comments.draft, contributions.draft + comments.draft]))
    rows.append((_("No response yet"), [contributions.unanswered, comments.unanswered,
                                        contributions.unanswered + comments.unanswered]))
    answered = contributions.answered + comments.answered
    total = contributions.total + comments.total
    return Block(
        id="responses", title=title,
        hint=_("Published, visible contributions and comments: %(answered)s of %(total)s have a "
               "published response. Published responses are counted by disposition.",
               answered=answered, total=total),
        row_header=_("Response"), columns=columns, rows=rows,
        footer=(_("Total"), [contributions.total, comments.total, total]),
        chart=_grouped("responses-chart", title,
                       _("Bars per disposition or progress, for contributions and for comments.")
                       + " " + table_below, columns[:2], [(label, values[:2])
                                                          for label, values in rows]))


def _rating_blocks(process) -> list[Block]:
    """Per round, how participants rated it (participation.ratings): average and respondents
    in the hint, the scores 1-10 as a chart and a table, the remarks without names."""
    blocks = []
    for r in round_ratings(process, public=True):
        name = _("Round 1") if r.kind == "input" else _("Round 2")
        title = _("Rating of the process: %(round)s", round=name)
        rows = [(str(score), [n]) for score, n in sorted(r.distribution.items())]
        blocks.append(Block(
            id=f"rating-{r.kind}", title=title,
            hint=ngettext("%(num)d participant rated this round; average score %(average)s.",
                          "%(num)d participants rated this round; average score %(average)s.",
                          r.respondents, average=format_decimal(r.average or 0, "0.0"))
            if r.respondents else "",
            row_header=_("Score"), columns=[_("Participants")], rows=rows,
            empty=None if r.respondents else _("Nobody has rated this round yet."),
            remarks=[remark.text for remark in r.remarks],
            chart=svg.bar_chart(f"rating-{r.kind}-chart", title,
                                _("One bar per score from 1 to 10: how many participants gave "
                                  "it.") + " " + _("The same numbers are in the table below the "
                                                   "chart."),
                                [(str(score), n) for score, n in sorted(r.distribution.items())])))
    return blocks
