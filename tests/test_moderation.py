"""Moderation and responses, as the project team works: queue, bulk, reject, hide, answer."""
from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from participation.accounts.models import User
from participation.audit.models import AuditEvent
from participation.comments.models import Comment
from participation.contributions.models import Contribution
from participation.core.mixins import ModerationState
from participation.drafts.models import Section
from participation.core.extensions import db
from participation.moderation.models import Flag, Response, ResponseTemplate
from participation.processes.models import Process

from .factories import (count, csrf_token, field_errors, login, make_comment, make_contribution,
                        make_many_comments, make_organisation, make_process, make_user,
                        open_feedback_round, publish_draft, submit)


@pytest.fixture
def team(app):
    """A process in round 2 with a draft; 20 pending contributions and 10 pending comments from
    two organisations; a moderator."""
    with app.app_context():
        process = make_process(moderation="pre")
        open_feedback_round(process, moderation="pre")
        moderator = make_user("mod@example.nl", role="moderator", name="Mod")
        firm = make_user("firma@example.nl", name="Firma", locale="en",
                         organisation=make_organisation("Bos Bouw", "business", "bouw"))
        school = make_user("school@example.nl", name="School",
                           organisation=make_organisation("Drenthe College", "education", "mbo"))
        version = publish_draft(process, moderator)
        sections = {s.number: s for s in version.sections}
        for i in range(20):
            make_contribution(process, process.themes[i % 3], firm if i % 2 else school,
                              title=f"Inbreng {i:02d}", state="pending")
        for i in range(10):
            make_comment(sections["2.2"], school if i % 2 else firm, f"Reactie {i}",
                         state="pending")
        db.session.commit()
        return {"lineage_22": sections["2.2"].lineage_id, "lineage_21": sections["2.1"].lineage_id}


def _queue_keys(client, url="/p/economie/moderation"):
    html = client.get(url).get_data(as_text=True)
    return html, re.findall(r'name="items" value="([a-z]+:\d+)"', html)


def _reject_two_and_approve_the_rest(client):
    """As the moderator: reject the first two contributions in the queue with a reason, try to
    reject two more without one, and approve everything else. Returns the rejected keys."""
    login(client, "mod@example.nl")
    html, keys = _queue_keys(client)
    assert len(keys) == 30
    rejected = [k for k in keys if k.startswith("contribution:")][:2]
    response = client.post("/p/economie/moderation/bulk", data={
        "csrf_token": csrf_token(html), "action": "reject", "items": rejected,
        "reason": "Bevat persoonsgegevens van anderen."})
    assert response.status_code == 302
    # Reject without a reason changes nothing.
    client.post("/p/economie/moderation/bulk", data={
        "csrf_token": csrf_token(html), "action": "reject", "items": keys[2:4], "reason": ""})
    # Bulk approve the rest.
    rest = [k for k in keys if k not in rejected]
    assert client.post("/p/economie/moderation/bulk", data={
        "csrf_token": csrf_token(html), "action": "approve", "items": rest}).status_code == 302
    return rejected


def _actions(app) -> list[str]:
    with app.app_context():
        return [e.action for e in db.session.scalars(sa.select(AuditEvent))]


def test_the_team_rejects_with_a_reason_and_approves_the_rest_in_bulk(client, app, team, mailbox):
    _reject_two_and_approve_the_rest(client)
    with app.app_context():
        assert count(Contribution, Contribution.state == ModerationState.rejected) == 2
        assert count(Contribution, Contribution.state == ModerationState.published) == 18
        assert count(Comment, Comment.state == ModerationState.published) == 10
    # The rejected items' authors get mail with the reason; the queue is empty.
    mailbox.deliver()
    mails = [m for m in mailbox.messages if "Bevat persoonsgegevens" in m.text]
    assert len(mails) == 2
    assert _queue_keys(client)[1] == []
    actions = _actions(app)
    assert actions.count("contribution.reject") == 2
    assert actions.count("contribution.approve") == 18 and actions.count("comment.approve") == 10
    audit = client.get("/p/economie/audit?action=contribution.reject").get_data(as_text=True)
    assert audit.count("contribution.reject") >= 2 and "Bevat persoonsgegevens" in audit


def test_a_flagged_comment_is_hidden_by_the_team_with_a_reason(client, app, team):
    _reject_two_and_approve_the_rest(client)
    # A participant flags a comment; the team hides it with a reason.
    with app.app_context():
        comment_id = db.session.scalar(sa.select(Comment.id).where(Comment.body_md == "Reactie 3"))
    flagger = app.test_client()
    login(flagger, "firma@example.nl")
    assert submit(flagger, f"/p/economie/flag/comment/{comment_id}",
                  {"reason": "offensive", "note": "Beledigend"}).status_code == 302
    assert submit(flagger, f"/p/economie/flag/comment/{comment_id}",
                  {"reason": "spam", "note": ""}).status_code == 302  # once per person
    with app.app_context():
        assert count(Flag) == 1
    html, keys = _queue_keys(client, "/p/economie/moderation?state=flagged")
    assert keys == [f"comment:{comment_id}"]
    url = f"/p/economie/moderation/comment/{comment_id}/hide"
    empty = submit(client, url, {"reason": ""}, page_url=f"/p/economie/moderation/comment/{comment_id}")
    assert empty.status_code == 400 and any(e.startswith("reason:") for e in field_errors(
        empty.get_data(as_text=True)))
    submit(client, url, {"reason": "Beledigend"}, page_url=f"/p/economie/moderation/comment/{comment_id}")
    public = app.test_client().get("/p/economie/draft/s/2.2").get_data(as_text=True)
    assert "Reactie 3" not in public and "Reactie 1" in public
    assert _actions(app).count("comment.hide") == 1


def test_the_team_answers_items_and_the_author_sees_the_response(client, app, team, mailbox):
    _reject_two_and_approve_the_rest(client)
    # Answer ten items with dispositions and sections, two as drafts first, then publish.
    with app.app_context():
        targets = list(db.session.scalars(sa.select(Contribution.id).where(
            Contribution.state == ModerationState.published).order_by(Contribution.id)))[:10]
    for n, item_id in enumerate(targets):
        page_url = f"/p/economie/moderation/contribution/{item_id}"
        data = {"disposition": ["adopted", "partly", "not_adopted", "noted", "already"][n % 5],
                "body": f"Antwoord {n}: dank, zie paragraaf 2.2.",
                "sections": [str(team["lineage_22"]), str(team["lineage_21"])],
                "action": "save" if n < 2 else "publish"}
        assert submit(client, page_url + "/response", data, page_url=page_url).status_code == 302
    for item_id in targets[:2]:
        page_url = f"/p/economie/moderation/contribution/{item_id}"
        submit(client, page_url + "/response", {"disposition": "adopted", "body": "Definitief.",
                                                "sections": [], "action": "publish"},
               page_url=page_url)
    with app.app_context():
        responses = db.session.scalars(sa.select(Response)).all()
        assert len(responses) == 10 and all(r.published_at for r in responses)
        assert sum(len(r.sections) for r in responses) == 16
    actions = _actions(app)
    assert actions.count("response.save") == 12 and actions.count("response.publish") == 10
    mailbox.deliver()
    answered = [m for m in mailbox.messages if "Antwoord" in m.text or "Definitief" in m.text]
    assert len(answered) == 10

    # The author sees the response under the contribution and on "my contributions".
    author = app.test_client()
    login(author, "firma@example.nl")
    mine = author.get("/account/contributions").get_data(as_text=True)
    assert "Inbreng 03" in mine and "<strong>Response: Adopted</strong>" in mine


def test_templates_and_response_validation(client, app, team):
    login(client, "mod@example.nl")
    missing = submit(client, "/p/economie/moderation/templates", {"title": "", "body": ""})
    assert {e.split(":")[0] for e in field_errors(missing.get_data(as_text=True))} >= {
        "title", "disposition", "body"}
    assert submit(client, "/p/economie/moderation/templates", {
        "title": "Al opgenomen", "disposition": "already",
        "body": "Dit staat al in het concept."}).status_code == 302
    with app.app_context():
        assert count(ResponseTemplate) == 1
        item_id = db.session.scalar(sa.select(Contribution.id).limit(1))
    page_url = f"/p/economie/moderation/contribution/{item_id}"
    assert "Dit staat al in het concept." in client.get(page_url).get_data(as_text=True)
    bad = submit(client, page_url + "/response", {"disposition": "", "body": "  ",
                                                  "action": "publish"}, page_url=page_url)
    assert bad.status_code == 400
    with app.app_context():
        assert count(Response) == 0


def test_approve_only_fits_pending_items(client, app, team):
    login(client, "mod@example.nl")
    with app.app_context():
        item_id = db.session.scalar(sa.select(Contribution.id).limit(1))
    page_url = f"/p/economie/moderation/contribution/{item_id}"
    submit(client, page_url + "/approve", {"reason": ""}, page_url=page_url)
    submit(client, page_url + "/approve", {"reason": ""}, page_url=page_url)
    with app.app_context():
        assert count(AuditEvent, AuditEvent.action == "contribution.approve") == 1


def test_approving_a_text_its_author_changed_after_it_was_read_publishes_nothing(client, app,
                                                                               team):
    """Pre-moderation: the moderator reads a pending reaction; its author edits it meanwhile.
    Approve from the old page shows the new text and publishes nothing; approve after reading
    it publishes."""
    with app.app_context():
        item_id = db.session.scalar(sa.select(Comment.id).join(User, User.id == Comment.author_id)
                                    .where(User.email == "firma@example.nl").limit(1))
    login(client, "mod@example.nl")
    page_url = f"/p/economie/moderation/comment/{item_id}"
    read = client.get(page_url).get_data(as_text=True)
    seen = re.search(r'name="item_version" value="(\d+)"', read).group(1)

    author = app.test_client()
    login(author, "firma@example.nl")
    edited = submit(author, f"/p/economie/comments/{item_id}/edit",
                    {"body": "Een tekst die niemand las."})
    assert edited.status_code == 302

    stale = client.post(page_url + "/approve", data={
        "csrf_token": csrf_token(read), "item_version": seen, "reason": ""})
    assert stale.status_code == 409
    html = stale.get_data(as_text=True)
    assert "De schrijver heeft deze tekst aangepast nadat u hem opende" in html
    assert "Een tekst die niemand las." in html
    with app.app_context():
        assert db.session.get(Comment, item_id).state is ModerationState.pending
        assert count(AuditEvent, AuditEvent.action == "comment.approve") == 0

    fresh = re.search(r'name="item_version" value="(\d+)"', html).group(1)
    assert fresh != seen
    approved = client.post(page_url + "/approve", data={
        "csrf_token": csrf_token(html), "item_version": fresh, "reason": ""})
    assert approved.status_code == 302
    with app.app_context():
        assert db.session.get(Comment, item_id).state is ModerationState.published


def test_participants_cannot_moderate(client, app, team):
    login(client, "firma@example.nl")
    with app.app_context():
        item_id = db.session.scalar(sa.select(Contribution.id).limit(1))
    for url in ("/p/economie/moderation", f"/p/economie/moderation/contribution/{item_id}",
                "/p/economie/moderation/templates", "/p/economie/audit"):
        assert client.get(url).status_code == 403, url
    page = client.get("/").get_data(as_text=True)
    response = client.post("/p/economie/moderation/bulk", data={
        "csrf_token": csrf_token(page), "action": "approve", "items": [f"contribution:{item_id}"]})
    assert response.status_code == 403
    with app.app_context():
        assert count(Contribution, Contribution.state == ModerationState.published) == 0


def _bulk_items(app, n):
    with app.app_context():
        process = db.session.scalar(sa.select(Process))
        user = db.session.scalar(sa.select(User).where(User.email == "firma@example.nl"))
        section = db.session.scalar(sa.select(Section).where(Section.number == "2.1"))
        for i in range(n):
            make_contribution(process, process.themes[i % 3], user, title=f"Bulk {i}",
                              state="pending")
        make_many_comments(section, [user], [f"Bulk {i}" for i in range(1, n, 2)])
        db.session.commit()


def test_queue_queries_do_not_grow(client, app, team, count_queries):
    login(client, "mod@example.nl")

    def measure():
        found = {}
        for url in ("/p/economie/moderation", "/p/economie/moderation?state=unanswered",
                    "/p/economie/moderation?state=all&round=feedback",
                    "/account/contributions", "/p/economie/audit"):
            with count_queries() as counter:
                assert client.get(url).status_code == 200, url
            found[url] = counter.count
        return found
    small = measure()
    _bulk_items(app, 600)  # twelve pages of the queue: more than one page is enough
    large = measure()
    assert small == large
    assert max(large.values()) <= 16, large


def test_role_changes_and_draft_publishing_are_in_the_audit_trail(client, app, team):
    with app.app_context():
        make_user("admin@example.nl", role="admin", name="Beheerder")
        school_id = db.session.scalar(sa.select(User.id).where(User.email == "school@example.nl"))
    login(client, "admin@example.nl")
    submit(client, f"/admin/users/{school_id}/role", {"role": "staff"}, page_url="/admin/users")
    html = client.get("/audit?action=role").get_data(as_text=True)
    assert "Beheerder heeft de rol van School gewijzigd van deelnemer in medewerker" in html
    per_process = client.get("/p/economie/audit?action=draft").get_data(as_text=True)
    assert "draft.publish" in per_process
    staff = app.test_client()
    login(staff, "school@example.nl")
    assert staff.get("/audit").status_code == 200  # staff may read the trail
    participant = app.test_client()
    login(participant, "firma@example.nl")
    assert participant.get("/audit").status_code == 403


def test_an_approved_reply_notifies_the_parents_author(client, app, team, mailbox):
    with app.app_context():
        firm = db.session.scalar(sa.select(User).where(User.email == "firma@example.nl"))
        school = db.session.scalar(sa.select(User).where(User.email == "school@example.nl"))
        section = db.session.scalar(sa.select(Section).where(Section.number == "2.2"))
        parent = make_comment(section, firm, "Vraag van de firma")
        reply = make_comment(section, school, "Antwoord dat wachtte", parent=parent,
                             state="pending")
        db.session.commit()
        reply_id = reply.id
    login(client, "mod@example.nl")
    page_url = f"/p/economie/moderation/comment/{reply_id}"
    submit(client, page_url + "/approve", {"reason": ""}, page_url=page_url)
    mailbox.deliver()
    mail = mailbox.only("firma@example.nl")
    assert "Antwoord dat wachtte" in mail.text
