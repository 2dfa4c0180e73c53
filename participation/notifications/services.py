"""Telling authors about replies: at once, in a daily digest, or not at all, per process."""
from __future__ import annotations

import logging
from collections import defaultdict

import sqlalchemy as sa
from flask import current_app, url_for
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy.orm import undefer

from ..accounts.models import User
from ..comments.models import Comment
from ..core.extensions import db
from ..drafts.models import Section
from ..mail.services import queue_mail
from ..processes.models import Process
from ..core.timeutil import utcnow
from .models import NotificationPreference, NotifyMode, ReplyNotice

log = logging.getLogger(__name__)

UNSUBSCRIBE_SALT = "unsubscribe-replies"


def mode_for(user_id: int, process_id: int) -> NotifyMode:
    mode = db.session.scalar(sa.select(NotificationPreference.mode).where(
        NotificationPreference.user_id == user_id,
        NotificationPreference.process_id == process_id))
    return mode or NotifyMode.each


def set_mode(user_id: int, process_id: int, mode: NotifyMode) -> None:
    preference = db.session.scalar(sa.select(NotificationPreference).where(
        NotificationPreference.user_id == user_id,
        NotificationPreference.process_id == process_id))
    if preference is None:
        db.session.add(NotificationPreference(user_id=user_id, process_id=process_id, mode=mode))
    else:
        preference.mode = mode
    db.session.flush()


def unsubscribe_token(user_id: int, process_id: int) -> str:
    """A link that turns reply mail off without logging in; it only ever does that."""
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=UNSUBSCRIBE_SALT).dumps(
        [user_id, process_id])


def read_unsubscribe_token(token: str) -> tuple[int, int] | None:
    try:
        user_id, process_id = URLSafeSerializer(
            current_app.config["SECRET_KEY"], salt=UNSUBSCRIBE_SALT).loads(token)
    except (BadSignature, ValueError, TypeError):
        return None
    if not isinstance(user_id, int) or not isinstance(process_id, int):
        return None
    return user_id, process_id


def notice_reply(reply: Comment, parent: Comment) -> None:
    """The parent comment's author hears of a published reply, as they chose for the process."""
    author = parent.author
    if author is None or author.is_deleted or author.id == reply.author_id:
        return
    section = db.session.get(Section, reply.section_id)
    process = db.session.get(Process, section.version.process_id)
    mode = mode_for(author.id, process.id)
    if mode is NotifyMode.none:
        return
    notice = ReplyNotice(user_id=author.id, process_id=process.id, comment_id=reply.id)
    db.session.add(notice)
    if mode is NotifyMode.each:
        queue_mail(author.email, "reply", _l("Someone replied to your comment"), author.locale,
                   user=author, process=process, replies=[_reply_view(reply, section, process)],
                   unsubscribe_url=url_for("notifications.unsubscribe", _external=True,
                                           token=unsubscribe_token(author.id, process.id)),
                   settings_url=url_for("notifications.preferences", slug=process.slug,
                                        _external=True))
        notice.sent_at = utcnow()
    db.session.flush()


def _reply_view(reply, section, process) -> dict:
    # As the thread shows it: an organisation only for its confirmed members.
    who = reply.organisation_name if reply.organisation_kind \
        and reply.listed_under_organisation else None
    return {"who": who, "by_team": reply.by_team, "section": f"{section.number} {section.heading}",
            "text": reply.published_md,  # mailed to another person: as published
            "url": url_for("drafts.section", slug=process.slug, number=section.number,
                           comment=reply.id, _external=True) + f"#c-{reply.id}"}


def send_daily_digests() -> int:
    """One mail per person and process with the replies gathered since the last digest."""
    rows = db.session.execute(
        sa.select(ReplyNotice, Comment, Section)
        .join(Comment, Comment.id == ReplyNotice.comment_id)
        .join(Section, Section.id == Comment.section_id)
        .where(ReplyNotice.sent_at.is_(None))
        .options(undefer(Comment.listed_under_organisation))
        .order_by(ReplyNotice.user_id, ReplyNotice.process_id, ReplyNotice.id)).all()
    grouped = defaultdict(list)
    for notice, comment, section in rows:
        grouped[(notice.user_id, notice.process_id)].append((notice, comment, section))
    sent = 0
    now = utcnow()
    for (user_id, process_id), gathered in grouped.items():
        user = db.session.get(User, user_id)
        process = db.session.get(Process, process_id)
        # A reply hidden by a moderator or withdrawn by its author since it was posted is no
        # longer news: the digest tells only what the thread shows everyone now.
        items = [(n, c, s) for n, c, s in gathered if c.is_shown]
        if items and not user.is_deleted and mode_for(user_id, process_id) is NotifyMode.daily:
            queue_mail(user.email, "reply", _l("Replies to your comments"), user.locale,
                       user=user, process=process,
                       replies=[_reply_view(c, s, process) for _, c, s in items],
                       unsubscribe_url=url_for("notifications.unsubscribe", _external=True,
                                               token=unsubscribe_token(user_id, process_id)),
                       settings_url=url_for("notifications.preferences", slug=process.slug,
                                            _external=True))
            sent += 1
        for notice, _, _ in gathered:
            notice.sent_at = now
    db.session.flush()
    return sent
