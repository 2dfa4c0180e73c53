"""The team's work on contributions and comments: approve, reject, hide, flags, responses.

Every action is recorded in the audit trail in the same transaction; mail to authors goes
through the outbox. Functions flush, callers commit.
"""
from __future__ import annotations

import enum
import logging
from dataclasses import dataclass, field, replace
from datetime import datetime

import sqlalchemy as sa
from flask import url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Bundle, joinedload, selectinload

from ..accounts.models import User
from ..analysis.models import AnalysisGroupItem, ItemCode
from ..audit.services import record
from ..comments.models import Comment
from ..core.conflicts import check_version, for_change
from ..contributions.models import Contribution
from ..drafts.models import Section
from ..core.extensions import db
from ..core.mixins import ModerationState
from ..mail.services import queue_mail
from ..notifications.services import notice_reply
from ..processes.models import Process, Round, RoundKind
from ..core.sanitize import markdown_to_html
from ..core.timeutil import utcnow
from .models import (Disposition, Flag, FlagReason, Response, ResponseSection, ResponseTemplate,
                     TargetType)

log = logging.getLogger(__name__)

MODELS = {TargetType.contribution: Contribution, TargetType.comment: Comment}


class NotAllowed(ValueError):
    """The action does not fit the item's state (e.g. approving a published item)."""


def item_process_id(kind: TargetType, item) -> int:
    return db.session.scalar(sa.select(Round.process_id).where(Round.id == item.round_id))


def get_item(process: Process, kind: TargetType, item_id: int, *, lock: bool = False):
    """The contribution or comment in this process; `lock`: for a change (conflicts.for_change:
    approving must not meet its author's edit, saved in between, as an error)."""
    model = MODELS[kind]
    stmt = (sa.select(model).join(Round, Round.id == model.round_id)
            .where(model.id == item_id, Round.process_id == process.id))
    return db.session.scalar(for_change(stmt, model) if lock else stmt)


def _item_url(process: Process, kind: TargetType, item) -> str:
    if kind is TargetType.contribution:
        return url_for("contributions.contribution", slug=process.slug, contribution_id=item.id,
                       _external=True)
    return url_for("comments.show", slug=process.slug, comment_id=item.id, _external=True)


def approve(process: Process, kind: TargetType, item, actor: User) -> None:
    if item.state is not ModerationState.pending:
        raise NotAllowed(item.state)
    item.state = ModerationState.published
    item.moderated_at, item.moderated_by_id = utcnow(), actor.id
    if kind is TargetType.comment and item.parent_id:
        # A reply that waited for the team is news for the parent's author only now.
        notice_reply(item, db.session.get(Comment, item.parent_id))
    record(f"{kind.value}.approve", actor=actor, target_type=kind.value, target_id=item.id,
           process_id=process.id, before={"state": "pending"}, after={"state": "published"})


def reject(process: Process, kind: TargetType, item, actor: User, reason: str) -> None:
    """Not published; the author gets the reason by mail."""
    if item.state is not ModerationState.pending:
        raise NotAllowed(item.state)
    item.state = ModerationState.rejected
    item.moderated_at, item.moderated_by_id = utcnow(), actor.id
    item.rejection_reason = reason
    record(f"{kind.value}.reject", actor=actor, target_type=kind.value, target_id=item.id,
           process_id=process.id, before={"state": "pending"}, after={"state": "rejected"},
           reason=reason)
    author = item.author
    if author is not None:
        queue_mail(author.email, "rejected", _l("Your contribution was not published"),
                   author.locale, user=author, process=process, reason=reason,
                   excerpt=_excerpt(kind, item))


def hide(process: Process, kind: TargetType, item, actor: User, reason: str) -> None:
    if item.is_hidden:
        raise NotAllowed("hidden")
    item.hide(actor, reason)
    _handle_flags(kind, item.id)
    record(f"{kind.value}.hide", actor=actor, target_type=kind.value, target_id=item.id,
           process_id=process.id, before={"hidden": False}, after={"hidden": True},
           reason=reason)


def unhide(process: Process, kind: TargetType, item, actor: User, reason: str) -> None:
    if not item.is_hidden:
        raise NotAllowed("not hidden")
    before_reason = item.hidden_reason
    item.unhide()
    record(f"{kind.value}.unhide", actor=actor, target_type=kind.value, target_id=item.id,
           process_id=process.id, before={"hidden": True, "reason": before_reason},
           after={"hidden": False}, reason=reason)


def dismiss_flags(process: Process, kind: TargetType, item, actor: User) -> None:
    """The team looked and the item stays."""
    count = _handle_flags(kind, item.id)
    record(f"{kind.value}.flags_dismissed", actor=actor, target_type=kind.value,
           target_id=item.id, process_id=process.id, after={"flags": count})


def _handle_flags(kind: TargetType, item_id: int) -> int:
    flags = list(db.session.scalars(sa.select(Flag).where(
        Flag.target_type == kind, Flag.target_id == item_id, Flag.handled_at.is_(None))))
    for flag in flags:
        flag.handled_at = utcnow()
    return len(flags)


def flag(kind: TargetType, item, user: User, reason: FlagReason, note: str) -> bool:
    """Report an item; False when this person already did."""
    exists = db.session.scalar(sa.select(Flag.id).where(
        Flag.target_type == kind, Flag.target_id == item.id, Flag.user_id == user.id))
    if exists:
        return False
    db.session.add(Flag(target_type=kind, target_id=item.id, user_id=user.id, reason=reason,
                        note=note))
    db.session.flush()
    return True


# --- responses ----------------------------------------------------------------------------

def response_for(kind: TargetType, item_id: int, *, lock: bool = False) -> Response | None:
    """The response to an item; `lock`: for a change (conflicts.for_change)."""
    stmt = sa.select(Response).where(Response.target_type == kind, Response.target_id == item_id)
    return db.session.scalar(for_change(stmt) if lock else stmt)


def save_response(process: Process, kind: TargetType, item, actor: User, *,
                  disposition: Disposition, body_md: str, lineage_ids: list[int],
                  publish: bool, seen_version: int | None = None) -> Response:
    """Create or change the response to an item; any number of times, published or not.

    `seen_version` is the version of the response the form was made from (0: there was none
    yet): a change from another version is refused with EditConflict (participation.core.conflicts),
    unless it says what is saved already. Two team members saving the first response to one
    item at the same moment both insert one: the unique key refuses the second insert, which
    is then held against the first one's response like any save from an older form, so the
    second team member gets both texts instead of a silent change of the first.
    """
    try:
        with db.session.begin_nested():
            return _save_response(process, kind, item, actor, disposition=disposition,
                                  body_md=body_md, lineage_ids=lineage_ids, publish=publish,
                                  seen_version=seen_version)
    except sa.exc.IntegrityError:
        log.info("response to %s %s was saved by someone else at the same time", kind.value,
                 item.id)
        db.session.expire_all()
        # This save found no response, so it was made from none: version 0.
        return _save_response(process, kind, item, actor, disposition=disposition,
                              body_md=body_md, lineage_ids=lineage_ids, publish=publish,
                              seen_version=0)


def _save_response(process: Process, kind: TargetType, item, actor: User, *,
                   disposition: Disposition, body_md: str, lineage_ids: list[int],
                   publish: bool, seen_version: int | None) -> Response:
    response = _write_response(process, kind, item, actor, response_for(kind, item.id, lock=True),
                               disposition=disposition, body_md=body_md,
                               wanted=_valid_sections(lineage_ids), publish=publish,
                               seen_version=seen_version)
    db.session.flush()
    return response


def _valid_sections(lineage_ids: list[int]) -> list[int]:
    """The lineages asked for that are sections of a draft, once each, in the order given."""
    valid = set(db.session.scalars(sa.select(Section.lineage_id).where(
        Section.lineage_id.in_(lineage_ids or [-1]))))
    return [lid for lid in dict.fromkeys(lineage_ids) if lid in valid]


def _write_response(process: Process, kind: TargetType, item, actor: User,
                    response: Response | None, *, disposition: Disposition, body_md: str,
                    wanted: list[int], publish: bool, seen_version: int | None) -> Response:
    """Save one item's response over `response` (None: it has none yet), recorded and mailed
    as save_response says; no query of its own, so that save_responses can write many in one
    flush. The caller flushes."""
    before = None
    if response is not None and _unchanged(response, disposition, body_md, wanted):
        # Sent again (a double click, a re-sent form), or a draft published as it is: only
        # the publishing is news.
        if publish and response.published_at is None:
            publish_response(process, kind, item, response, actor)
        return response
    if response is None:
        response = Response(process_id=process.id, target_type=kind, target_id=item.id,
                            disposition=disposition, body_md=body_md,
                            body_html=markdown_to_html(body_md), written_by_id=actor.id)
        db.session.add(response)
    else:
        check_version(response, seen_version)
        before = {"disposition": response.disposition, "text": response.body_md,
                  "published": response.published_at is not None,
                  "sections": sorted(s.lineage_id for s in response.sections)}
        response.disposition = disposition
        response.body_md, response.body_html = body_md, markdown_to_html(body_md)
        response.updated_at = utcnow()
        response.written_by_id = actor.id
        response.raise_version()
    _set_sections(response, wanted)
    record("response.save", actor=actor, target_type=kind.value, target_id=item.id,
           process_id=process.id, before=before,
           after={"disposition": disposition, "text": body_md,
                  "published": response.published_at is not None or publish,
                  "sections": sorted(wanted)})
    if publish and response.published_at is None:
        publish_response(process, kind, item, response, actor)
    return response


def _unchanged(response: Response, disposition: Disposition, body_md: str,
               lineage_ids: list[int]) -> bool:
    return (response.disposition is disposition and response.body_md == body_md
            and {s.lineage_id for s in response.sections} == set(lineage_ids))


def _set_sections(response: Response, lineage_ids: list[int]) -> None:
    """Keep the rows of sections that stay, add the new, remove the rest.

    Assigning a new list would insert the new rows before deleting the old ones, and a
    section kept from before has the same (response, lineage) key: a unique-key error.
    """
    wanted = set(lineage_ids)
    for row in [row for row in response.sections if row.lineage_id not in wanted]:
        response.sections.remove(row)
    have = {row.lineage_id for row in response.sections}
    for lineage_id in dict.fromkeys(lineage_ids):
        if lineage_id not in have:
            response.sections.append(ResponseSection(lineage_id=lineage_id))


def team_replies_to(comment: Comment) -> list[Comment]:
    """The project team's replies to a comment in its thread, which the document prints under
    it: whoever answers officially sees what a colleague already said."""
    return list(db.session.scalars(sa.select(Comment).where(
        Comment.parent_id == comment.id, Comment.by_team.is_(True), Comment.is_shown)
        .order_by(Comment.created_at, Comment.id)))


def publish_response(process: Process, kind: TargetType, item, response: Response,
                     actor: User) -> None:
    response.published_at = utcnow()
    record("response.publish", actor=actor, target_type=kind.value, target_id=item.id,
           process_id=process.id, after={"disposition": response.disposition,
                                         "sections": sorted(s.lineage_id
                                                            for s in response.sections)})
    author = item.author
    # A deleted account keeps only a placeholder address: there is nobody left to tell.
    if author is not None and not author.is_deleted:
        queue_mail(author.email, "response", _l("The municipality has responded to your input"),
                   author.locale, user=author, process=process, response=response,
                   excerpt=_excerpt(kind, item), url=_item_url(process, kind, item))


def _excerpt(kind: TargetType, item) -> str:
    text = item.title if kind is TargetType.contribution else item.body_md
    return text if len(text) <= 200 else text[:197] + "…"


def templates_for(process: Process) -> list[ResponseTemplate]:
    return list(db.session.scalars(sa.select(ResponseTemplate).where(
        ResponseTemplate.process_id == process.id).order_by(ResponseTemplate.title)))


def add_template(process: Process, actor: User, *, title: str, disposition: Disposition,
                 body_md: str) -> ResponseTemplate:
    template = ResponseTemplate(process_id=process.id, title=title, disposition=disposition,
                                body_md=body_md)
    db.session.add(template)
    db.session.flush()
    record("template.add", actor=actor, target_type="response_template", target_id=template.id,
           process_id=process.id, after={"title": title})
    return template


def get_template(process: Process, template_id: int) -> ResponseTemplate | None:
    return db.session.scalar(sa.select(ResponseTemplate).where(
        ResponseTemplate.id == template_id, ResponseTemplate.process_id == process.id))


def edit_template(template: ResponseTemplate, actor: User, *, title: str,
                  disposition: Disposition, body_md: str,
                  seen_version: int | None = None) -> bool:
    """Change a template; False when it is what is saved already. From a form made from an
    older version: EditConflict (participation.core.conflicts). Responses written with it keep
    their own text."""
    wanted = {"title": title, "disposition": disposition, "body_md": body_md}
    before = {name: getattr(template, name) for name, value in wanted.items()
              if getattr(template, name) != value}
    if not before:
        return False
    check_version(template, seen_version)
    for name in before:
        setattr(template, name, wanted[name])
    template.raise_version()
    db.session.flush()
    record("template.edit", actor=actor, target_type="response_template",
           target_id=template.id, process_id=template.process_id,
           before={"title": before.get("title", title)}, after={"title": title})
    return True


# --- one answer to many items -------------------------------------------------------------

#: The most items one bulk answer takes (all items of a list, or those ticked): one page shows
#: them all and one transaction writes them.
BULK_LIMIT = 1000


class Skip(enum.Enum):
    """Why a bulk answer left an item as it was."""
    gone = "gone"  #: withdrawn or removed since the page was shown, or not in this process
    answered_meanwhile = "answered_meanwhile"  #: someone answered it after the page was shown
    changed_meanwhile = "changed_meanwhile"  #: someone changed its response since then
    kept = "kept"  #: it has a response of its own, and the team chose to keep those


@dataclass(frozen=True)
class BulkTarget:
    """An item of a bulk answer and the version of its response when the page showed it (0:
    it had none): a response saved after that is not overwritten (participation.core.conflicts)."""
    kind: TargetType
    id: int
    seen_version: int


@dataclass
class BulkResult:
    saved: list[tuple[TargetType, int]] = field(default_factory=list)
    skipped: list[tuple[TargetType, int, Skip]] = field(default_factory=list)

    @property
    def conflicts(self) -> list[tuple[TargetType, int, Skip]]:
        """The items someone else got to first: what the team must be shown."""
        return [s for s in self.skipped if s[2] is not Skip.kept]


def save_responses(process: Process, targets: list[BulkTarget], actor: User, *,
                   disposition: Disposition, body_md: str, lineage_ids: list[int],
                   publish: bool, replace_existing: bool) -> BulkResult:
    """One answer to many items: each gets a response of its own, saved, recorded and mailed
    exactly as save_response does for one (and later changed on its own the same way).

    An item whose response is not at the version the page showed (someone answered it, or
    changed its answer, meanwhile) is skipped and reported, never overwritten; one that has a
    response is skipped unless `replace_existing`. A fixed number of queries however many
    items: they are loaded, their responses locked, and all of it written in one flush.
    Two team members answering the same new items at once both insert: the unique key refuses
    the second flush, which is then done again against the first one's responses, so every
    item the first answered is reported to the second as answered meanwhile.
    """
    arguments = {"disposition": disposition, "body_md": body_md, "lineage_ids": lineage_ids,
                 "publish": publish, "replace_existing": replace_existing}
    try:
        with db.session.begin_nested():
            return _save_responses(process, targets, actor, **arguments)
    except sa.exc.IntegrityError:
        log.info("a bulk answer met responses saved by someone else at the same time")
        db.session.expire_all()
        return _save_responses(process, targets, actor, **arguments)


def _save_responses(process: Process, targets: list[BulkTarget], actor: User, *,
                    disposition: Disposition, body_md: str, lineage_ids: list[int],
                    publish: bool, replace_existing: bool) -> BulkResult:
    # In one order (kind, id): two team members answering overlapping items lock them in the
    # same order, and never each wait for a row the other holds.
    targets = sorted({(t.kind, t.id): t for t in targets}.values(),
                     key=lambda t: (t.kind.value, t.id))
    ids = {kind: [t.id for t in targets if t.kind is kind] for kind in TargetType}
    items = {}
    for kind, model in MODELS.items():
        items.update(((kind, item.id), item) for item in db.session.scalars(
            sa.select(model).options(joinedload(model.author))
            .join(Round, Round.id == model.round_id)
            .where(model.id.in_(ids[kind] or [-1]), Round.process_id == process.id,
                   model.state != ModerationState.withdrawn)))
    responses = {(r.target_type, r.target_id): r for r in db.session.scalars(for_change(
        sa.select(Response).options(selectinload(Response.sections))
        .where(_targets_clause(ids)).order_by(Response.target_type, Response.target_id),
        Response))}
    wanted = _valid_sections(lineage_ids)
    result = BulkResult()
    for target in targets:
        key = (target.kind, target.id)
        item, response = items.get(key), responses.get(key)
        if item is None or (target.kind is TargetType.comment and item.by_team):
            result.skipped.append((*key, Skip.gone))
            continue
        if response is not None and not _unchanged(response, disposition, body_md, wanted):
            if response.version != target.seen_version:
                result.skipped.append((*key, Skip.answered_meanwhile if target.seen_version == 0
                                       else Skip.changed_meanwhile))
                continue
            if not replace_existing:
                result.skipped.append((*key, Skip.kept))
                continue
        _write_response(process, target.kind, item, actor, response, disposition=disposition,
                        body_md=body_md, wanted=wanted, publish=publish, seen_version=None)
        result.saved.append(key)
    db.session.flush()
    return result


def _targets_clause(ids: dict[TargetType, list[int]]):
    return sa.or_(*(sa.and_(Response.target_type == kind, Response.target_id.in_(ids[kind]))
                    for kind in TargetType if ids[kind]), sa.false())


# --- the queue ----------------------------------------------------------------------------

QUEUE_STATES = ("pending", "flagged", "unanswered", "hidden", "all")
PAGE_SIZE = 50


@dataclass(frozen=True)
class QueueFilter:
    state: str = "pending"
    round_kind: RoundKind | None = None
    theme_id: int | None = None
    lineage_id: int | None = None
    #: The analysis's group (analysis.models.AnalysisGroup) or the team's code the items have.
    group_id: int | None = None
    code_id: int | None = None
    page: int = 1


@dataclass
class QueueItem:
    kind: TargetType
    id: int
    created_at: datetime
    state: str
    title: str
    excerpt: str
    who: str
    theme_or_section: str
    hidden: bool
    hidden_reason: str | None
    flags: int
    response: Response | None


def _contribution_query(process: Process, flt: QueueFilter):
    q = (sa.select(Contribution.id.label("id"), sa.literal("contribution").label("kind"),
                   Contribution.created_at.label("created_at"))
         .join(Round, Round.id == Contribution.round_id)
         .where(Round.process_id == process.id,
                Contribution.state != ModerationState.withdrawn))
    if flt.theme_id:
        q = q.where(Contribution.theme_id == flt.theme_id)
    q = _analysis_filter(q, Contribution, TargetType.contribution, flt)
    return _state_filter(q, Contribution, TargetType.contribution, flt)


def _comment_query(process: Process, flt: QueueFilter):
    q = (sa.select(Comment.id.label("id"), sa.literal("comment").label("kind"),
                   Comment.created_at.label("created_at"))
         .join(Round, Round.id == Comment.round_id)
         .where(Round.process_id == process.id, Comment.state != ModerationState.withdrawn,
                Comment.by_team.is_(False)))
    if flt.lineage_id:
        q = q.where(Comment.lineage_id == flt.lineage_id)
    q = _analysis_filter(q, Comment, TargetType.comment, flt)
    return _state_filter(q, Comment, TargetType.comment, flt)


def _analysis_filter(q, model, kind: TargetType, flt: QueueFilter):
    """Only the items of a group of the analysis, of a code of the team (composed with the
    other filters; a group or code of another process holds none of this one's items)."""
    if flt.group_id:
        q = q.where(model.id.in_(sa.select(AnalysisGroupItem.item_id).where(
            AnalysisGroupItem.group_id == flt.group_id, AnalysisGroupItem.item_kind == kind)))
    if flt.code_id:
        q = q.where(model.id.in_(sa.select(ItemCode.item_id).where(
            ItemCode.code_id == flt.code_id, ItemCode.item_kind == kind)))
    return q


def _state_filter(q, model, kind: TargetType, flt: QueueFilter):
    if flt.state == "pending":
        return q.where(model.state == ModerationState.pending)
    if flt.state == "hidden":
        return q.where(model.is_hidden)
    if flt.state == "flagged":
        return q.where(model.id.in_(sa.select(Flag.target_id).where(
            Flag.target_type == kind, Flag.handled_at.is_(None))))
    if flt.state == "unanswered":
        return q.where(model.is_shown, model.id.not_in(sa.select(Response.target_id).where(
            Response.target_type == kind, Response.published_at.is_not(None))))
    return q


def _listing(process: Process, flt: QueueFilter):
    """The (id, kind, created_at) of every item `flt` picks, as a subquery; None: none can."""
    parts = []
    if flt.round_kind in (None, RoundKind.input) and not flt.lineage_id:
        parts.append(_contribution_query(process, flt))
    if flt.round_kind in (None, RoundKind.feedback) and not flt.theme_id:
        parts.append(_comment_query(process, flt))
    return sa.union_all(*parts).subquery() if parts else None


def queue(process: Process, flt: QueueFilter) -> tuple[list[QueueItem], int]:
    """One page of the team's queue, oldest first, with a fixed number of queries."""
    union = _listing(process, flt)
    if union is None:
        return [], 0
    # One Bundle, as db.paginate takes the first column of each row: (id, kind) as one value.
    listing = db.paginate(
        sa.select(Bundle("item", union.c.id, union.c.kind))
        .order_by(union.c.created_at, union.c.kind, union.c.id),
        page=max(flt.page, 1), per_page=PAGE_SIZE, error_out=False)
    return _items(listing.items), listing.total


def next_unanswered(process: Process, kind: TargetType, item,
                    flt: QueueFilter) -> tuple[TargetType, int] | None:
    """The item after `item`, in the queue's order, that has no published response yet, among
    the round, theme and section `flt` picks (its state does not matter: the team goes on to
    answer, whatever list it came from); None when `item` was the last one.

    Asked after the save is committed, so an item a colleague answered meanwhile is passed by.
    """
    union = _listing(process, replace(flt, state="unanswered", page=1))
    if union is None:
        return None
    order = (union.c.created_at, union.c.kind, union.c.id)
    row = db.session.execute(
        sa.select(union.c.kind, union.c.id)
        .where(sa.tuple_(*order) > sa.tuple_(item.created_at, kind.value, item.id))
        .order_by(*order).limit(1)).first()
    return (TargetType(row.kind), row.id) if row else None


def bulk_selection(process: Process, flt: QueueFilter,
                   keys: set[tuple[TargetType, int]] | None = None,
                   limit: int = BULK_LIMIT) -> tuple[list[QueueItem], int]:
    """The items of a bulk answer, in the queue's order, with their responses: those `keys`
    names (ticked in the queue; of any state), or else every item `flt` picks, all its pages.
    The total is of all of them; at most `limit` are returned. A fixed number of queries."""
    if keys is not None:
        flt = QueueFilter(state="all")
    union = _listing(process, flt)
    if union is None or keys == set():
        return [], 0
    where = sa.true()
    if keys is not None:
        where = sa.or_(*(sa.and_(union.c.kind == kind.value,
                                 union.c.id.in_([i for k, i in keys if k is kind]))
                         for kind in TargetType if any(k is kind for k, _i in keys)))
    total = db.session.scalar(sa.select(sa.func.count()).select_from(union).where(where))
    rows = db.session.execute(sa.select(union.c.id, union.c.kind).where(where)
                              .order_by(union.c.created_at, union.c.kind, union.c.id)
                              .limit(limit)).all()
    return _items(rows), total


def _items(rows) -> list[QueueItem]:
    from sqlalchemy.orm import joinedload

    ids = {TargetType.contribution: [r.id for r in rows if r.kind == "contribution"],
           TargetType.comment: [r.id for r in rows if r.kind == "comment"]}
    contributions = {c.id: c for c in db.session.scalars(
        sa.select(Contribution).options(joinedload(Contribution.theme))
        .where(Contribution.id.in_(ids[TargetType.contribution] or [-1])))}
    comments = {c.id: c for c in db.session.scalars(
        sa.select(Comment).where(Comment.id.in_(ids[TargetType.comment] or [-1])))}
    section_ids = {c.section_id for c in comments.values()}
    sections = {s.id: s for s in db.session.scalars(sa.select(Section).where(
        Section.id.in_(section_ids or {-1})))}
    flag_counts = {(TargetType(k), i): n for k, i, n in db.session.execute(
        sa.select(Flag.target_type, Flag.target_id, sa.func.count())
        .where(Flag.handled_at.is_(None), sa.or_(
            sa.and_(Flag.target_type == TargetType.contribution,
                    Flag.target_id.in_(ids[TargetType.contribution] or [-1])),
            sa.and_(Flag.target_type == TargetType.comment,
                    Flag.target_id.in_(ids[TargetType.comment] or [-1]))))
        .group_by(Flag.target_type, Flag.target_id))}
    responses = {(r.target_type, r.target_id): r for r in db.session.scalars(
        sa.select(Response).where(sa.or_(
            sa.and_(Response.target_type == TargetType.contribution,
                    Response.target_id.in_(ids[TargetType.contribution] or [-1])),
            sa.and_(Response.target_type == TargetType.comment,
                    Response.target_id.in_(ids[TargetType.comment] or [-1])))))}
    items = []
    for row in rows:
        kind = TargetType(row.kind)
        item = contributions.get(row.id) if kind is TargetType.contribution else comments.get(row.id)
        if item is None:
            continue
        if kind is TargetType.contribution:
            title, where = item.title, item.theme.title
        else:
            section = sections.get(item.section_id)
            title = item.body_md[:80]
            where = f"{section.number} {section.heading}" if section else ""
        items.append(QueueItem(
            kind=kind, id=item.id, created_at=item.created_at, state=item.state.value,
            title=title, excerpt=item.body_md[:300], who=_who(item), theme_or_section=where,
            hidden=item.is_hidden, hidden_reason=item.hidden_reason,
            flags=flag_counts.get((kind, item.id), 0), response=responses.get((kind, item.id))))
    return items


def _who(item) -> str:
    if item.organisation_kind is not None:
        return item.organisation_name or ""
    return item.organisation_name or "—"


def flags_for(kind: TargetType, item_id: int) -> list[Flag]:
    return list(db.session.scalars(sa.select(Flag).where(
        Flag.target_type == kind, Flag.target_id == item_id).order_by(Flag.created_at)))


def my_contributions(user: User) -> tuple[list[Contribution], list[Comment], dict]:
    """Everything a person gave in both rounds, with the published responses."""
    from sqlalchemy.orm import joinedload

    contributions = list(db.session.scalars(
        sa.select(Contribution).options(joinedload(Contribution.theme),
                                        joinedload(Contribution.round).joinedload(Round.process))
        .where(Contribution.author_id == user.id).order_by(Contribution.created_at.desc())))
    comments = list(db.session.scalars(
        sa.select(Comment).where(Comment.author_id == user.id, Comment.by_team.is_(False))
        .order_by(Comment.created_at.desc())))
    responses = {(r.target_type, r.target_id): r for r in db.session.scalars(
        sa.select(Response).where(Response.published_at.is_not(None), sa.or_(
            sa.and_(Response.target_type == TargetType.contribution,
                    Response.target_id.in_([c.id for c in contributions] or [-1])),
            sa.and_(Response.target_type == TargetType.comment,
                    Response.target_id.in_([c.id for c in comments] or [-1])))))}
    return contributions, comments, responses

