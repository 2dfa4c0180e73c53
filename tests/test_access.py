"""Role × action for every route of the site, generated from the URL map so that a new route
cannot slip through: visitors, a hostile participant (trying other people's ids), moderator,
staff and admin. Team actions refused to participants change nothing."""
from __future__ import annotations

import functools
import hashlib
from datetime import timedelta
import re

import pytest
import sqlalchemy as sa

from participation.accounts.models import Membership
from participation.core.extensions import db
from participation.core.timeutil import utcnow

from .factories import csrf_token, login, make_organisation, make_user

PUBLIC, USER, OWNER, STAFF, TEAM, ADMIN = "public", "user", "owner", "staff", "team", "admin"

#: Who may use each endpoint. OWNER: any logged-in user reaches it, but only the author may
#: change the item (the hostile participant is refused on the other person's item).
ACCESS = {
    "static": PUBLIC, "main.home": PUBLIC, "main.privacy": PUBLIC, "main.set_language": PUBLIC,
    "main.accessibility": PUBLIC, "main.favicon": PUBLIC,
    "accounts.register": PUBLIC, "accounts.check_mail": PUBLIC, "accounts.confirm": PUBLIC,
    "accounts.resend_confirmation": PUBLIC, "accounts.login": PUBLIC,
    "accounts.forgot_password": PUBLIC, "accounts.reset_password": PUBLIC,
    "accounts.logout": USER, "accounts.profile": USER, "accounts.change_password": USER,
    "oidc.start": PUBLIC, "oidc.callback": PUBLIC,
    "processes.process": PUBLIC, "contributions.round_page": PUBLIC,
    "contributions.contribution": PUBLIC, "contributions.paper": PUBLIC,
    "drafts.read": PUBLIC, "drafts.section": PUBLIC, "comments.show": PUBLIC,
    "invitations.accept": PUBLIC, "notifications.unsubscribe": PUBLIC,
    "contributions.new": USER, "moderation.mine": USER, "moderation.flag": USER,
    "notifications.preferences": USER, "comments.reply": USER, "comments.support": USER,
    "contributions.edit": OWNER, "contributions.withdraw": OWNER,
    "comments.edit": OWNER, "comments.withdraw": OWNER,
    "moderation.audit": STAFF, "moderation.audit_all": STAFF, "export.export": STAFF,
    "export.preview": STAFF, "export.job": STAFF, "export.job_status": STAFF,
    "export.download": STAFF, "dashboard.dashboard": STAFF,
    # Rating a round (participation.ratings); the "you said, we did" page and its final mark.
    "ratings.rate": USER, "outcomes.page": PUBLIC, "outcomes.mark_final": STAFF,
    "processes.themes": TEAM, "processes.new_theme": TEAM, "processes.edit_theme": TEAM,
    "processes.change_theme": TEAM, "contributions.offline": TEAM,
    "contributions.import_input": TEAM, "contributions.confirm_import": TEAM, "drafts.upload": TEAM,
    "drafts.preview": TEAM, "invitations.manage": TEAM, "invitations.invite": TEAM,
    "invitations.import_csv": TEAM, "invitations.change": TEAM, "moderation.queue": TEAM,
    "moderation.bulk": TEAM, "moderation.item": TEAM, "moderation.act": TEAM,
    "redaction.decide": TEAM,
    "moderation.respond": TEAM, "moderation.templates": TEAM, "moderation.edit_template": TEAM,
    "moderation.answer": TEAM,
    **{f"analysis.{name}": TEAM for name in (
        "groups", "refresh", "group", "rename", "merge", "move", "code_group", "code_list",
        "rename_code", "delete_code", "tag_selection", "item_codes")},
    "admin.new_process": TEAM, "admin.edit_process": TEAM, "admin.edit_round": TEAM,
    "admin.users": ADMIN, "admin.change_role": ADMIN, "admin.login_locks": ADMIN,
    "admin.lift_login_lock": ADMIN,
    "privacy.my_data": USER, "privacy.my_data_json": USER, "privacy.delete_account": USER,
    "privacy.consent": USER,
    "organisations.queue": TEAM, "organisations.organisation": TEAM,
    "organisations.decide_organisation": TEAM,
    # The page of newcomers to the visitor's own organisation; deciding on one is for its
    # verified members (the owner is one) and the team.
    "organisations.requests": OWNER, "organisations.decide_membership": OWNER,
    # The member check: the team's pages; the personal link (the token is the key); the
    # review page of whoever has a link (another logged-in person: 403).
    "review.team": STAFF, "review.open_check": TEAM, "review.reaction": TEAM,
    "review.change_response": TEAM, "review.follow": PUBLIC, "review.renew": PUBLIC,
    "review.page": OWNER, "review.reply": OWNER, "review.reply_whole": OWNER,
    # The open-data API: read-only, for everyone (what the public document publishes).
    **{f"api.{name}": PUBLIC for name in (
        "index", "openapi_document", "processes", "process", "rounds", "themes", "sections",
        "contributions", "contribution", "comments", "comment", "responses", "response")},
}

#: "participant" owns the world's items; "hostile" is another participant who tries them.
ROLES = ("visitor", "participant", "hostile", "moderator", "staff", "admin")
ALLOWED = {PUBLIC: set(ROLES), USER: set(ROLES) - {"visitor"},
           OWNER: set(ROLES) - {"visitor"}, STAFF: {"moderator", "staff", "admin"},
           TEAM: {"moderator", "admin"}, ADMIN: {"admin"}}


def test_every_route_is_in_the_table(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert endpoints - set(ACCESS) == set(), "add the new route to ACCESS"
    assert set(ACCESS) - endpoints == set(), "remove routes that no longer exist"


@pytest.fixture
def world(app):
    """A process with input, a draft with comments, an invitation; items belong to 'owner'."""
    from participation.drafts.parsing import parse_markdown
    from participation.drafts.services import add_version
    from participation.invitations.models import InvitationKind
    from participation.invitations.services import invite
    from participation.moderation.models import Disposition
    from participation.moderation.services import add_template
    from participation.review.models import ReviewSubject, Verdict
    from participation.review.services import open_check, save_reply

    from .factories import (DRAFT_MD, make_comment, make_contribution, make_process,
                            open_feedback_round, publish_draft)

    with app.test_request_context():
        org = make_organisation("Bos Bouw", "business", "bouw")
        owner = make_user("owner@example.nl", name="Owner", organisation=org)
        make_user("hostile@example.nl", name="Fred")
        newcomer = make_user("newcomer@example.nl", name="Nieuw", organisation=org,
                             membership="unverified")
        waiting = make_organisation("Nog Niet BV", state="unverified")
        moderator = make_user("mod@example.nl", role="moderator")
        make_user("staff@example.nl", role="staff")
        make_user("admin@example.nl", role="admin")
        process = make_process()
        item = make_contribution(process, process.themes[0], owner, title="Van de eigenaar")
        open_feedback_round(process)
        version = publish_draft(process, moderator)
        section = next(s for s in version.sections if s.number == "2.2")
        comment = make_comment(section, owner, "Van de eigenaar")
        preview = add_version(process, parse_markdown(DRAFT_MD), source_kind="markdown",
                              source_name="v2.md", by=moderator)
        invitation = invite(process, email="x@example.nl", name="X", organisation_name="",
                            kind=InvitationKind.read_along, by=moderator)
        template = add_template(process, moderator, title="Dank", body_md="Dank voor uw inbreng.",
                                disposition=Disposition.noted)
        check = open_check(process, moderator, opens_at=utcnow() - timedelta(hours=1),
                           closes_at=utcnow() + timedelta(days=10), unanswered_count=0)
        reaction = save_reply(check, owner, ReviewSubject.contribution, item.id,
                              verdict=Verdict.reaction, body_md="Niet wat ik bedoelde.",
                              seen_version=None)
        # An export job (a row only: nothing queued), for its progress page and download.
        from participation.jobs.models import Job
        job = Job(kind="export", process_id=process.id,
                  parameters={"format": "csv", "public": True, "language": "nl"})
        db.session.add(job)
        db.session.commit()
        return {"slug": process.slug, "theme_id": process.themes[0].id,
                "contribution_id": item.id, "comment_id": comment.id, "number": "2.2",
                "version_id": preview.id, "invitation_id": invitation.id,
                "item_id": item.id, "kind": "contribution", "user_id": owner.id,
                "organisation_id": waiting.id, "membership_id": db.session.scalar(
                    sa.select(Membership.id).where(Membership.user_id == newcomer.id)),
                "token": "not-a-token", "filename": "css/site.css", "name": "broker",
                "template_id": template.id, "reply_id": reaction.id, "subject_id": item.id,
                "group_id": 1, "code_id": 1, "job_id": job.id}


def _url(rule, values: dict) -> str:
    def value(match):
        converter, name = match.group(1) or "", match.group(2)
        if converter.startswith("any("):
            return converter[4:].split(",")[0].strip(" )")
        return str(values[name])
    return re.sub(r"<(?:([^:>]+):)?([^>]+)>", value, rule.rule)


def _clients(app):
    clients = {"visitor": app.test_client()}
    for role, email in (("participant", "owner@example.nl"), ("hostile", "hostile@example.nl"),
                        ("moderator", "mod@example.nl"),
                        ("staff", "staff@example.nl"), ("admin", "admin@example.nl")):
        clients[role] = app.test_client()
        login(clients[role], email)
    return clients


def _snapshot(app) -> str:
    """Every row of every table, hashed: "nothing changed" in one comparison. The rows as the
    database driver gives them, on one connection (the ORM's session and result processing
    for every table cost a third of the test's time: the test takes about 350 snapshots)."""
    digest = hashlib.sha256()
    with app.app_context():
        engine = db.engine
    with engine.connect() as conn:
        cursor = conn.connection.driver_connection.cursor()
        try:
            for table, statement in _snapshot_statements(engine):
                cursor.execute(statement)
                digest.update(table.encode() + repr(cursor.fetchall()).encode())
        finally:
            cursor.close()
        conn.rollback()
    return digest.hexdigest()


@functools.cache
def _snapshot_statements(engine) -> tuple[tuple[str, str], ...]:
    """SELECT * FROM each table (but the outbox) ORDER BY its primary key, as SQL text."""
    statements = []
    for table in db.metadata.sorted_tables:
        if table.name in ("outbox_message",):
            continue
        select = sa.select(table).order_by(*table.primary_key.columns)
        statements.append((table.name, str(select.compile(dialect=engine.dialect))))
    return tuple(statements)


def _refused(role: str, response, method: str) -> bool:
    if role == "visitor":
        # A visitor's form post (an expired session) is refused in place, keeping the text.
        return (response.status_code == 302 and "/account/login" in response.headers["Location"]
                ) or (method == "POST" and response.status_code == 403)
    return response.status_code == 403


def test_role_by_action_for_every_route(app, world):
    clients = _clients(app)
    tokens = {role: csrf_token(c.get("/").get_data(as_text=True)) for role, c in clients.items()}
    problems = []
    checked = 0
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        access = ACCESS[rule.endpoint]
        url = _url(rule, world)
        for method in sorted((rule.methods or set()) & {"GET", "POST"}):
            if rule.endpoint == "accounts.logout":
                continue  # would end the session of the client used for the next routes
            for role in ROLES:
                allowed = role in ALLOWED[access]
                if method == "POST" and allowed:
                    continue  # allowed writes are tested with their own data elsewhere
                before = _snapshot(app) if method == "POST" else None
                client = clients[role]
                if method == "GET":
                    response = client.get(url)
                else:
                    response = client.post(url, data={"csrf_token": tokens[role], "name": "X",
                                                      "body": "Overgenomen door Fred",
                                                      "title": "Fred", "reason": "Fred",
                                                      "role": "admin", "action": "publish"})
                owner_only = access == OWNER and role != "visitor"
                if allowed and not owner_only:
                    ok = response.status_code < 500 and response.status_code not in (401, 403)
                    if ok and role != "visitor" and response.status_code == 302:
                        ok = "/account/login" not in response.headers["Location"]
                elif owner_only:
                    # Reachable for everyone logged in, but the item is someone else's.
                    ok = response.status_code == 403 if method == "POST" or role == "hostile" \
                        else response.status_code < 500
                else:
                    ok = _refused(role, response, method)
                if before is not None and not allowed | owner_only and ok:
                    ok = _snapshot(app) == before
                if before is not None and owner_only and role == "hostile":
                    ok = ok and _snapshot(app) == before
                checked += 1
                if not ok:
                    problems.append(f"{method} {url} as {role}: {response.status_code}")
    assert problems == [], "\n".join(problems)
    print(f"\naccess: {checked} route × method × role calls checked, 0 unexpected")
