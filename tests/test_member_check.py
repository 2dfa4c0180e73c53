"""The member check: opening the window (with the warning about unanswered items), the mailed
single-use links (hashed, expiring), replies twice and at once, the team's answers, the one
reminder, and the document's "checked on" and reactions chapter in the open formats."""
from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import threading
from urllib.parse import urlsplit
from datetime import timedelta

import sqlalchemy as sa

from participation.audit.models import AuditEvent
from participation.core.extensions import db
from participation.core.timeutil import utc_to_amsterdam, utcnow
from participation.processes.models import Process
from participation.review import services
from participation.review.models import MemberCheck, ReviewLink, ReviewReply

from .factories import count, csrf_token, login, submit
from .member_check_setup import ready_process


def _moment(delta: timedelta) -> str:
    return utc_to_amsterdam(utcnow() + delta).strftime("%Y-%m-%dT%H:%M")


def _open(client, slug, **extra):
    return submit(client, f"/p/{slug}/member-check", {
        "opens_at": _moment(timedelta(minutes=-1)), "closes_at": _moment(timedelta(days=10)),
        **extra})


def _follow(client, link: str):
    """Follow the mailed link as a person does: open it, press the button (on this test
    client's host: a command's mail has the configured site address)."""
    link = urlsplit(link).path
    page = client.get(link)
    assert page.status_code == 200, page.get_data(as_text=True)
    return client.post(link, data={"csrf_token": csrf_token(page.get_data(as_text=True))})


def _token_in(html: str) -> str:
    return re.search(r'name="[^"]*csrf_token" type="hidden" value="([^"]+)"', html).group(1)


def _token(page) -> str:
    return _token_in(page.get_data(as_text=True))


def _reply(client, slug, subject, subject_id, verdict, body="", version="0"):
    page = client.get(f"/p/{slug}/review")
    prefix = f"{subject}-{subject_id}"
    url = f"/p/{slug}/review/document" if subject == "document" else \
        f"/p/{slug}/review/{subject}/{subject_id}"
    return client.post(url, data={
        f"{prefix}-csrf_token": _token(page), f"{prefix}-verdict": verdict,
        f"{prefix}-body": body, f"{prefix}-version": version})


def test_the_team_is_warned_of_unanswered_items_and_opens_once(app, client, mailbox):
    with app.test_request_context():
        ready = ready_process(answer_all=False)
    login(client, "mod@assen.example")
    refused = _open(client, ready.slug)
    assert refused.status_code == 400
    html = refused.get_data(as_text=True)
    assert "1 item has no response yet" in html and "Zonnepanelen" in html
    assert "tick this box to open the check anyway" in html
    assert _open(client, ready.slug, despite_unanswered="y").status_code == 302
    again = _open(client, ready.slug, despite_unanswered="y")
    assert again.status_code == 303  # a second opening sends nothing twice
    with app.app_context():
        assert count(MemberCheck) == 1 and count(ReviewLink) == 2
        assert db.session.scalar(sa.select(MemberCheck.unanswered_at_opening)) == 1
        assert count(AuditEvent, AuditEvent.action == "member_check.open") == 1
    mailbox.deliver()
    assert len(mailbox.to("anna@bolk.example")) == 1 and len(mailbox.to("bert@example.nl")) == 1
    assert mailbox.to("mod@assen.example") == []


def test_a_link_works_once_is_stored_hashed_and_expires(app, client, mailbox):
    with app.test_request_context():
        ready = ready_process()
    login(client, "mod@assen.example")
    assert _open(client, ready.slug).status_code == 302
    mailbox.deliver()
    link = mailbox.only("anna@bolk.example").link("/review/")
    token = link.rsplit("/", 1)[1]
    with app.app_context():
        hashes = set(db.session.scalars(sa.select(ReviewLink.token_hash)))
        assert hashlib.sha256(token.encode()).hexdigest() in hashes and token not in hashes
    anna = app.test_client()
    assert _follow(anna, link).status_code == 302
    page = anna.get(f"/p/{ready.slug}/review")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Meer bedrijventerrein" in text and "We nemen dit over." in text
    assert "Paragraaf een mist de haven." in text and "Zonnepanelen" not in text  # Bert's
    # The same link again, in another browser: refused, with the ways on.
    other = app.test_client()
    used = other.get(link)
    assert used.status_code == 410
    assert "al gebruikt" in used.get_data(as_text=True)
    assert "Stuur mij een nieuwe link" in used.get_data(as_text=True)
    assert "/account/login" in other.get(f"/p/{ready.slug}/review").headers["Location"]
    # Bert's link after the window closed: refused as expired.
    bert_link = mailbox.only("bert@example.nl").link("/review/")
    with app.app_context():
        db.session.execute(sa.update(MemberCheck).values(closes_at=utcnow() - timedelta(hours=1)))
        db.session.commit()
    expired = app.test_client().get(bert_link)
    assert expired.status_code == 410 and "verlopen" in expired.get_data(as_text=True)
    assert app.test_client().get("/review/not-a-token").status_code == 404


def test_replies_twice_in_two_tabs_and_at_once_make_one_row(app, client, mailbox):
    with app.test_request_context():
        ready = ready_process()
    login(client, "mod@assen.example")
    _open(client, ready.slug)
    mailbox.deliver()
    anna = app.test_client()
    _follow(anna, mailbox.only("anna@bolk.example").link("/review/"))
    first = ready.contributions[0]
    assert _reply(anna, ready.slug, "contribution", first, "confirmed").status_code == 302
    assert _reply(anna, ready.slug, "contribution", first, "confirmed").status_code == 302
    # A reaction without text: the message by the field, nothing saved.
    empty = _reply(anna, ready.slug, "contribution", ready.contributions[1], "reaction")
    assert empty.status_code == 400
    assert "Schrijf uw correctie of reactie" in empty.get_data(as_text=True)
    saved = _reply(anna, ready.slug, "contribution", ready.contributions[1], "reaction",
                   "Het gaat om **het mbo**.<script>alert(1)</script>")
    assert saved.status_code == 302
    # From an older tab (version 0 while 1 is saved): refused, text kept, no second row.
    stale = _reply(anna, ready.slug, "contribution", ready.contributions[1], "reaction",
                   "Andere tekst", version="0")
    assert stale.status_code == 409 and "Andere tekst" in stale.get_data(as_text=True)
    with app.app_context():
        rows = list(db.session.scalars(sa.select(ReviewReply).order_by(ReviewReply.id)))
        assert [(r.subject_id, r.verdict.value) for r in rows] == [
            (first, "confirmed"), (ready.contributions[1], "reaction")]
        assert "<script" not in rows[1].body_html and "<strong>het mbo</strong>" in rows[1].body_html

    # Two tabs sending the first reply on the whole at the same moment.
    barrier, results = threading.Barrier(2), []
    page = anna.get(f"/p/{ready.slug}/review").get_data(as_text=True)
    token = _token_in(page)

    def send(text):
        barrier.wait()
        results.append(anna.post(f"/p/{ready.slug}/review/document", data={
            "document-0-csrf_token": token, "document-0-verdict": "confirmed",
            "document-0-body": text,
            "document-0-version": "0"}).status_code)
    threads = [threading.Thread(target=send, args=(t,)) for t in ("", "")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [302, 302]
    with app.app_context():
        assert count(ReviewReply, ReviewReply.subject_id == 0) == 1


def test_the_team_answers_and_the_document_records_it(app, client, mailbox):
    with app.test_request_context():
        ready = ready_process()
    login(client, "mod@assen.example")
    _open(client, ready.slug)
    mailbox.deliver()
    anna = app.test_client()
    _follow(anna, mailbox.only("anna@bolk.example").link("/review/"))
    _reply(anna, ready.slug, "contribution", ready.contributions[0], "confirmed")
    _reply(anna, ready.slug, "comment", ready.comment, "reaction", "De haven is de Vaart.")
    queue = client.get(f"/p/{ready.slug}/moderation").get_data(as_text=True)
    assert "1 reaction on the document waits for an answer" in queue
    with app.app_context():
        reply_id = db.session.scalar(sa.select(ReviewReply.id).where(
            ReviewReply.verdict == "reaction"))
    url = f"/p/{ready.slug}/member-check/reactions/{reply_id}"
    assert submit(client, url, {"answer": "Klopt, we schrijven de Vaart."}).status_code == 302
    assert submit(client, url, {"answer": "Klopt, we schrijven de Vaart."}).status_code == 302
    assert "waits for an answer" not in client.get(f"/p/{ready.slug}/moderation").get_data(
        as_text=True)
    mailbox.deliver()
    assert len(mailbox.to("anna@bolk.example")) == 2  # the link, then one answer
    with app.app_context():
        assert count(AuditEvent, AuditEvent.action == "member_check.answer") == 1
        process = db.session.scalar(sa.select(Process).where(Process.slug == ready.slug))
        from participation.export.services import export
        document = json.loads(export(process, "json", public=True, language="en", actor=None))
        rows = list(csv.reader(io.StringIO(export(process, "csv", public=True, language="en",
                                                  actor=None).decode("utf-8-sig"))))
    bakery = next(s for s in document["stakeholders"] if s["name"] == "Bakkerij Bolk")
    assert bakery["checked_on"] and bakery["reaction_received"] is True
    resident = next(s for s in document["stakeholders"] if s["name"].startswith("Resident"))
    assert resident["checked_on"] is None
    [reaction] = document["member_check"]["reactions"]
    assert reaction["text_md"] == "De haven is de Vaart."
    assert reaction["answer_md"] == "Klopt, we schrijven de Vaart."
    assert document["member_check"]["invited"] == 2 and document["member_check"]["replied"] == 1
    header = rows[0]
    reaction_rows = [r for r in rows if r[header.index("kind")] == "document_reaction"]
    assert [r[header.index("response")] for r in reaction_rows] == ["Klopt, we schrijven de Vaart."]
    assert all(r[header.index("checked_on")] for r in rows[1:]
               if r[0] == "Bakkerij Bolk" and r[header.index("kind")] != "document_reaction")


def test_the_reminder_goes_once_to_those_who_did_not_reply(app, client, mailbox):
    with app.test_request_context():
        ready = ready_process()
    login(client, "mod@assen.example")
    _open(client, ready.slug)
    mailbox.deliver()
    anna = app.test_client()
    _follow(anna, mailbox.only("anna@bolk.example").link("/review/"))
    _reply(anna, ready.slug, "contribution", ready.contributions[0], "confirmed")
    runner = app.test_cli_runner()
    # Ten days before closing: not yet.
    assert "queued 0 reminder(s)" in runner.invoke(args=["member-check", "remind"]).output
    with app.app_context():
        db.session.execute(sa.update(MemberCheck).values(closes_at=utcnow() + timedelta(days=2)))
        db.session.commit()
    assert "queued 1 reminder(s)" in runner.invoke(args=["member-check", "remind"]).output
    assert "queued 0 reminder(s)" in runner.invoke(args=["member-check", "remind"]).output
    mailbox.deliver()
    [_first, reminder] = mailbox.to("bert@example.nl")
    assert reminder.subject.startswith("Reminder")
    assert len(mailbox.to("anna@bolk.example")) == 1  # she replied: no reminder
    # The reminder's link is a new one that works; the first one no longer does.
    assert app.test_client().get(_first.link("/review/")).status_code == 404
    bert = app.test_client()
    assert _follow(bert, reminder.link("/review/")).status_code == 302
    assert "Zonnepanelen" in bert.get(f"/p/{ready.slug}/review").get_data(as_text=True)
    with app.app_context():
        assert services.send_reminders() == 0


def test_the_team_page_takes_as_many_queries_for_one_reaction_as_for_four(app, client,
                                                                           count_queries):
    from participation.accounts.models import User
    from participation.review.models import ReviewSubject, Verdict

    with app.test_request_context():
        ready = ready_process()
    login(client, "mod@assen.example")
    _open(client, ready.slug)
    subjects = [(ReviewSubject.contribution, ready.contributions[0]),
                (ReviewSubject.contribution, ready.contributions[1]),
                (ReviewSubject.comment, ready.comment), (ReviewSubject.document, 0)]

    def react(n):
        with app.app_context():
            check = db.session.scalar(sa.select(MemberCheck))
            anna = db.session.scalar(sa.select(User).where(User.email == "anna@bolk.example"))
            subject, subject_id = subjects[n]
            services.save_reply(check, anna, subject, subject_id, verdict=Verdict.reaction,
                                body_md=f"Reactie {n}", seen_version=None)
            db.session.commit()

    def queries() -> int:
        with count_queries() as counter:
            page = client.get(f"/p/{ready.slug}/member-check")
        assert page.status_code == 200
        return counter.count

    react(0)
    one = queries()
    for n in (1, 2, 3):
        react(n)
    assert "Reactie 3" in client.get(f"/p/{ready.slug}/member-check").get_data(as_text=True)
    assert queries() == one
