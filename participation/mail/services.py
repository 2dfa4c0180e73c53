"""Queue mail in the outbox and deliver what is due.

A request only calls queue_mail(); the row is committed with the change it reports, so a
rolled-back change sends nothing and an SMTP outage loses nothing and slows no page.
"""
from __future__ import annotations

import hashlib
import hmac
import logging
import smtplib
import socket
from datetime import timedelta
from email.utils import parseaddr
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import current_app, render_template
from flask_babel import force_locale
from flask_mail import Message

from ..core.extensions import db, mail
from ..core.timeutil import utcnow
from .models import OutboxMessage, OutboxState

log = logging.getLogger(__name__)

MAX_RETRY_DELAY = timedelta(hours=6)


def queue_mail(recipient: str, kind: str, subject, locale: str, **context) -> OutboxMessage:
    """Render `email/<kind>.txt` and `.html` in the recipient's language and add them to the outbox.

    `subject` is a lazy gettext string, rendered here in `locale`. The caller commits.
    """
    message = write_mail(recipient, kind, subject, locale, **context)
    db.session.add(message)
    return message


def write_mail(recipient: str, kind: str, subject, locale: str, **context) -> OutboxMessage:
    """The message queue_mail() would queue, not added to the outbox: for a path that must
    cost as much as one that mails (accounts.services, for an address without an account)."""
    with force_locale(locale):
        return OutboxMessage(
            recipient=recipient,
            kind=kind,
            subject=str(subject),
            body_text=render_template(f"email/{kind}.txt", locale=locale, **context),
            body_html=render_template(f"email/{kind}.html", locale=locale, subject=str(subject),
                                      **context),
        )


def retry_delay(attempts: int) -> timedelta:
    base = current_app.config["MAIL_RETRY_BASE_SECONDS"]
    return min(timedelta(seconds=base * 2 ** max(attempts - 1, 0)), MAX_RETRY_DELAY)


def _claim_next() -> OutboxMessage | None:
    """The oldest due message, locked so that a second sender skips it (PostgreSQL)."""
    query = (sa.select(OutboxMessage)
             .where(OutboxMessage.state == OutboxState.pending, OutboxMessage.due_at <= utcnow())
             .order_by(OutboxMessage.due_at, OutboxMessage.id)
             .limit(1))
    if db.engine.dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    return db.session.scalars(query).first()


def send_due(limit: int = 500) -> dict[str, int]:
    """Deliver up to `limit` due messages, each in two transactions (the attempt, then its
    outcome); return counts by outcome.

    The one service that commits (elsewhere the view or the command does): it runs in the
    worker, not a request, and each attempt must be on record before SMTP hears of it."""
    counts = {"sent": 0, "retry": 0, "failed": 0}
    connection = None
    try:
        for _ in range(limit):
            message = _claim_next()
            if message is None:
                db.session.rollback()
                break
            # The attempt is committed before SMTP hears of it: a sender that dies after the
            # server's OK but before the outcome is committed leaves the row pending with this
            # attempt counted and out of every sender's reach until the lease is over. It is
            # then sent again with the same Message-ID, which the receiver recognises.
            message.attempts += 1
            message.due_at = utcnow() + _sending_lease(message.attempts)
            db.session.commit()
            try:
                if connection is None:
                    connection = _connect()
                outgoing = Message(
                    subject=message.subject, recipients=[message.recipient],
                    body=message.body_text, html=message.body_html,
                    sender=current_app.config["MAIL_DEFAULT_SENDER"])
                outgoing.msgId = message_id(message)
                connection.send(outgoing)
            except (smtplib.SMTPException, OSError) as error:
                connection = _close(connection)
                message.last_error = f"{type(error).__name__}: {error}"[:2000]
                if message.attempts >= current_app.config["MAIL_MAX_ATTEMPTS"]:
                    message.state = OutboxState.failed
                    counts["failed"] += 1
                    log.error("mail %s to %s failed for good: %s", message.id, message.recipient,
                              message.last_error)
                else:
                    message.due_at = utcnow() + retry_delay(message.attempts)
                    counts["retry"] += 1
                    log.warning("mail %s to %s will be retried: %s", message.id,
                                message.recipient, message.last_error)
            else:
                message.state = OutboxState.sent
                message.sent_at = utcnow()
                counts["sent"] += 1
            db.session.commit()
    finally:
        _close(connection)
    return counts


def message_id(message: OutboxMessage) -> str:
    """The Message-ID of an outbox row, the same at every attempt: a copy sent again after a
    crash is recognisable as the same mail. The row's id and creation time make it unique
    within the database, also after a reset; the keyed digest (SECRET_KEY) makes it unique
    between sites and unguessable, so nobody can send a mail ahead with the id of one the
    site is about to send (a receiver that removes duplicates would drop the real one)."""
    created = message.created_at.strftime("%Y%m%d%H%M%S%f")
    key = current_app.config["SECRET_KEY"]
    digest = hmac.new(key if isinstance(key, bytes) else key.encode(),
                      f"outbox:{message.id}:{created}".encode(), hashlib.sha256).hexdigest()
    sender = parseaddr(current_app.config["MAIL_DEFAULT_SENDER"] or "")[1]
    domain = sender.rpartition("@")[2] or urlsplit(current_app.config["SITE_URL"]).hostname \
        or "localhost"
    return f"<outbox.{message.id}.{created}.{digest[:20]}@{domain}>"


def _sending_lease(attempts: int) -> timedelta:
    """How long a message being sent stays out of other senders' reach: longer than an SMTP
    conversation can last (each step gives up after MAIL_TIMEOUT_SECONDS), and no shorter
    than the delay after a failed attempt, which replaces it when the attempt fails."""
    steps = timedelta(seconds=10 * current_app.config["MAIL_TIMEOUT_SECONDS"])
    return max(retry_delay(attempts), steps)


def _connect():
    """An SMTP connection that gives up after MAIL_TIMEOUT_SECONDS instead of hanging the
    sender (Flask-Mail opens smtplib without a timeout). The default is set only while the
    socket is made: the connection keeps it, nothing else in the process does."""
    previous = socket.getdefaulttimeout()
    socket.setdefaulttimeout(current_app.config["MAIL_TIMEOUT_SECONDS"])
    try:
        return mail.connect().__enter__()
    finally:
        socket.setdefaulttimeout(previous)


def _close(connection):
    if connection is not None:
        try:
            connection.__exit__(None, None, None)
        except (smtplib.SMTPException, OSError):
            pass
    return None
