"""Scanning text on save, the team's decision, and what the public reads.

The scan runs in a before_flush listener: every path that writes an author's text (the
forms, editing, the offline import, the demo, a moderator entering input) passes through the
session, so none can publish text that was never scanned. Services flush, callers commit.
"""
from __future__ import annotations

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy import event
from sqlalchemy.orm import Session, attributes

from ..audit.services import record
from ..comments.models import Comment
from ..contributions.models import Contribution
from ..core.conflicts import check_version, for_change
from ..core.extensions import db
from ..core.sanitize import markdown_to_html
from ..core.timeutil import utcnow
from ..mail.services import queue_mail
from . import detect
from .models import Redaction, RedactionState

KINDS = {"contribution": Contribution, "comment": Comment}


def _target(item) -> dict:
    return ({"contribution": item} if isinstance(item, Contribution) else {"comment": item})


def _render(md: str) -> str:
    # "[naam]" stays literal text in Markdown (escaped: never a link reference).
    for placeholder in detect.PLACEHOLDERS.values():
        md = md.replace(placeholder, "\\" + placeholder[:-1] + "\\]")
    return markdown_to_html(md)


def apply(item, findings: list[dict]) -> None:
    """Set the item's published text from the findings marked to redact."""
    chosen = [detect.Finding.from_dict(f) for f in findings if f.get("redact")]
    if not chosen:
        item.redacted_md = item.redacted_html = None
        return
    item.redacted_md = detect.redact(item.body_md, chosen)
    item.redacted_html = _render(item.redacted_md)


def scan(session: Session, item, existing: Redaction | None) -> None:
    """Find personal data in the item's (new) text. Findings the team decided on before (the
    same words, in an earlier version) keep that decision; new ones are suggested, redacted."""
    if getattr(item, "by_team", False):
        return  # the team's own replies: the municipality's words
    # The stakeholder's own organisation is no personal data; for offline input from an
    # individual organisation_name holds the person's name (no kind): that one is.
    keep = (item.organisation_name,) if item.organisation_kind and item.organisation_name else ()
    found = [f.as_dict() for f in detect.find(item.body_md or "", keep=keep)]
    if not found:
        if existing is not None:
            session.delete(existing)
        item.redacted_md = item.redacted_html = None
        return
    decided = {}
    if existing is not None and existing.state is not RedactionState.suggested:
        decided = {(f["kind"], f["text"]): f["redact"] for f in existing.findings}
    for f in found:
        f["redact"] = decided.get((f["kind"], f["text"]), True)
    all_known = all((f["kind"], f["text"]) in decided for f in found)
    if existing is None:
        existing = Redaction(**_target(item), state=RedactionState.suggested, source_md="",
                             findings=[], version=0)  # raised to 1 below
        session.add(existing)
    elif existing.source_md == item.body_md:
        return
    existing.source_md, existing.findings, existing.found_at = item.body_md, found, utcnow()
    if not all_known:
        existing.state, existing.decided_at, existing.decided_by_id = (
            RedactionState.suggested, None, None)
    existing.raise_version()
    apply(item, found)


def _text_changed(item) -> bool:
    return attributes.get_history(item, "body_md").has_changes()


@event.listens_for(Session, "before_flush")
def _scan_new_text(session: Session, _context, _instances) -> None:
    items = [o for o in list(session.new) + list(session.dirty)
             if isinstance(o, (Contribution, Comment)) and (o in session.new or _text_changed(o))]
    if not items:
        return
    with session.no_autoflush:
        existing = _existing(session, [o for o in items if o.id is not None])
        for item in items:
            scan(session, item, existing.get((type(item), item.id)))


def _existing(session: Session, items) -> dict:
    ids = {Contribution: [i.id for i in items if isinstance(i, Contribution)],
           Comment: [i.id for i in items if isinstance(i, Comment)]}
    found = {}
    if ids[Contribution]:
        for r in session.scalars(sa.select(Redaction).where(
                Redaction.contribution_id.in_(ids[Contribution]))):
            found[(Contribution, r.contribution_id)] = r
    if ids[Comment]:
        for r in session.scalars(sa.select(Redaction).where(
                Redaction.comment_id.in_(ids[Comment]))):
            found[(Comment, r.comment_id)] = r
    return found


def for_item(kind: str, item, *, lock: bool = False) -> Redaction | None:
    column = Redaction.contribution_id if kind == "contribution" else Redaction.comment_id
    stmt = sa.select(Redaction).where(column == item.id)
    return db.session.scalar(for_change(stmt, Redaction) if lock else stmt)


class Stale(Exception):
    """The findings the team decided on are not of the text as it is now."""


def decide(process, kind: str, item, redaction: Redaction, actor, *, redact: set[int],
           seen_version: int | None) -> None:
    """The team's decision: the findings at the indexes in `redact` are replaced in the
    published text, the others published as written. Audited; the author is told by mail when
    something of theirs is redacted."""
    check_version(redaction, seen_version)
    if redaction.source_md != item.body_md:
        raise Stale()
    # Kinds only, not the words: the audit trail outlives an erased text.
    before = {"state": redaction.state, "redacted": [
        f["kind"] for f in redaction.findings if f.get("redact")]}
    findings = [{**f, "redact": i in redact} for i, f in enumerate(redaction.findings)]
    redaction.findings = findings
    redaction.state = RedactionState.agreed if redact else RedactionState.dismissed
    redaction.decided_at, redaction.decided_by_id = utcnow(), actor.id
    redaction.raise_version()
    apply(item, findings)
    record(f"{kind}.redaction", actor=actor, target_type=kind, target_id=item.id,
           process_id=process.id, before=before,
           after={"state": redaction.state,
                  "redacted": [f["kind"] for f in findings if f["redact"]]})
    author = item.author
    if redact and author is not None:
        queue_mail(author.email, "redacted", _l("Personal data removed from your text"),
                   author.locale, user=author, process=process,
                   kinds=sorted({detect.PLACEHOLDERS[detect.Kind(f["kind"])]
                                 for f in findings if f["redact"]}),
                   published=item.redacted_md)
    db.session.flush()
