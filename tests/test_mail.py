"""The outbox: written with the change it reports, delivered by a real SMTP server, retried."""
from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from participation.core.extensions import db
from participation.mail.models import OutboxMessage, OutboxState
from participation.mail.services import queue_mail, send_due
from participation.core.timeutil import utcnow

from .factories import make_user


def _queue(app, recipient="anna@example.nl", locale="nl"):
    with app.test_request_context():
        user = make_user(recipient, locale=locale)
        queue_mail(user.email, "password_changed", _l("Your password was changed"), locale,
                   user=user, reset_url="http://localhost/account/password/forgot")
        db.session.commit()


def test_a_rolled_back_change_sends_nothing(app):
    with app.test_request_context():
        user = make_user()
        queue_mail(user.email, "password_changed", _l("Your password was changed"), "nl",
                   user=user, reset_url="http://x")
        db.session.rollback()
        assert db.session.scalar(sa.select(sa.func.count(OutboxMessage.id))) == 0


def test_mail_has_text_and_html_in_the_recipients_language(app, mailbox):
    _queue(app, "nl@example.nl", "nl")
    _queue(app, "en@example.nl", "en")
    assert mailbox.deliver() == {"sent": 2, "retry": 0, "failed": 0}
    dutch, english = mailbox.only("nl@example.nl"), mailbox.only("en@example.nl")
    assert dutch.subject == "Uw wachtwoord is gewijzigd"
    assert english.subject == "Your password was changed"
    assert "The password of your account has just been changed." in english.text
    assert '<html lang="en">' in english.html and '<html lang="nl">' in dutch.html
    assert "multipart/alternative" in {part.get_content_type() for part in dutch.message.walk()}
    with app.app_context():
        rows = db.session.scalars(sa.select(OutboxMessage)).all()
        assert {r.state for r in rows} == {OutboxState.sent}
        assert all(r.sent_at and r.attempts == 1 for r in rows)


def test_smtp_outage_is_retried_with_backoff_and_nothing_is_lost(app, mailbox, smtp_server):
    _queue(app)
    smtp_server.stop()
    try:
        assert mailbox.deliver() == {"sent": 0, "retry": 1, "failed": 0}
        with app.app_context():
            row = db.session.scalar(sa.select(OutboxMessage))
            assert row.state is OutboxState.pending and row.attempts == 1
            assert "ConnectionRefusedError" in row.last_error
            first_delay = row.due_at - utcnow()
            assert timedelta(seconds=50) < first_delay <= timedelta(seconds=60)
        # Not due yet: a second run leaves it alone.
        assert mailbox.deliver() == {"sent": 0, "retry": 0, "failed": 0}
        with app.app_context():
            row = db.session.scalar(sa.select(OutboxMessage))
            row.due_at = utcnow()
            db.session.commit()
        mailbox.deliver()
        with app.app_context():
            row = db.session.scalar(sa.select(OutboxMessage))
            assert row.attempts == 2
            assert timedelta(seconds=110) < row.due_at - utcnow() <= timedelta(seconds=120)
    finally:
        smtp_server.start()
    with app.app_context():
        row = db.session.scalar(sa.select(OutboxMessage))
        row.due_at = utcnow()
        db.session.commit()
    assert mailbox.deliver()["sent"] == 1
    assert len(mailbox.to("anna@example.nl")) == 1


def test_after_the_last_attempt_the_mail_is_kept_as_failed(app, mailbox, smtp_server):
    _queue(app)
    app.config["MAIL_MAX_ATTEMPTS"] = 2
    smtp_server.stop()
    try:
        for _ in range(2):
            mailbox.deliver()
            with app.app_context():
                row = db.session.scalar(sa.select(OutboxMessage))
                row.due_at = utcnow()
                db.session.commit()
    finally:
        smtp_server.start()
        app.config["MAIL_MAX_ATTEMPTS"] = 8
    with app.app_context():
        row = db.session.scalar(sa.select(OutboxMessage))
        assert row.state is OutboxState.failed and row.attempts == 2 and row.last_error
    assert mailbox.deliver()["sent"] == 0  # failed mail is not sent by itself again


def test_send_due_delivers_oldest_first(app, mailbox):
    for n in range(3):
        _queue(app, f"p{n}@example.nl")
    with app.app_context():
        assert send_due(limit=2) == {"sent": 2, "retry": 0, "failed": 0}
        db.session.remove()
    assert [m.recipient for m in mailbox.messages] == ["p0@example.nl", "p1@example.nl"]


def test_mail_worker_keeps_delivering_and_stops_on_sigterm(app, mailbox, smtp_server, database_url):
    """The real `flask --app participation mail worker` process, against the test database."""
    import os
    import signal
    import subprocess
    import sys
    import time
    from pathlib import Path

    env = {**os.environ, "DATABASE_URL": database_url, "SECRET_KEY": "worker-test-secret-0123456789",
           "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": str(smtp_server.port)}
    flask = str(Path(sys.executable).parent / "flask")
    worker = subprocess.Popen([flask, "--app", "participation", "mail", "worker", "--interval",
                               "0.2"], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              text=True)
    try:
        _queue(app, "eerste@example.nl")
        _queue(app, "tweede@example.nl")
        deadline = time.monotonic() + 20
        while len(mailbox.messages) < 2 and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        worker.send_signal(signal.SIGTERM)
        output, _ = worker.communicate(timeout=20)
    assert {m.recipient for m in mailbox.messages} == {"eerste@example.nl", "tweede@example.nl"}
    assert worker.returncode == 0, output
    assert "stopped" in output
    with app.app_context():
        assert {r.state for r in db.session.scalars(sa.select(OutboxMessage))} == {OutboxState.sent}


def test_an_smtp_server_that_does_not_answer_is_a_failure_not_a_hang(app, mailbox):
    """A listening socket that never greets: the sender gives up after the timeout."""
    import socket as socketlib
    import time

    _queue(app)
    silent = socketlib.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(1)
    port = silent.getsockname()[1]
    old = app.config["MAIL_PORT"], app.config["MAIL_TIMEOUT_SECONDS"]
    app.config.update(MAIL_PORT=port, MAIL_TIMEOUT_SECONDS=1)
    app.extensions["mail"].port = port
    try:
        start = time.monotonic()
        assert mailbox.deliver() == {"sent": 0, "retry": 1, "failed": 0}
        assert time.monotonic() - start < 10
    finally:
        app.config.update(MAIL_PORT=old[0], MAIL_TIMEOUT_SECONDS=old[1])
        app.extensions["mail"].port = old[0]
        silent.close()
    with app.app_context():
        row = db.session.scalar(sa.select(OutboxMessage))
        assert "timed out" in row.last_error


def test_a_sender_that_dies_after_the_servers_ok_sends_again_with_the_same_message_id(
        app, database_url):
    """The real `flask mail send` process gets the SMTP server's OK and cannot commit it: the
    server locks the outbox row before it answers OK, so the process dies on its commit
    (SQLite's busy timeout, a lock timeout on PostgreSQL), as a killed sender would. While the
    lease runs no run sends the mail again; after it, the second copy has the first one's
    Message-ID, by which the receiver recognises it."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    from .conftest import Inbox, SMTPServer

    sqlite = database_url.startswith("sqlite")
    locker = sa.create_engine(database_url, isolation_level="AUTOCOMMIT",
                              connect_args={"check_same_thread": False} if sqlite else {})
    holder = locker.connect()

    def lock_the_outbox():
        if sqlite:
            holder.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            holder.exec_driver_sql("BEGIN")
            holder.exec_driver_sql("SELECT id FROM outbox_message FOR UPDATE")

    class LockingInbox(Inbox):
        """Keeps the mail, then locks the outbox before it answers OK (the first time)."""
        hold = staticmethod(lock_the_outbox)

        async def handle_DATA(self, server, session, envelope):
            answer = await super().handle_DATA(server, session, envelope)
            if self.hold is not None:
                self.hold()
                self.hold = None
            return answer

    server = SMTPServer()
    server.inbox = LockingInbox()
    server.start()
    env = {**os.environ, "DATABASE_URL": database_url,
           "SECRET_KEY": "sender-test-secret-0123456789abcdef", "MAIL_SERVER": "127.0.0.1",
           "MAIL_PORT": str(server.port), "MAIL_DEFAULT_SENDER": "participatie@assen.example",
           "PGOPTIONS": "-c lock_timeout=2s"}
    flask = str(Path(sys.executable).parent / "flask")

    def send():
        return subprocess.run([flask, "--app", "participation", "mail", "send"], env=env,
                              capture_output=True, text=True, timeout=120)
    try:
        _queue(app)
        died = send()
        assert died.returncode != 0 and "lock" in died.stderr.lower(), died.stderr[-2000:]
        holder.exec_driver_sql("ROLLBACK")
        assert len(server.inbox.messages) == 1  # the server has it; the outbox does not know
        with app.app_context():
            row = db.session.scalar(sa.select(OutboxMessage))
            assert row.state is OutboxState.pending and row.attempts == 1
            assert row.due_at > utcnow()  # the lease: not sent again at once
            db.session.remove()
        again = send()
        assert again.returncode == 0 and "sent 0," in again.stdout, again.stderr[-2000:]
        assert len(server.inbox.messages) == 1
        with app.app_context():
            row = db.session.scalar(sa.select(OutboxMessage))
            row.due_at = utcnow()  # the lease is over
            db.session.commit()
        after = send()
        assert after.returncode == 0 and "sent 1," in after.stdout, after.stderr[-2000:]
    finally:
        server.stop()
        holder.close()
        locker.dispose()
    first, second = server.inbox.messages
    assert first.recipient == second.recipient == "anna@example.nl"
    assert first.message["Message-ID"] == second.message["Message-ID"]
    assert first.message["Message-ID"].endswith("@assen.example>")
    with app.app_context():
        row = db.session.scalar(sa.select(OutboxMessage))
        assert row.state is OutboxState.sent and row.attempts == 2
        assert f"<outbox.{row.id}." in first.message["Message-ID"]
