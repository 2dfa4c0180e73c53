"""The member check's rules: opening the window and mailing the links, following a link once,
a participant's confirmations and reactions, the team's answers, and the one reminder.

Functions flush, callers commit; every mail goes through the outbox in the same transaction.
"""
from __future__ import annotations

import hashlib
import logging
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app, url_for
from flask_babel import lazy_gettext as _l

from ..accounts.models import User
from ..audit.services import record
from ..comments.models import Comment
from ..contributions.models import Contribution
from ..core.conflicts import check_version, for_change
from ..core.extensions import db
from ..core.mixins import ModerationState
from ..core.sanitize import markdown_to_html
from ..core.timeutil import utcnow
from ..export.builder import Item, ParticipationDocument, Stakeholder
from ..export.services import document as export_document
from ..mail.services import queue_mail
from ..processes.models import Process, Round
from .models import MemberCheck, ReviewLink, ReviewReply, ReviewSubject, Verdict

log = logging.getLogger(__name__)

MAX_TEXT = 5000


class AlreadyOpened(Exception):
    """The process has a review window already (perhaps opened a moment ago by a colleague)."""


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def check_for(process: Process) -> MemberCheck | None:
    return db.session.scalar(sa.select(MemberCheck).where(MemberCheck.process_id == process.id))


# --- who takes part, what is unanswered ---------------------------------------------------

def participants(process: Process) -> list[User]:
    """Everyone with an account who wrote input or a reaction in either round (not withdrawn,
    not the team's own replies); offline input has no account and so no link."""
    authors = sa.union(
        sa.select(Contribution.author_id.label("id")).join(Round, Round.id == Contribution.round_id)
        .where(Round.process_id == process.id, Contribution.author_id.is_not(None),
               Contribution.state != ModerationState.withdrawn),
        sa.select(Comment.author_id.label("id")).join(Round, Round.id == Comment.round_id)
        .where(Round.process_id == process.id, Comment.author_id.is_not(None),
               Comment.by_team.is_(False), Comment.state != ModerationState.withdrawn),
    ).subquery()
    return list(db.session.scalars(
        sa.select(User).where(User.id.in_(sa.select(authors.c.id)), User.deleted_at.is_(None))
        .order_by(User.id)))


def unanswered(document: ParticipationDocument) -> list[tuple[Stakeholder, Item]]:
    """The items of the public document the team has not answered (no published response and
    no reply in the thread): what the team is warned about before it opens the window."""
    return [(s, item) for s, item in document.items() if not item.answered]


# --- opening the window -------------------------------------------------------------------

def open_check(process: Process, actor: User, *, opens_at: datetime, closes_at: datetime,
               unanswered_count: int) -> MemberCheck:
    """The window, and a personal link by mail to every participant (sent when it opens)."""
    check = MemberCheck(process_id=process.id, opens_at=opens_at, closes_at=closes_at,
                        opened_by_id=actor.id, unanswered_at_opening=unanswered_count)
    try:
        with db.session.begin_nested():
            db.session.add(check)
            db.session.flush()
    except sa.exc.IntegrityError:
        raise AlreadyOpened() from None
    people = participants(process)
    for user in people:
        link = ReviewLink(check_id=check.id, user_id=user.id, token_hash="", expires_at=closes_at)
        _send_link(process, check, link, user, kind="member_check")
        db.session.add(link)
    db.session.flush()
    record("member_check.open", actor=actor, target_type="process", target_id=process.id,
           process_id=process.id, after={"opens_at": opens_at, "closes_at": closes_at,
                                         "links": len(people), "unanswered": unanswered_count})
    log.info("member check of process %s opened by user %s: %d links", process.id, actor.id,
             len(people))
    return check


def _send_link(process: Process, check: MemberCheck, link: ReviewLink, user: User, *,
               kind: str) -> None:
    """A new token for `link` (an earlier one stops working), mailed to `user`."""
    token = secrets.token_urlsafe(32)
    link.token_hash = _hash(token)
    link.used_at = None
    link.sent_at = utcnow()
    link.expires_at = check.closes_at
    subject = (_l("Reminder: check your input for %(title)s", title=process.title)
               if kind == "member_check_reminder"
               else _l("Check how your input is shown: %(title)s", title=process.title))
    message = queue_mail(user.email, kind, subject, user.locale or "nl", user=user,
                         process=process, check=check,
                         link=url_for("review.follow", token=token, _external=True))
    # A window that opens later: the mail waits in the outbox until then.
    message.due_at = max(utcnow(), check.opens_at)


# --- following a link ---------------------------------------------------------------------

def find_link(token: str) -> ReviewLink | None:
    if not token or len(token) > 200:
        return None
    return db.session.scalar(sa.select(ReviewLink).where(ReviewLink.token_hash == _hash(token)))


def link_problem(link: ReviewLink, check: MemberCheck, now: datetime | None = None) -> str | None:
    """Why the link cannot be used now ("used", "expired", "not_yet"), or None."""
    now = now or utcnow()
    if link.used_at is not None:
        return "used"
    if now >= link.expires_at or now >= check.closes_at:
        return "expired"
    if now < check.opens_at:
        return "not_yet"
    return None


def use_link(link: ReviewLink) -> bool:
    """Mark the link used; False when another request used it first (the same link opened in
    two tabs at once: only one gets in)."""
    result = db.session.execute(
        sa.update(ReviewLink).where(ReviewLink.id == link.id, ReviewLink.used_at.is_(None))
        .values(used_at=utcnow()).execution_options(synchronize_session=False))
    return result.rowcount == 1


def renew_link(process: Process, check: MemberCheck, link: ReviewLink) -> bool:
    """Mail a fresh link to the link's owner (only ever to their own address); False when the
    window is closed or a link was sent in the last few minutes (no mail bombing)."""
    if utcnow() >= check.closes_at:
        return False
    if link.sent_at > utcnow() - timedelta(minutes=5):
        return False
    user = db.session.get(User, link.user_id)
    if user is None or user.is_deleted:
        return False
    _send_link(process, check, link, user, kind="member_check")
    return True


def link_of(check: MemberCheck, user_id: int) -> ReviewLink | None:
    return db.session.scalar(sa.select(ReviewLink).where(
        ReviewLink.check_id == check.id, ReviewLink.user_id == user_id))


# --- what a participant sees and says -----------------------------------------------------

@dataclass
class ReviewPage:
    """One participant's part of the document, as it will be printed, with their replies."""
    document: ParticipationDocument
    #: (stakeholder, item) in the document's order: the items this person wrote.
    items: list[tuple[Stakeholder, Item]] = field(default_factory=list)
    replies: dict[tuple[str, int], ReviewReply] = field(default_factory=dict)


def own_items(process: Process, user_id: int) -> set[tuple[str, int]]:
    """(kind, id) of what this person wrote in the process."""
    keys = set()
    for kind, model in (("contribution", Contribution), ("comment", Comment)):
        keys.update((kind, item_id) for item_id in db.session.scalars(
            sa.select(model.id).join(Round, Round.id == model.round_id)
            .where(Round.process_id == process.id, model.author_id == user_id)))
    return keys


def review_page(process: Process, check: MemberCheck, user: User, language: str) -> ReviewPage:
    """The person's items from the public document itself (export.builder): the same names,
    texts and responses the council will read, not a second rendering of them."""
    document = export_document(process, public=True, language=language)
    mine = own_items(process, user.id)
    page = ReviewPage(document, [(s, item) for s, item in document.items()
                                 if (item.kind, item.id) in mine])
    page.replies = {(r.subject.value, r.subject_id): r for r in db.session.scalars(
        sa.select(ReviewReply).where(ReviewReply.check_id == check.id,
                                     ReviewReply.user_id == user.id))}
    return page


def reply_for(check: MemberCheck, user_id: int, subject: ReviewSubject,
              subject_id: int) -> ReviewReply | None:
    return db.session.scalar(sa.select(ReviewReply).where(
        ReviewReply.check_id == check.id, ReviewReply.user_id == user_id,
        ReviewReply.subject == subject, ReviewReply.subject_id == subject_id))


def save_reply(check: MemberCheck, user: User, subject: ReviewSubject, subject_id: int, *,
               verdict: Verdict, body_md: str, seen_version: int | None) -> ReviewReply:
    """Confirm, or react to, one item or the whole; any number of times until the window
    closes. The same confirmation twice changes nothing; a change from an older form (another
    tab) is refused with EditConflict; two first saves at once meet the unique key, and the
    second is then held against the first like a save from an older form."""
    try:
        with db.session.begin_nested():
            return _save_reply(check, user, subject, subject_id, verdict=verdict,
                               body_md=body_md, seen_version=seen_version)
    except sa.exc.IntegrityError:
        db.session.expire_all()
        return _save_reply(check, user, subject, subject_id, verdict=verdict, body_md=body_md,
                           seen_version=0)


def _save_reply(check: MemberCheck, user: User, subject: ReviewSubject, subject_id: int, *,
                verdict: Verdict, body_md: str, seen_version: int | None) -> ReviewReply:
    body_md = body_md.strip() if verdict is Verdict.reaction else ""
    reply = reply_for(check, user.id, subject, subject_id)
    if reply is not None and reply.verdict is verdict and reply.body_md == body_md:
        return reply  # sent again: nothing changed
    if reply is None:
        reply = ReviewReply(check_id=check.id, user_id=user.id, subject=subject,
                            subject_id=subject_id, verdict=verdict)
        db.session.add(reply)
    else:
        check_version(reply, seen_version)
        reply.raise_version()
    reply.verdict = verdict
    reply.body_md, reply.body_html = body_md, markdown_to_html(body_md) if body_md else ""
    reply.changed_at = utcnow()
    db.session.flush()
    return reply


# --- the team -----------------------------------------------------------------------------

@dataclass
class TeamReply:
    """A reaction as the team's list shows it."""
    reply: ReviewReply
    user: User
    about: str  #: the item it is about, or "" for the whole


def reactions(check: MemberCheck) -> list[TeamReply]:
    """Every reaction (not the confirmations), those still waiting for an answer first; in a
    fixed number of queries."""
    rows = db.session.execute(
        sa.select(ReviewReply, User).join(User, User.id == ReviewReply.user_id)
        .where(ReviewReply.check_id == check.id, ReviewReply.verdict == Verdict.reaction)
        .order_by(ReviewReply.changed_at, ReviewReply.id)).all()
    titles = _titles([reply for reply, _user in rows])
    listed = [TeamReply(reply, user, titles.get((reply.subject.value, reply.subject_id), ""))
              for reply, user in rows]
    return sorted(listed, key=lambda t: not t.reply.needs_answer)


def waiting_count(process: Process) -> int:
    """Reactions of the member check that wait for the team's answer (the queue's link)."""
    return db.session.scalar(
        sa.select(sa.func.count(ReviewReply.id))
        .join(MemberCheck, MemberCheck.id == ReviewReply.check_id)
        .where(MemberCheck.process_id == process.id, ReviewReply.verdict == Verdict.reaction,
               sa.or_(ReviewReply.answered_at.is_(None),
                      ReviewReply.answered_at < ReviewReply.changed_at))) or 0


def counts(check: MemberCheck) -> dict[str, int]:
    links = db.session.scalar(sa.select(sa.func.count(ReviewLink.id)).where(
        ReviewLink.check_id == check.id)) or 0
    used = db.session.scalar(sa.select(sa.func.count(ReviewLink.id)).where(
        ReviewLink.check_id == check.id, ReviewLink.used_at.is_not(None))) or 0
    by_verdict = dict(db.session.execute(
        sa.select(ReviewReply.verdict, sa.func.count(sa.distinct(ReviewReply.user_id)))
        .where(ReviewReply.check_id == check.id).group_by(ReviewReply.verdict)).all())
    return {"links": links, "used": used,
            "confirmed": by_verdict.get(Verdict.confirmed, 0),
            "reacted": by_verdict.get(Verdict.reaction, 0)}


def _titles(replies: list[ReviewReply]) -> dict[tuple[str, int], str]:
    ids = {kind: {r.subject_id for r in replies if r.subject.value == kind}
           for kind in ("contribution", "comment")}
    titles = {}
    for item_id, title in db.session.execute(sa.select(Contribution.id, Contribution.title).where(
            Contribution.id.in_(ids["contribution"] or {-1}))):
        titles[("contribution", item_id)] = title
    for item_id, body in db.session.execute(sa.select(Comment.id, Comment.body_md).where(
            Comment.id.in_(ids["comment"] or {-1}))):
        titles[("comment", item_id)] = body if len(body) <= 80 else body[:77] + "…"
    return titles


def get_reply(check: MemberCheck, reply_id: int, *, lock: bool = False) -> ReviewReply | None:
    stmt = sa.select(ReviewReply).where(ReviewReply.id == reply_id,
                                        ReviewReply.check_id == check.id,
                                        ReviewReply.verdict == Verdict.reaction)
    if lock:
        stmt = for_change(stmt)
    return db.session.scalar(stmt)


def answer(process: Process, reply: ReviewReply, actor: User, *, answer_md: str,
           seen_version: int | None) -> bool:
    """The team's answer to a reaction, printed with it in the document; False when it was
    sent again unchanged. A colleague's answer saved meanwhile: EditConflict."""
    answer_md = answer_md.strip()
    if reply.answer_md == answer_md and reply.answered_at is not None \
            and reply.answered_at >= reply.changed_at:
        return False
    check_version(reply, seen_version)
    before = {"answer": reply.answer_md} if reply.answered_at else None
    reply.answer_md, reply.answer_html = answer_md, markdown_to_html(answer_md)
    reply.answered_at, reply.answered_by_id = utcnow(), actor.id
    reply.raise_version()
    db.session.flush()
    record("member_check.answer", actor=actor, target_type="review_reply", target_id=reply.id,
           process_id=process.id, before=before, after={"answer": answer_md})
    user = db.session.get(User, reply.user_id)
    if user is not None and not user.is_deleted:
        queue_mail(user.email, "member_check_answer",
                   _l("The municipality answered your reaction: %(title)s", title=process.title),
                   user.locale or "nl", user=user, process=process, reply=reply,
                   url=url_for("review.page", slug=process.slug, _external=True))
    return True


# --- the reminder -------------------------------------------------------------------------

def send_reminders(now: datetime | None = None) -> int:
    """Once per person, in the last MEMBER_CHECK_REMINDER_DAYS of an open window, a reminder
    with a fresh link to everyone who has not replied yet. Safe to run as often as one likes,
    also twice at once (each link is claimed by a conditional UPDATE). The caller commits."""
    now = now or utcnow()
    before = timedelta(days=current_app.config["MEMBER_CHECK_REMINDER_DAYS"])
    checks = list(db.session.scalars(sa.select(MemberCheck).where(
        MemberCheck.opens_at <= now, MemberCheck.closes_at > now,
        MemberCheck.closes_at <= now + before)))
    sent = 0
    for check in checks:
        process = db.session.get(Process, check.process_id)
        replied = sa.select(ReviewReply.user_id).where(ReviewReply.check_id == check.id)
        rows = db.session.execute(
            sa.select(ReviewLink, User).join(User, User.id == ReviewLink.user_id)
            .where(ReviewLink.check_id == check.id, ReviewLink.reminded_at.is_(None),
                   ReviewLink.user_id.not_in(replied), User.deleted_at.is_(None))).all()
        for link, user in rows:
            claimed = db.session.execute(
                sa.update(ReviewLink).where(ReviewLink.id == link.id,
                                            ReviewLink.reminded_at.is_(None))
                .values(reminded_at=now).execution_options(synchronize_session=False))
            if claimed.rowcount != 1:
                continue
            _send_link(process, check, link, user, kind="member_check_reminder")
            sent += 1
    db.session.flush()
    return sent
