"""Queue mail in the outbox and deliver what is due.

A request only calls queue_mail(); the row is committed with the change it reports, so a
rolled-back change sends nothing and an SMTP outage loses nothing and slows no page.
"""
from __future__ import annotations

import logging
import smtplib
import socket
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app, render_template
from flask_babel import force_locale
from flask_mail import Message

from ..extensions import db, mail
from ..timeutil import utcnow
from .models import OutboxMessage, OutboxState

log = logging.getLogger(__name__)

MAX_RETRY_DELAY = timedelta(hours=6)


def queue_mail(recipient: str, kind: str, subject, locale: str, **context) -> OutboxMessage:
    """Render `email/<kind>.txt` and `.html` in the recipient's language and add them to the outbox.

    `subject` is a lazy gettext string, rendered here in `locale`. The caller commits.
    """
    with force_locale(locale):
        message = OutboxMessage(
            recipient=recipient,
            kind=kind,
            subject=str(subject),
            body_text=render_template(f"email/{kind}.txt", locale=locale, **context),
            body_html=render_template(f"email/{kind}.html", locale=locale, subject=str(subject),
                                      **context),
        )
    db.session.add(message)
    return message


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
    """Deliver up to `limit` due messages, one transaction each; return counts by outcome."""
    counts = {"sent": 0, "retry": 0, "failed": 0}
    connection = None
    try:
        for _ in range(limit):
            message = _claim_next()
            if message is None:
                db.session.rollback()
                break
            message.attempts += 1
            try:
                if connection is None:
                    connection = _connect()
                connection.send(Message(
                    subject=message.subject, recipients=[message.recipient],
                    body=message.body_text, html=message.body_html,
                    sender=current_app.config["MAIL_DEFAULT_SENDER"]))
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
