"""Comments on sections: post, reply, edit, withdraw, support, and threads to read.

Functions flush, callers commit. A published reply queues a notice for the parent's author
(participation.notifications) in the same transaction.
"""
from __future__ import annotations

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
        parent_id=parent.id if parent else None, depth=(parent.depth + 1) if parent else 0,
        author_id=author.id, organisation_id=organisation.id if organisation else None,
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
    #: A light row with Comment's columns (threads can hold thousands; ORM objects cost more);
    #: its id while the page is being built.
    comment: Comment | int
    #: False: withdrawn, rejected or someone else's pending comment, kept only as a placeholder
    #: because replies hang under it.
    visible: bool
    display_depth: int
    #: For replies shown flattened below the deepest level: the comment they answer (its id
    #: while the tree is built).
    in_reply_to: Comment | int | None = None
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
                  Comment.by_team, Comment.body_html, Comment.state, Comment.created_at,
                  Comment.removed_at, Comment.listed_under_organisation)


def visible_to(user):
    """What a thread shows this reader, in SQL: shown to everyone, or their own pending
    comment (ModeratedMixin.is_shown_to)."""
    return Comment.is_shown_to(user.id if user is not None else None)


def thread_counts(lineage_ids: list[int], user) -> dict[int, int]:
    """How many comments each of these sections' threads shows this user: one query."""
    user = user if getattr(user, "is_authenticated", False) else None
    if not lineage_ids:
        return {}
    return dict(db.session.execute(
        sa.select(Comment.lineage_id, sa.func.count()).where(
            Comment.lineage_id.in_(lineage_ids), visible_to(user))
        .group_by(Comment.lineage_id)).all())


#: Enough of every comment of a thread to build the tree; with it, whether this reader sees
#: it (`visible_to`), decided by the database: a flag is cheaper than the timestamps and
#: states it is made of (parsing hundreds of timestamps on SQLite cost more than the rest).
SKELETON_COLUMNS = (Comment.id, Comment.parent_id, Comment.depth)


def thread_page(lineage_id: int, user, page: int = 1, focus: int | None = None) -> ThreadPage:
    """One page of a section's thread, nested, with support counts and responses.

    The tree is built from a skeleton of the whole thread (so pages split between
    conversations, and the count is right), as plain ids: objects are made only for the
    page's comments, and their text, supports and responses loaded. `focus`, a comment id,
    picks the page that holds it. Six queries whatever the thread's length.
    """
    user = user if getattr(user, "is_authenticated", False) else None
    parent_of: dict[int, int | None] = {}
    depth_of: dict[int, int] = {}
    visible: dict[int, bool] = {}
    children: dict[int, list[int]] = {}
    answers: dict[int, int] = {}  # deep reply -> the comment it answers
    roots: list[int] = []
    order: list[int] = []
    for id_, parent_id, depth, shown in db.session.execute(
            sa.select(*SKELETON_COLUMNS, sa.type_coerce(visible_to(user), sa.Boolean))
            .where(Comment.lineage_id == lineage_id)
            .order_by(Comment.created_at, Comment.id)):
        order.append(id_)
        parent_of[id_], depth_of[id_] = parent_id, depth
        visible[id_] = bool(shown)
        if parent_id not in depth_of:
            roots.append(id_)
        elif depth > MAX_DISPLAY_DEPTH:
            # Too deep to indent further: listed at the third level, saying whom it answers.
            answers[id_] = parent_id
            ancestor = parent_id
            while depth_of[ancestor] > MAX_DISPLAY_DEPTH - 1 and parent_of[ancestor] in depth_of:
                ancestor = parent_of[ancestor]
            children.setdefault(ancestor, []).append(id_)
        else:
            children.setdefault(parent_id, []).append(id_)
    # Withdrawn or hidden comments stay as placeholders only when replies hang under them;
    # replies come after what they answer, so one pass from the end decides.
    kept: set[int] = set()
    for id_ in reversed(order):
        below = [c for c in children.get(id_, ()) if c in kept]
        children[id_] = below
        if visible[id_] or below:
            kept.add(id_)
    roots = [r for r in roots if r in kept]
    count = sum(visible.values())
    pages = max(1, -(-len(roots) // THREAD_PAGE_SIZE))
    if focus in parent_of:
        top = focus
        while parent_of[top] in parent_of:
            top = parent_of[top]
        if top in kept:
            page = roots.index(top) // THREAD_PAGE_SIZE + 1
    page = min(max(page, 1), pages)

    items: list[FlatItem] = []

    def walk(ids: list[int]) -> None:
        for id_ in ids:
            node = Node(id_, visible[id_], min(depth_of[id_], MAX_DISPLAY_DEPTH),
                        in_reply_to=answers.get(id_))
            items.append(FlatItem(node, bool(children[id_])))
            if children[id_]:
                walk(children[id_])
                items[-1].closes += 1
    walk(roots[(page - 1) * THREAD_PAGE_SIZE:page * THREAD_PAGE_SIZE])
    if items:
        _fill(items, [item.node.comment for item in items], user)
    return ThreadPage(items, count, page, pages)


def _fill(items: list[FlatItem], ids: list[int], user) -> None:
    """Text, names, times, supports and responses for the comments on the page."""
    # The comments that deep replies answer are named too (they may be withdrawn, so not shown).
    answered = {item.node.in_reply_to for item in items if item.node.in_reply_to is not None}
    rows = {c.id: c for c in db.session.execute(
        sa.select(*THREAD_COLUMNS, sa.type_coerce(visible_to(user), sa.Boolean).label("shown"))
        .where(Comment.id.in_(set(ids) | answered)))}
    support_counts = dict(db.session.execute(
        sa.select(CommentSupport.comment_id, sa.func.count())
        .where(CommentSupport.comment_id.in_(ids))
        .group_by(CommentSupport.comment_id)).all())
    mine = set(db.session.scalars(
        sa.select(CommentSupport.comment_id).where(
            CommentSupport.comment_id.in_(ids), CommentSupport.user_id == user.id))
    ) if user is not None else set()
    # The columns the thread shows (rows, not ORM objects: a page can hold a hundred).
    responses = {r.target_id: r for r in db.session.execute(
        sa.select(Response.target_id, Response.disposition, Response.body_html).where(
            Response.target_type == TargetType.comment, Response.published_at.is_not(None),
            Response.target_id.in_(ids)))}
    name = author_labels()
    for item in items:
        node = item.node
        row = node.comment = rows[node.comment]
        node.who, node.when = name(row), fast_datetime(row.created_at)
        node.supporters = support_counts.get(row.id, 0)
        node.supported_by_me = row.id in mine
        node.response = responses.get(row.id)
        if node.in_reply_to is not None:
            node.in_reply_to = rows[node.in_reply_to]
            node.in_reply_to_shown = bool(node.in_reply_to.shown)


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
