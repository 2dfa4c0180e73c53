"""Offline input from a spreadsheet (CSV or XLSX): read, check every row, store all or nothing.

One row is one contribution recorded as offline input (services.record_offline), with the
source the team gives plus the file's name and line. The page (a preview, then a
confirmation) and `flask input import` share `plan_import` and `import_rows`.

A row the round already holds is not stored again: every row's submission key is a digest of
its round, sender, theme, title and text (for a row without a sender, also its line), so the
same file imported twice, by a double click or by two team members at the same moment, stores
each row once; the unique key settles a race that the check before storing cannot see.
"""
from __future__ import annotations

import hashlib
import logging
import os
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime, time

import sqlalchemy as sa
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError, OperationalError

from ..accounts.labels import KIND_LABELS
from ..accounts.models import Organisation, OrganisationKind, User, name_key
from ..audit.services import record
from ..core.conflicts import for_change
from ..core.extensions import db
from ..core.sanitize import markdown_to_html, plain_text
from ..core.spreadsheets import Sheet, Unreadable, header_key, parse_date, read_sheet
from ..core.timeutil import amsterdam_to_utc, utc_to_amsterdam, utcnow
from ..processes.models import Round, Theme
from . import services
from .forms import BODY_MAX, TITLE_MAX
from .models import Contribution

log = logging.getLogger(__name__)

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 5000
SOURCE_MAX = 200
NAME_MAX = 200
#: How much of the file's name goes into each item's source (offline_source holds 300).
FILE_NAME_SHOWN = 80

#: The columns, each by the names it may have in line 1 (compared with header_key).
COLUMNS: dict[str, tuple[str, ...]] = {
    "organisation": ("organisatie", "organisation", "organization", "naam organisatie",
                     "organisatienaam", "organisation name", "organization name"),
    "kind": ("soort organisatie", "soort", "kind", "kind of organisation",
             "kind of organization", "type organisatie", "organisation kind", "type"),
    "theme": ("thema", "theme"),
    "title": ("titel", "title", "onderwerp", "subject"),
    "text": ("tekst", "text", "inbreng", "input"),
    "date": ("datum ontvangen", "date received", "ontvangen", "received", "datum", "date"),
    "name": ("naam", "name", "naam persoon", "persoon", "person", "name of the person"),
}
REQUIRED = ("theme", "title", "text")
_COLUMN_OF = {header_key(name): column for column, names in COLUMNS.items() for name in names}

#: The kinds of organisation as people write them (header_key'd), besides the site's labels.
KIND_WORDS: dict[str, OrganisationKind] = {
    **{word: OrganisationKind.business for word in (
        "business", "bedrijf", "bedrijven", "onderneming", "ondernemer", "ondernemers",
        "company")},
    **{word: OrganisationKind.education for word in (
        "education", "onderwijs", "kennisinstelling", "onderwijs of kennisinstelling",
        "onderwijs en kennis", "education or knowledge institution", "knowledge institution")},
    **{word: OrganisationKind.government for word in ("government", "overheid")},
    **{word: OrganisationKind.civil_society for word in (
        "civil society", "civil society organisation", "civil society organization",
        "maatschappelijke organisatie", "maatschappelijk")},
    **{word: OrganisationKind.other for word in ("other", "anders", "overig", "overige")},
}

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@dataclass(frozen=True)
class Problem:
    #: As the spreadsheet numbers it (the column names are line 1); 0: the file as a whole.
    line: int
    message: str


@dataclass(frozen=True)
class PlannedRow:
    line: int
    theme: Theme
    organisation: Organisation | None
    #: The organisation's name as stored (a known one's own spelling), or the person's name.
    sender: str
    kind: OrganisationKind | None
    title: str
    body: str
    received_on: date | None
    key: str


@dataclass(frozen=True)
class Skipped:
    line: int
    #: The earlier line of this file with the same row; None: the round already holds it.
    same_as: int | None


@dataclass
class ImportPlan:
    filename: str
    source: str
    rows: list[PlannedRow] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    #: The ids stored, once `store` has run.
    stored: list[int] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def shown_file_name(filename: str | None) -> str:
    name = os.path.basename((filename or "").replace("\\", "/")).strip()
    return "".join(ch for ch in name if ch.isprintable())[:FILE_NAME_SHOWN] or "import"


def read(data: bytes) -> Sheet:
    """The file's rows; raises Unreadable (also for a file over MAX_BYTES)."""
    if len(data) > MAX_BYTES:
        raise Unreadable(_l("The file is larger than %(mb)d MB. Split it into smaller files.",
                            mb=MAX_BYTES // (1024 * 1024)))
    if not data.strip():
        raise Unreadable(_l("The file is empty."))
    return read_sheet(data, max_rows=MAX_ROWS,
                      header_score=lambda cells: sum(header_key(c) in _COLUMN_OF for c in cells))


def _kind_words() -> dict[str, OrganisationKind]:
    words = dict(KIND_WORDS)
    for locale in ("nl", "en"):
        with force_locale(locale):
            words.update({header_key(str(label)): kind for kind, label in KIND_LABELS.items()})
    words.update({kind.value.replace("_", " "): kind for kind in OrganisationKind})
    return words


def _kind_names() -> str:
    return ", ".join(str(label).lower() for label in KIND_LABELS.values())


def _clean_body(text: str) -> str:
    text = unicodedata.normalize("NFC", _CONTROL.sub("", text.replace("\r\n", "\n")))
    return text.replace("\r", "\n").strip()


def row_key(round_: Round, sender_key: str, theme: Theme, title: str, body: str) -> str:
    """The submission key of an imported row: the same row in the same round, the same key."""
    parts = ("import", str(round_.id), sender_key, str(theme.id), " ".join(title.split()),
             " ".join(body.split()))
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def _existing_keys(keys: list[str]) -> set[str]:
    found: set[str] = set()
    for start in range(0, len(keys), 500):  # bounded IN lists
        found.update(db.session.scalars(sa.select(Contribution.submission_key).where(
            Contribution.submission_key.in_(keys[start:start + 500]))))
    return found


def _organisations(names: set[str]) -> dict[str, Organisation]:
    keys = sorted(names)
    found: dict[str, Organisation] = {}
    for start in range(0, len(keys), 500):
        found.update((org.name_key, org) for org in db.session.scalars(
            sa.select(Organisation).where(Organisation.name_key.in_(keys[start:start + 500]))))
    return found


def plan_import(round_: Round, sheet: Sheet, *, filename: str, source: str) -> ImportPlan:
    """Every row checked against the round's themes and the known organisations; every
    problem with its line. Nothing is written."""
    plan = ImportPlan(filename=shown_file_name(filename), source=plain_text(source))
    columns: dict[str, int] = {}
    for index, name in enumerate(sheet.header):
        column = _COLUMN_OF.get(header_key(name))
        if column is None:
            if name.strip():
                plan.ignored_columns.append(name.strip())
        elif column in columns:
            plan.problems.append(Problem(1, _('The column "%(name)s" appears twice.',
                                              name=name.strip())))
        else:
            columns[column] = index
    for column in REQUIRED:
        if column not in columns:
            plan.problems.append(Problem(1, _(
                'There is no column "%(nl)s" (or "%(en)s"). Line 1 must hold the column '
                'names.', nl=COLUMNS[column][0], en=COLUMNS[column][1])))
    if sheet.too_many:
        plan.problems.append(Problem(0, _("The file has more than %(n)s rows. Split it into "
                                          "files of at most %(n)s rows.", n=f"{MAX_ROWS:,}")))
    if plan.problems:
        return plan
    themes = {name_key(theme.title): theme for theme in round_.process.themes}
    kinds = _kind_words()

    def cell(cells, column) -> str | date:
        index = columns.get(column)
        return cells[index] if index is not None and index < len(cells) else ""

    def text(cells, column) -> str:
        value = cell(cells, column)
        return value.isoformat() if isinstance(value, date) else value

    rows = [(line, cells) for line, cells in sheet.rows if any(cells)]
    if not rows:
        plan.problems.append(Problem(0, _("The file has no rows below the column names.")))
        return plan
    organisations = _organisations({name_key(text(cells, "organisation")) for _, cells in rows}
                                   - {""})
    today = utc_to_amsterdam(utcnow()).date()
    planned: list[PlannedRow] = []
    for line, cells in rows:
        problems = []

        def problem(message: str) -> None:
            problems.append(Problem(line, message))  # noqa: B023 - used within the iteration

        theme_name = text(cells, "theme")
        theme = themes.get(name_key(theme_name))
        if not theme_name:
            problem(_("The theme is empty."))
        elif theme is None:
            problem(_('"%(theme)s" is not a theme of this process. The themes are: %(themes)s.',
                      theme=theme_name[:80],
                      themes="; ".join(t.title for t in round_.process.themes)))
        title = plain_text(text(cells, "title"))
        if not title:
            problem(_("The title is empty."))
        elif len(title) > TITLE_MAX:
            problem(_("The title has %(n)d characters; at most %(max)d fit.", n=len(title),
                      max=TITLE_MAX))
        body = _clean_body(text(cells, "text"))
        if not body:
            problem(_("The text is empty."))
        elif len(body) > BODY_MAX:
            problem(_("The text has %(n)d characters; at most %(max)d fit.", n=len(body),
                      max=BODY_MAX))
        organisation_name = plain_text(text(cells, "organisation"))
        organisation = organisations.get(name_key(organisation_name)) if organisation_name \
            else None
        kind_text = text(cells, "kind")
        kind = kinds.get(header_key(kind_text)) if kind_text else None
        if kind_text and kind is None:
            problem(_('"%(kind)s" is not a kind of organisation. Use one of: %(kinds)s.',
                      kind=kind_text[:80], kinds=_kind_names()))
        elif organisation_name and organisation is None and kind is None:
            problem(_('"%(name)s" is not a known organisation: give its kind (one of: '
                      '%(kinds)s), or leave the organisation empty for a resident.',
                      name=organisation_name[:80], kinds=_kind_names()))
        if len(organisation_name) > NAME_MAX:
            problem(_("The name of the organisation has %(n)d characters; at most %(max)d "
                      "fit.", n=len(organisation_name), max=NAME_MAX))
        person = plain_text(text(cells, "name"))
        if len(person) > NAME_MAX:
            problem(_("The name of the person has %(n)d characters; at most %(max)d fit.",
                      n=len(person), max=NAME_MAX))
        received_on = None
        received = cell(cells, "date")
        if received:
            try:
                received_on = parse_date(received)
            except ValueError:
                problem(_('"%(date)s" is not a date. Write it as 12-11-2026 (day, month, '
                          'year) or 2026-11-12.', date=str(received)[:40]))
            else:
                if received_on > today:
                    problem(_("The date %(date)s lies in the future.",
                              date=received_on.strftime("%d-%m-%Y")))
                elif received_on.year < 1990:
                    problem(_('"%(date)s" is not a date. Write it as 12-11-2026 (day, month, '
                              'year) or 2026-11-12.', date=str(received)[:40]))
        if problems:
            plan.problems.extend(problems)
            continue
        if organisation is not None:
            sender, sender_key, kind = organisation.name, f"org:{organisation.name_key}", None
        elif organisation_name:
            sender, sender_key = organisation_name, f"org:{name_key(organisation_name)}"
        elif person:
            sender, sender_key, kind = person, f"person:{name_key(person)}", None
        else:
            # Nobody named: two residents may well send the same words; only the same line
            # of the same text is the same row.
            sender, sender_key, kind = "", f"line:{line}", None
        planned.append(PlannedRow(line, theme, organisation, sender, kind, title, body,
                                  received_on, row_key(round_, sender_key, theme, title, body)))
    if plan.problems:
        return plan
    stored = _existing_keys([row.key for row in planned])
    first_line: dict[str, int] = {}
    for row in planned:
        if row.key in stored:
            plan.skipped.append(Skipped(row.line, None))
        elif row.key in first_line:
            plan.skipped.append(Skipped(row.line, first_line[row.key]))
        else:
            first_line[row.key] = row.line
            plan.rows.append(row)
    return plan


def item_source(plan: ImportPlan, line: int) -> str:
    """The source an imported item carries: the team's words, the file and the line."""
    return _("%(source)s (%(file)s, line %(line)d)", source=plan.source, file=plan.filename,
             line=line)[:300]


def store(round_: Round, plan: ImportPlan, *, entered_by: User | None,
          rendered: dict[str, str] | None = None) -> list[int]:
    """Record the plan's rows as offline input (services.offline_contribution), each audited,
    in two flushes; the caller commits. `rendered`: the rows' texts as markdown_to_html made
    them. Raises IntegrityError when another import stored one of these rows meanwhile."""
    if plan.problems:
        raise ValueError("a plan with problems is not stored")
    rendered = rendered or {}
    items = []
    for row in plan.rows:
        received_at = (amsterdam_to_utc(datetime.combine(row.received_on, time(12)))
                       if row.received_on else None)
        items.append(services.offline_contribution(
            entered_by=entered_by, round_=round_, theme=row.theme, organisation=row.organisation,
            individual_name=row.sender if row.organisation is None else "",
            source=item_source(plan, row.line), title=row.title, body_md=row.body,
            submission_key=row.key, kind=row.kind, received_at=received_at,
            body_html=rendered.get(row.body)))
    db.session.add_all(items)
    db.session.flush()
    for row, item in zip(plan.rows, items, strict=True):
        record("contribution.import", actor=entered_by, target_type="contribution",
               target_id=item.id, process_id=round_.process_id,
               after={"source": item.offline_source, "file": plan.filename, "line": row.line})
        plan.stored.append(item.id)
    db.session.flush()
    log.info("user %s imported %d offline contributions from %s", getattr(entered_by, "id", None),
             len(items), plan.filename)
    return plan.stored


def import_rows(round_: Round, sheet: Sheet, *, filename: str, source: str,
                entered_by: User | None) -> ImportPlan:
    """Check the rows and store them all, or none when any row has a problem (the plan says
    which). A row another import stored at the same moment is skipped, as one stored before:
    the second of two imports at once waits for the first (`_one_import_at_a_time`). The
    caller commits."""
    entered_by_id = entered_by.id if entered_by is not None else None
    round_id = round_.id
    # The texts are rendered before the round is held: the slowest part, and no one waits.
    first = plan_import(round_, sheet, filename=filename, source=source)
    if not first.ok or not first.rows:
        return first
    rendered = {row.body: markdown_to_html(row.body) for row in first.rows}
    for attempt in range(3):
        try:
            _one_import_at_a_time(round_id)
            round_ = db.session.get(Round, round_id)
            entered_by = db.session.get(User, entered_by_id) if entered_by_id else None
            plan = plan_import(round_, sheet, filename=filename, source=source)
            if not plan.ok or not plan.rows:
                return plan
            store(round_, plan, entered_by=entered_by, rendered=rendered)
            return plan
        except (IntegrityError, OperationalError):
            # Stored meanwhile by a way that does not hold the round (the unique key refused
            # it), or SQLite's lock not had in time: once more from the start.
            db.session.rollback()
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


def _one_import_at_a_time(round_id: int) -> None:
    """Begin a transaction that holds the round until its commit, so that a second import
    into it waits and then finds the first one's rows (and skips them).

    PostgreSQL: the round's row locked FOR NO KEY UPDATE (participants' input, which only
    refers to it, goes on). SQLite: the database's write lock, taken by a first statement that
    writes (a request that writes begins so anyway; the command does not): a transaction that
    read first could not write after another writer had committed."""
    db.session.rollback()
    if db.session.get_bind().dialect.name == "sqlite":
        db.session.execute(sa.text("UPDATE round SET id = id WHERE id = :id"), {"id": round_id})
    else:
        db.session.execute(for_change(sa.select(Round.id).where(Round.id == round_id), Round))
