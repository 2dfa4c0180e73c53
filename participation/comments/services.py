"""Comments on sections: post, reply, edit, withdraw, support, and threads to read.

Functions flush, callers commit. A published reply queues a notice for the parent's author
(participation.notifications) in the same transaction.
"""
from __future__ import annotations

import functools
import logging
from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _

from ..accounts.models import User
from ..core.conflicts import check_version, for_change
from ..drafts.models import Section
from ..core.extensions import db
from ..core.mixins import ModerationState
from ..core.roles import is_team
from ..moderation.models import Response, TargetType
from ..notifications.services import notice_reply
from ..processes.models import ModerationMode, Round
from ..core.sanitize import markdown_to_html
from ..core.templating import fast_datetime
from ..core.timeutil import utcnow
from .models import Comment, CommentRevision, CommentSupport

log = logging.getLogger(__name__)

#: Depth of the third level on screen (0: a comment on the section, 1: a reply, 2: a reply to
#: that). Deeper replies are listed at this level too, saying which comment they answer.
MAX_DISPLAY_DEPTH = 2


def find_by_submission_key(key: str) -> Comment | None:
    return db.session.scalar(sa.select(Comment).where(Comment.submission_key == key))


def post(*, author: User, round_: Round, section: Section, body_md: str, submission_key: str,
         parent: Comment | None = None) -> Comment:
    if parent is not None and parent.lineage_id != section.lineage_id:
        raise ValueError("a reply belongs to its parent's section")
    team = is_team(author)
    organisation = author.organisation
    comment = Comment(
        round_id=round_.id, lineage_id=section.lineage_id, section_id=section.id,
        **Comment.place_under(parent), author_id=author.id,
        organisation_id=organisation.id if organisation else None,
        organisation_name=organisation.name if organisation else None,
        organisation_kind=organisation.kind if organisation else None, by_team=team,
        body_md=body_md, body_html=markdown_to_html(body_md),
        state=(ModerationState.pending if round_.moderation is ModerationMode.pre and not team
               else ModerationState.published),
        submission_key=submission_key)
    db.session.add(comment)
    db.session.flush()
    if parent is not None and comment.state is ModerationState.published:
        notice_reply(comment, parent)
    log.info("user %s commented %s on section %s", author.id, comment.id, section.id)
    return comment


def edit(comment: Comment, *, body_md: str, seen_version: int | None = None) -> bool:
    """Change the text, keeping the previous one as a revision. From a form made from an older
    version: EditConflict (participation.core.conflicts); the same text sent again: False."""
    if body_md == comment.body_md:
        return False
    check_version(comment, seen_version)
    db.session.add(CommentRevision(comment_id=comment.id, body_md=comment.body_md,
                                   body_html=comment.body_html, written_at=comment.updated_at))
    comment.body_md = body_md
    comment.body_html = markdown_to_html(body_md)
    comment.updated_at = utcnow()
    comment.raise_version()
    round_ = db.session.get(Round, comment.round_id)
    if (round_.moderation is ModerationMode.pre and not comment.by_team
            and comment.state is ModerationState.published):
        comment.state = ModerationState.pending
    db.session.flush()
    return True


def withdraw(comment: Comment) -> None:
    comment.state = ModerationState.withdrawn
    comment.withdrawn_at = utcnow()
    db.session.flush()


def support(comment: Comment, user: User) -> bool:
    """Mark "I agree"; False when this person already did (once per person)."""
    exists = db.session.scalar(sa.select(CommentSupport.id).where(
        CommentSupport.comment_id == comment.id, CommentSupport.user_id == user.id))
    if exists:
        return False
    db.session.add(CommentSupport(comment_id=comment.id, user_id=user.id))
    db.session.flush()
    return True


def withdraw_support(comment: Comment, user: User) -> None:
    db.session.execute(sa.delete(CommentSupport).where(
        CommentSupport.comment_id == comment.id, CommentSupport.user_id == user.id))


# --- reading ------------------------------------------------------------------------------

@dataclass(slots=True)
class Node:
    #: A light row with Comment's columns (threads can hold thousands; ORM objects cost more).
    comment: Comment
    #: False: withdrawn, rejected or someone else's pending comment, kept only as a placeholder
    #: because replies hang under it.
    visible: bool
    display_depth: int
    #: For replies shown flattened below the deepest level: the comment they answer.
    in_reply_to: Comment | None = None
    #: Whether this reader may read the comment `in_reply_to`: if not, the page says only
    #: that it was removed or withdrawn, not whose words the reply answers.
    in_reply_to_shown: bool = True
    supporters: int = 0
    supported_by_me: bool = False
    #: Who wrote it and when, as shown: made once here rather than per comment in Jinja.
    who: str = ""
    when: str = ""
    #: The municipality's published response to this comment, if any.
    response: object = None


@dataclass(slots=True)
class FlatItem:
    """A node in reading order; the template nests with has_children and closes, without a
    recursive macro (which costs several times more with thousands of comments)."""
    node: Node
    has_children: bool
    #: Nested lists that end right after this item.
    closes: int = 0


#: Conversations (a comment with all its replies) per page of a thread: a page stays quick to
#: make and light on a phone however long the thread grows (5,000 reactions were seen in a
#: benchmark, 765 on one section).
THREAD_PAGE_SIZE = 50


@dataclass
class ThreadPage:
    #: The page's comments in reading order, ready for the thread macro.
    items: list[FlatItem]
    #: Comments this reader sees in the whole thread (all pages).
    count: int
    page: int
    pages: int


#: What a thread shows; fewer columns make loading thousands of comments several times faster.
THREAD_COLUMNS = (Comment.id, Comment.lineage_id, Comment.parent_id, Comment.depth,
                  Comment.author_id, Comment.organisation_name, Comment.organisation_kind,
                  Comment.by_team,
                  # as published: personal data replaced where the team agreed (redaction)
                  Comment.published_html.label("body_html"), Comment.state, Comment.created_at,
                  Comment.removed_at, Comment.listed_under_organisation)


def visible_to(user):
    """What a thread shows this reader, in SQL: shown to everyone, or their own pending
    comment (ModeratedMixin.is_shown_to)."""
    return Comment.is_shown_to(user.id if user is not None else None)


def thread_counts(lineage_ids: list[int], user) -> dict[int, int]:
    """How many comments each of these sections' threads shows this user: one query."""
    if not lineage_ids:
        return {}
    signed_in = getattr(user, "is_authenticated", False)
    return dict(db.session.execute(_counts_statement(signed_in), {
        "lineages": lineage_ids, "reader": user.id if signed_in else None}).all())


@functools.cache
def _counts_statement(signed_in: bool) -> sa.Select:
    """thread_counts' statement, made once (for visitors, and for a signed-in reader, who also
    sees their own pending comments) with the sections and the reader as parameters."""
    reader = sa.bindparam("reader", type_=sa.Integer) if signed_in else None
    return (sa.select(Comment.lineage_id, sa.func.count())
            .where(Comment.lineage_id.in_(sa.bindparam("lineages", expanding=True,
                                                       type_=sa.Integer)),
                   Comment.is_shown_to(reader))
            .group_by(Comment.lineage_id))


@dataclass(slots=True)
class ShownResponse:
    """The municipality's published response under a comment: what the thread shows of it."""
    disposition: object
    body_html: str


#: The roles Comment plays in a thread page's statements. Made once: an alias is costly to
#: make (columns, events), and the same ones let the compiled statements be cached.
_REPLY = sa.orm.aliased(Comment, name="reply")
_FIRST = sa.orm.aliased(Comment, name="conversation")
_FOCUS = sa.orm.aliased(Comment, name="focus")
_FOCUS_HEAD = sa.orm.aliased(Comment, name="focus_head")
_FOCUS_LISTED = sa.orm.aliased(Comment, name="focus_listed")
_BEFORE = sa.orm.aliased(Comment, name="before")


def _listed(conversation, reader: int | None):
    """Whether a conversation (its first comment, an alias of Comment) holds anything this
    reader sees: that comment or any reply. Only such conversations are listed; the rest of
    what they hold stays as placeholders above what is shown."""
    # A scalar subquery rather than EXISTS: PostgreSQL hashes an "OR EXISTS" over every
    # reply of every thread up front; this one looks up only the conversations it meets,
    # in the index, and only when their first comment is not shown.
    return sa.or_(conversation.is_shown_to(reader), sa.select(_REPLY.id).where(
        _REPLY.root_id == conversation.id, _REPLY.is_shown_to(reader))
        .limit(1).scalar_subquery().is_not(None))


def thread_page(lineage_id: int, user, page: int = 1, focus: int | None = None) -> ThreadPage:
    """One page of a section's thread, nested, with support counts and responses.

    Paged in SQL by conversation (a comment on the section with all its replies, which share
    its `root_id`): one query counts what the reader sees and, for `focus` (a comment id),
    finds the page of its conversation; a second takes the page's conversations; a third
    loads their comments with support counts, the reader's own support and the published
    responses. Three queries, and the same work, however long the thread; the page's tree is
    built from its own rows.
    """
    user = user if getattr(user, "is_authenticated", False) else None
    reader = user.id if user is not None else None
    statements = _statements(reader is not None)
    params = {"lineage": lineage_id, "reader": reader, "focus": focus}
    found = db.session.execute(statements.counts_focus if focus is not None
                               else statements.counts, params).one()
    count, conversations = found[0], found[1]
    pages = max(1, -(-conversations // THREAD_PAGE_SIZE))
    if focus is not None and found[2] is not None:
        page = found[2] // THREAD_PAGE_SIZE + 1
    page = min(max(page, 1), pages)
    if not conversations:
        return ThreadPage([], count, page, pages)
    # The page's conversations first, as ids: given as values (not a subquery) the database
    # fetches their comments through the indexes, where PostgreSQL, not knowing how many a
    # subquery gives, read the whole table.
    on_page = list(db.session.scalars(statements.on_page, {
        **params, "size": THREAD_PAGE_SIZE, "skip": (page - 1) * THREAD_PAGE_SIZE}))
    rows = db.session.execute(statements.comments, {**params, "ids": on_page}).all()
    return ThreadPage(_nest(rows), count, page, pages)


@dataclass(frozen=True)
class _ThreadStatements:
    counts: sa.Select
    counts_focus: sa.Select
    on_page: sa.Select
    comments: sa.CompoundSelect


@functools.cache
def _statements(signed_in: bool) -> _ThreadStatements:
    """A thread page's statements, made once (for visitors, and for a signed-in reader, who
    also sees their own pending comments and support) with their values as parameters:
    lineage, reader, focus, size, skip, ids. Building and hashing statements this size for
    every page cost more than running them."""
    reader = sa.bindparam("reader", type_=sa.Integer) if signed_in else None
    lineage = sa.bindparam("lineage", type_=sa.Integer)
    shown = sa.type_coerce(Comment.is_shown_to(reader), sa.Boolean)
    first = _FIRST
    listed_first = (first.lineage_id == lineage, first.parent_id.is_(None),
                    _listed(first, reader))
    counts = [sa.func.count(), sa.select(sa.func.count()).where(*listed_first).scalar_subquery()]

    def counting(columns) -> sa.Select:
        return sa.select(*columns).where(Comment.lineage_id == lineage, shown)
    on_page = (sa.select(first.id).where(*listed_first).order_by(first.created_at, first.id)
               .limit(sa.bindparam("size", type_=sa.Integer))
               .offset(sa.bindparam("skip", type_=sa.Integer)))
    supporters = (sa.select(sa.func.count()).where(CommentSupport.comment_id == Comment.id)
                  .scalar_subquery())
    mine = (sa.exists().where(CommentSupport.comment_id == Comment.id,
                              CommentSupport.user_id == reader)
            if signed_in else sa.false())
    ids = sa.bindparam("ids", expanding=True, type_=sa.Integer)

    def comments(where) -> sa.Select:
        # Every column named: the union's order and the rows' attributes go by these names.
        return (sa.select(*(column.label(column.key) for column in THREAD_COLUMNS),
            shown.label("shown"), supporters.label("supporters"),
            sa.type_coerce(mine, sa.Boolean).label("mine"),
            Response.disposition, Response.body_html.label("response_html"))
            .outerjoin(Response, sa.and_(Response.target_type == TargetType.comment,
                                         Response.target_id == Comment.id,
                                         Response.published_at.is_not(None))).where(where))
    # The first comments by id and their replies by root_id, each part through its index
    # (an OR of the two, PostgreSQL answered by reading the whole table).
    both = sa.union_all(comments(Comment.id.in_(ids)), comments(Comment.root_id.in_(ids)))
    return _ThreadStatements(
        counting(counts), counting([*counts, _focus_rank(lineage, reader)]), on_page,
        both.order_by(sa.literal_column("created_at"), sa.literal_column("id")))


def _focus_rank(lineage, reader):
    """For the comment `focus` (a parameter): how many listed conversations come before its
    conversation, or None when it is not in this thread or its conversation is not listed
    for this reader."""
    target, head, listed_head, before = _FOCUS, _FOCUS_HEAD, _FOCUS_LISTED, _BEFORE
    focus = sa.bindparam("focus", type_=sa.Integer)

    def head_id():
        return (sa.select(sa.func.coalesce(target.root_id, target.id))
                .where(target.id == focus, target.lineage_id == lineage).scalar_subquery())
    listed = sa.exists().where(listed_head.id == head_id(), _listed(listed_head, reader))
    rank = (sa.select(sa.func.count()).select_from(before).join(head, head.id == head_id())
            .where(before.lineage_id == lineage, before.parent_id.is_(None),
                   _listed(before, reader),
                   sa.or_(before.created_at < head.created_at,
                          sa.and_(before.created_at == head.created_at, before.id < head.id)))
            .scalar_subquery())
    return sa.case((listed, rank), else_=None)


def _nest(rows) -> list[FlatItem]:
    """The page's conversations as the thread macro reads them: each first comment, its
    replies under it (three levels on screen, deeper ones flattened at the third saying whom
    they answer), comments nobody may read kept as placeholders only above what is shown.
    `rows`: every comment of the page's conversations, oldest first."""
    row_of: dict[int, object] = {}
    children: dict[int, list[int]] = {}
    answers: dict[int, int] = {}  # deep reply -> the comment it answers
    roots: list[int] = []
    for row in rows:
        row_of[row.id] = row
        if row.parent_id not in row_of:
            roots.append(row.id)
        elif row.depth > MAX_DISPLAY_DEPTH:
            # Too deep to indent further: listed at the third level, saying whom it answers.
            answers[row.id] = row.parent_id
            ancestor = row.parent_id
            while (row_of[ancestor].depth > MAX_DISPLAY_DEPTH - 1
                   and row_of[ancestor].parent_id in row_of):
                ancestor = row_of[ancestor].parent_id
            children.setdefault(ancestor, []).append(row.id)
        else:
            children.setdefault(row.parent_id, []).append(row.id)
    # Withdrawn or hidden comments stay as placeholders only when replies hang under them;
    # replies come after what they answer, so one pass from the end decides.
    kept: set[int] = set()
    for row in reversed(rows):
        below = [c for c in children.get(row.id, ()) if c in kept]
        children[row.id] = below
        if row.shown or below:
            kept.add(row.id)

    items: list[FlatItem] = []
    name = author_labels()

    def walk(ids: list[int]) -> None:
        for id_ in ids:
            row = row_of[id_]
            answered = row_of[answers[id_]] if id_ in answers else None
            node = Node(row, bool(row.shown), min(row.depth, MAX_DISPLAY_DEPTH),
                        in_reply_to=answered,
                        in_reply_to_shown=bool(answered.shown) if answered is not None else True,
                        supporters=row.supporters, supported_by_me=bool(row.mine),
                        who=name(row), when=fast_datetime(row.created_at),
                        response=ShownResponse(row.disposition, row.response_html)
                        if row.disposition is not None else None)
            items.append(FlatItem(node, bool(children[id_])))
            if children[id_]:
                walk(children[id_])
                items[-1].closes += 1
    walk([r for r in roots if r in kept])
    return items


def author_labels():
    """A function giving the name a comment is shown under: the municipality, the organisation
    as it was, or "a resident" (individuals are never named). A comment for an organisation
    whose author is not confirmed as its member is a resident's, saying so, as in the
    participation document (`comment` needs listed_under_organisation loaded)."""
    team = f"{current_app.config['MUNICIPALITY_NAME']} ({_('project team')})"
    resident = _("A resident")
    unverified = _("A resident (organisation not verified)")

    def name(comment) -> str:
        if comment.by_team:
            return team
        if not comment.organisation_kind:
            return resident
        return comment.organisation_name if comment.listed_under_organisation else unverified
    return name


def load(comment_id: int, *, lock: bool = False) -> Comment | None:
    """The comment; `lock`: for a change (conflicts.for_change)."""
    if lock:
        return db.session.scalar(for_change(sa.select(Comment).where(Comment.id == comment_id)))
    return db.session.get(Comment, comment_id)
