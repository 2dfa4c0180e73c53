"""What the open-data API publishes, as plain JSON-ready data.

Everything a resident or organisation wrote comes from the public participation document
(participation.export.services.document, in Dutch): the same items, under the same names
("Inwoner 3", the organisation), with the same published responses, so the API can never show
what the document would not (hidden, pending, rejected or withdrawn items, draft responses,
names of residents, e-mail addresses). Only public processes are published. A fixed number of
queries per request: the document's, plus one or two here.
"""
from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask import current_app

from ..core.extensions import db
from ..drafts.models import DraftVersion
from ..export.builder import Item, Stakeholder, latest_sections, section_name
from ..export.services import document
from ..moderation.models import Disposition
from ..processes.models import Process, Round, RoundKind, Theme

#: The language of the published texts: the document's labels ("Inwoner 1") are Dutch.
LANGUAGE = "nl"
DISPOSITIONS = tuple(d.value for d in Disposition)
ROUND_KINDS = tuple(k.value for k in RoundKind)


def moment(value: datetime | None) -> str | None:
    """UTC, as RFC 3339 with a Z (the database keeps naive UTC)."""
    return None if value is None else value.isoformat(timespec="seconds") + "Z"


# --- processes, rounds, themes, sections ----------------------------------------------------

def public_processes() -> list[Process]:
    """Newest first, as the home page lists them; invite-only processes are not open data."""
    return list(db.session.scalars(
        sa.select(Process).where(Process.is_public.is_(True))
        .order_by(Process.created_at.desc(), Process.id.desc())))


def public_process(slug: str) -> Process | None:
    return db.session.scalar(
        sa.select(Process).where(Process.slug == slug, Process.is_public.is_(True)))


def process_data(process: Process, draft_versions: dict[int, int]) -> dict:
    return {"id": process.id, "slug": process.slug, "title": process.title,
            "summary": process.summary, "intro_html": process.intro_html,
            "created_at": moment(process.created_at),
            "draft_version": draft_versions.get(process.id)}


def latest_draft_versions(process_ids: Iterable[int]) -> dict[int, int]:
    """Process id → the number of its latest published draft version (one query)."""
    ids = list(process_ids)
    if not ids:
        return {}
    return dict(db.session.execute(
        sa.select(DraftVersion.process_id, sa.func.max(DraftVersion.number))
        .where(DraftVersion.process_id.in_(ids), DraftVersion.published_at.is_not(None))
        .group_by(DraftVersion.process_id)).all())


def rounds(process: Process) -> list[dict]:
    return [{"id": r.id, "kind": r.kind.value, "opens_at": moment(r.opens_at),
             "closes_at": moment(r.closes_at), "state": r.state().value,
             "moderation": r.moderation.value, "audience": r.audience.value}
            for r in db.session.scalars(sa.select(Round).where(Round.process_id == process.id)
                                        .order_by(Round.opens_at, Round.id))]


def themes(process: Process) -> list[dict]:
    return [{"id": t.id, "title": t.title, "description": t.description,
             "position": t.position, "retired": t.is_retired}
            for t in db.session.scalars(sa.select(Theme).where(Theme.process_id == process.id)
                                        .order_by(Theme.position, Theme.id))]


def sections(process: Process) -> list[dict]:
    """Every section of the published draft under its stable id (its lineage, the same in every
    version), as the latest version that has it words it: the latest version's in its order,
    then those it dropped (`current` false), which comments may still be about."""
    found = latest_sections(process)
    numbers = dict(db.session.execute(
        sa.select(DraftVersion.id, DraftVersion.number)
        .where(DraftVersion.process_id == process.id)).all())
    latest = max((numbers[s.version_id] for s in found.values()), default=None)
    return [{"id": lineage, "number": s.number, "heading": s.heading, "name": section_name(s),
             "level": s.level, "text": s.body_md, "text_html": s.body_html,
             "version": numbers[s.version_id], "current": numbers[s.version_id] == latest}
            for lineage, s in found.items()]


# --- what people wrote, and the municipality's responses ------------------------------------

@dataclass(frozen=True)
class Published:
    """The public document's items of one process, in the order they were given."""
    contributions: list[dict]
    comments: list[dict]
    responses: list[dict]


#: Processes whose published items a web process keeps (API_CACHE_SECONDS): enough for the
#: processes being crawled at one time; each holds the public items of one process.
CACHED_PROCESSES = 8
_cache: OrderedDict[tuple, tuple[float, Published]] = OrderedDict()
_cache_lock = threading.Lock()


def published(process: Process) -> Published:
    """The process's public items, kept for API_CACHE_SECONDS: one page of the API then costs
    the page, not the whole document (which grows with the process)."""
    seconds = current_app.config["API_CACHE_SECONDS"]
    if seconds <= 0:
        return _published(process)
    # The database too: a test run or a second site in one process never shares entries.
    key = (str(db.engine.url), process.id, process.created_at)
    now = time.monotonic()
    with _cache_lock:
        hit = _cache.get(key)
        if hit is not None and hit[0] > now:
            _cache.move_to_end(key)
            return hit[1]
    fresh = _published(process)  # outside the lock: two first requests may both build it
    with _cache_lock:
        _cache[key] = (now + seconds, fresh)
        _cache.move_to_end(key)
        while len(_cache) > CACHED_PROCESSES:
            _cache.popitem(last=False)
    return fresh


def _published(process: Process) -> Published:
    content = document(process, public=True, language=LANGUAGE)
    entries = sorted(content.items(), key=lambda pair: (pair[1].created_at, pair[1].id))
    comment_ids = {item.id for _s, item in entries if item.kind == "comment"}
    contributions, comments, responses = [], [], []
    for stakeholder, item in entries:
        if item.kind == "contribution":
            contributions.append(_contribution(stakeholder, item))
        else:
            comments.append(_comment(stakeholder, item, comment_ids))
        if item.response_id is not None:
            responses.append(_response(item))
    responses.sort(key=lambda r: r["id"])
    return Published(contributions, comments, responses)


def _stakeholder(stakeholder: Stakeholder) -> dict:
    # kind None: a resident, named as the document numbers them.
    return {"name": stakeholder.name, "kind": stakeholder.kind or "individual"}


def _response_sections(item: Item) -> list[dict]:
    return [{"id": lineage, "name": name}
            for lineage, name in zip(item.response_section_ids, item.response_sections,
                                     strict=True)]


def _response_summary(item: Item) -> dict | None:
    if item.response_id is None:
        return None
    return {"id": item.response_id, "disposition": item.disposition, "text": item.response_md,
            "text_html": item.response_html, "sections": _response_sections(item)}


def _contribution(stakeholder: Stakeholder, item: Item) -> dict:
    return {"id": item.id, "round": "input", "theme": {"id": item.theme_id, "title": item.topic},
            "title": item.title, "text": item.text_md, "text_html": item.text_html,
            "created_at": moment(item.created_at), "stakeholder": _stakeholder(stakeholder),
            "received_offline": item.offline_source, "response": _response_summary(item)}


def _comment(stakeholder: Stakeholder, item: Item, comment_ids: set[int]) -> dict:
    reply_to = None
    if item.parent_id is not None:
        # The id only of a comment the API publishes too; the document's words always.
        reply_to = {"id": item.parent_id if item.parent_id in comment_ids else None,
                    "summary": item.in_reply_to}
    return {"id": item.id, "round": "feedback",
            "section": {"id": item.section_id, "name": item.topic},
            "in_reply_to": reply_to, "text": item.text_md, "text_html": item.text_html,
            "created_at": moment(item.created_at), "stakeholder": _stakeholder(stakeholder),
            "team_replies": [{"text": r.text_md, "text_html": r.text_html,
                              "created_at": moment(r.created_at)} for r in item.team_replies],
            "response": _response_summary(item)}


def _response(item: Item) -> dict:
    return {"id": item.response_id, "disposition": item.disposition, "text": item.response_md,
            "text_html": item.response_html, "sections": _response_sections(item),
            "round": item.round, "target": {"type": item.kind, "id": item.id},
            "theme_id": item.theme_id, "section_id": item.section_id}


# --- filters and pages ----------------------------------------------------------------------

def filtered(rows: list[dict], *, theme: int | None = None, section: int | None = None,
             disposition: str | None = None, round_kind: str | None = None,
             linked_section: int | None = None) -> list[dict]:
    """The rows that match every filter given (None: not filtered)."""
    def keep(row: dict) -> bool:
        if theme is not None and _id(row, "theme") != theme:
            return False
        if section is not None and _id(row, "section") != section:
            return False
        if disposition is not None and _disposition(row) != disposition:
            return False
        if round_kind is not None and row["round"] != round_kind:
            return False
        if linked_section is not None and linked_section not in {
                s["id"] for s in row["sections"]}:
            return False
        return True
    return [row for row in rows if keep(row)]


def _id(row: dict, name: str) -> int | None:
    # A contribution or comment nests {"id", ...}; a response carries theme_id / section_id.
    value = row.get(name)
    return value["id"] if isinstance(value, dict) else row.get(f"{name}_id")


def _disposition(row: dict) -> str | None:
    if "disposition" in row:
        return row["disposition"]
    return row["response"]["disposition"] if row.get("response") else None


@dataclass(frozen=True)
class Page:
    rows: list
    number: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def page_of(rows: list, number: int, per_page: int) -> Page:
    """Page `number` (from 1) of `rows`; past the last page, an empty page."""
    start = (number - 1) * per_page
    return Page(rows[start:start + per_page], number, per_page, len(rows))
