"""Uploading, previewing and publishing draft versions, and matching sections across versions."""
from __future__ import annotations

import logging
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from ..accounts.models import User
from ..audit.services import record
from ..comments.services import thread_counts
from ..core.extensions import db
from ..processes.models import Process
from ..core.sanitize import markdown_to_html
from ..core.timeutil import utcnow
from .matching import Match, match_sections
from .models import DraftVersion, Section, SectionLineage
from .parsing import DraftFormatError, ParsedDraft, parse_docx, parse_markdown

log = logging.getLogger(__name__)

MAX_DRAFT_BYTES = 10 * 1024 * 1024


class MatchError(ValueError):
    """Two sections of the new version were matched to the same earlier section."""


class AlreadyPublished(ValueError):
    """The version was published already, perhaps a moment ago by someone else."""


def parse_upload(filename: str, data: bytes) -> tuple[str, ParsedDraft]:
    """Read an upload as .docx (by its content: a zip) or else as UTF-8 Markdown."""
    if data[:2] == b"PK" or filename.lower().endswith(".docx"):
        return "docx", parse_docx(data)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise DraftFormatError("encoding", "not UTF-8 text") from None
    return "markdown", parse_markdown(text)


def add_version(process: Process, parsed: ParsedDraft, *, source_kind: str, source_name: str,
                by: User) -> DraftVersion:
    """An unpublished version for the team to preview; numbered after the existing ones."""
    last = db.session.scalar(sa.select(sa.func.max(DraftVersion.number)).where(
        DraftVersion.process_id == process.id))
    version = DraftVersion(process_id=process.id, number=(last or 0) + 1,
                           source_kind=source_kind, source_name=source_name[:200],
                           preamble_md=parsed.preamble_md,
                           preamble_html=markdown_to_html(parsed.preamble_md),
                           created_by_id=by.id)
    db.session.add(version)
    for position, parsed_section in enumerate(parsed.sections, start=1):
        db.session.add(Section(version=version, position=position, number=parsed_section.number,
                               level=parsed_section.level, heading=parsed_section.heading,
                               body_md=parsed_section.body_md,
                               body_html=markdown_to_html(parsed_section.body_md)))
    db.session.flush()
    log.info("user %s uploaded draft version %s for process %s", by.id, version.id, process.id)
    return version


def latest_published(process: Process) -> DraftVersion | None:
    return db.session.scalar(
        sa.select(DraftVersion).where(DraftVersion.process_id == process.id,
                                      DraftVersion.published_at.is_not(None))
        .order_by(DraftVersion.number.desc()).limit(1))


def get_version(process: Process, version_id: int) -> DraftVersion | None:
    return db.session.scalar(
        sa.select(DraftVersion).options(selectinload(DraftVersion.sections))
        .where(DraftVersion.id == version_id, DraftVersion.process_id == process.id))


# The statements of the reading pages (the draft, a section with its thread), made once with
# their values as parameters: building and hashing them for every page cost more than running
# them.
_PUBLISHED = (sa.select(DraftVersion)
              .where(DraftVersion.process_id == sa.bindparam("process_id", type_=sa.Integer),
                     DraftVersion.published_at.is_not(None))
              .order_by(DraftVersion.number))
_PUBLISHED_WITH_SECTION = (
    _PUBLISHED.add_columns(Section)
    .outerjoin(Section, sa.and_(Section.version_id == DraftVersion.id,
                                Section.number == sa.bindparam("number", type_=sa.String))))
_SECTIONS = (sa.select(Section)
             .where(Section.version_id == sa.bindparam("version_id", type_=sa.Integer))
             .order_by(Section.position))


def published_versions(process: Process) -> list[DraftVersion]:
    return list(db.session.scalars(_PUBLISHED, {"process_id": process.id}))


def published_versions_with_section(process: Process, number: str
                                    ) -> tuple[list[DraftVersion], dict[int, Section]]:
    """published_versions, and by version id the section numbered `number` in it (where there
    is one): what a section's page needs, in one statement instead of two."""
    rows = db.session.execute(_PUBLISHED_WITH_SECTION,
                              {"process_id": process.id, "number": number}).all()
    return [version for version, _ in rows], {
        version.id: section for version, section in rows if section is not None}


def sections_of(version: DraftVersion) -> list[Section]:
    """The version's sections in document order."""
    return list(db.session.scalars(_SECTIONS, {"version_id": version.id}))


def match_proposals(version: DraftVersion,
                    previous: DraftVersion | None = None) -> dict[int, Match | None]:
    """For each section, the section of the latest published version before it that it
    continues, and whether it was found by number and heading or by its text (None: a new
    section). `previous` saves looking it up again when the caller has it."""
    previous = previous or latest_published_before(version)
    if previous is None:
        return {section.id: None for section in version.sections}
    return match_sections(version.sections, previous.sections)


def proposed_matches(version: DraftVersion) -> dict[int, int | None]:
    """For each section, the id of the earlier section it continues; None means a new section."""
    return {section_id: match.earlier_id if match else None
            for section_id, match in match_proposals(version).items()}


@dataclass(frozen=True, slots=True)
class LeftBehind:
    """An earlier section that no section of the new version continues, with its reactions."""
    section: Section
    #: Reactions as its thread counts them for everyone (ModeratedMixin.is_shown).
    reactions: int


def left_without_section(previous: DraftVersion | None,
                         matches: dict[int, int | None]) -> list[LeftBehind]:
    """The earlier sections with reactions that these matches would leave without a section of
    the new version, in document order: one grouped query."""
    if previous is None:
        return []
    chosen = {earlier_id for earlier_id in matches.values() if earlier_id is not None}
    unmatched = [s for s in previous.sections if s.id not in chosen]
    counts = thread_counts([s.lineage_id for s in unmatched], None)
    return [LeftBehind(s, counts[s.lineage_id]) for s in unmatched if counts.get(s.lineage_id)]


def latest_published_before(version: DraftVersion) -> DraftVersion | None:
    return db.session.scalar(
        sa.select(DraftVersion).options(selectinload(DraftVersion.sections))
        .where(DraftVersion.process_id == version.process_id,
               DraftVersion.published_at.is_not(None), DraftVersion.number < version.number)
        .order_by(DraftVersion.number.desc()).limit(1))


def publish(version: DraftVersion, matches: dict[int, int | None], by: User) -> None:
    """Publish: each section continues its chosen predecessor's lineage, or starts one.

    Sections of the earlier version that nothing continues keep their lineage and comments;
    the reading view lists them, so nothing said about them is lost.
    """
    if version.published_at is not None:
        raise AlreadyPublished(version.id)
    previous = latest_published_before(version)
    previous_sections = {s.id: s for s in previous.sections} if previous else {}
    chosen = [m for m in matches.values() if m is not None]
    if len(chosen) != len(set(chosen)):
        raise MatchError("an earlier section was chosen twice")
    # Claimed first, in the database: of two people publishing one upload at once (or one
    # double click) the second waits for the first and then finds it published, instead of
    # giving every section a second lineage.
    claimed = db.session.execute(
        sa.update(DraftVersion).where(DraftVersion.id == version.id,
                                      DraftVersion.published_at.is_(None))
        .values(published_at=utcnow()))
    if claimed.rowcount != 1:
        raise AlreadyPublished(version.id)
    for section in version.sections:
        predecessor = previous_sections.get(matches.get(section.id) or -1)
        if predecessor is not None:
            section.lineage_id = predecessor.lineage_id
            section.previous_id = predecessor.id
        else:
            lineage = SectionLineage(process_id=version.process_id)
            db.session.add(lineage)
            db.session.flush()
            section.lineage_id = lineage.id
    db.session.flush()
    record("draft.publish", actor=by, target_type="draft_version", target_id=version.id,
           process_id=version.process_id,
           after={"number": version.number, "sections": len(version.sections),
                  "continued": len(chosen)})
    log.info("user %s published draft version %s (number %s)", by.id, version.id, version.number)


def discard(version: DraftVersion) -> None:
    if version.published_at is None:
        version.discarded_at = utcnow()
