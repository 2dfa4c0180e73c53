"""Security baseline: CSRF on every POST, cookies, headers, and no default secret in production."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from participation import create_app
from participation.accounts.models import User
from participation.core.config import DEFAULT_SECRET_KEY
from participation.core.extensions import db
from participation.core.timeutil import utcnow
from participation.core.security import InsecureConfiguration

from .factories import login, make_organisation, make_user, submit


def post_routes(app):
    for rule in app.url_map.iter_rules():
        if "POST" in (rule.methods or set()):
            yield rule


def _url(rule, values: dict) -> str:
    """The rule's URL with real objects' values, so that each view gets as far as its checks."""
    def value(match):
        converter, name = match.group(1) or "", match.group(2)
        if converter.startswith("any("):  # the first of the allowed words
            return converter[4:].split(",")[0].strip(" )")
        return str(values.get(name, "x"))
    return re.sub(r"<(?:([^:>]+):)?([^>]+)>", value, rule.rule)


def test_every_post_refuses_a_missing_csrf_token(client, app):
    from participation.drafts.parsing import parse_markdown
    from participation.drafts.services import add_version
    from participation.invitations.models import InvitationKind
    from participation.invitations.services import invite

    from .factories import (DRAFT_MD, make_comment, make_contribution, make_process,
                            open_feedback_round, publish_draft)

    with app.test_request_context():
        moderator = make_user("mod@example.nl", role="moderator", name="Mod")
        process = make_process()
        open_feedback_round(process)
        user = make_user()
        item = make_contribution(process, process.themes[1], user,
                                 body="Bel mij op 06-12345678.")  # a redaction to decide on
        version = publish_draft(process, moderator)
        section = next(s for s in version.sections if s.number == "2.2")
        comment = make_comment(section, user)
        preview = add_version(process, parse_markdown(DRAFT_MD), source_kind="markdown",
                              source_name="v2.md", by=moderator)
        invitation = invite(process, email="x@example.nl", name="X", organisation_name="",
                            kind=InvitationKind.read_along, by=moderator)
        invitation.token_hash = __import__("hashlib").sha256(b"known-token").hexdigest()
        from participation.moderation.models import Disposition, ResponseTemplate
        template = ResponseTemplate(process_id=process.id, title="Dank", body_md="Dank.",
                                    disposition=Disposition.noted)
        db.session.add(template)
        from participation.review.models import ReviewSubject, Verdict
        from participation.review.services import open_check, save_reply
        check = open_check(process, moderator, opens_at=utcnow() - timedelta(hours=1),
                           closes_at=utcnow() + timedelta(days=10), unanswered_count=0)
        reaction = save_reply(check, user, ReviewSubject.contribution, item.id,
                              verdict=Verdict.reaction, body_md="Anders.", seen_version=None)
        from participation.analysis.codes import add_code
        from participation.analysis.models import AnalysisGroup
        group = AnalysisGroup(process_id=process.id, round_kind=process.rounds[0].kind,
                              label="Groep")
        db.session.add(group)
        code = add_code(process, "wonen", moderator)
        db.session.commit()
        values = {"group_id": group.id, "code_id": code.id,
                  "slug": process.slug, "theme_id": process.themes[1].id,
                  "contribution_id": item.id, "token": "known-token",
                  "number": "2.2", "comment_id": comment.id, "version_id": preview.id,
                  "invitation_id": invitation.id, "user_id": user.id,
                  "kind": "contribution", "item_id": item.id,
                  "organisation_id": make_organisation("Nog Niet BV", state="unverified").id,
                  "membership_id": 1, "template_id": template.id, "reply_id": reaction.id,
                  "subject_id": item.id}
    login(client, "mod@example.nl")
    rules = list(post_routes(app))
    assert len(rules) >= 9, [r.rule for r in rules]
    with app.app_context():
        before = db.session.scalar(sa.select(User.password_hash).where(User.name == "Mod"))
    for rule in rules:
        data = {"name": "Changed", "locale": "en", "password": "nieuw-wachtwoord-99",
                "password_confirm": "nieuw-wachtwoord-99", "email": "pieter@example.nl",
                "current_password": "lange-wachtzin-42", "participate_as": "individual"}
        # As a visitor first; pages that need a login are tried again logged in.
        response = app.test_client().post(_url(rule, values), data=data)
        if response.status_code == 302 and "/account/login" in response.headers["Location"]:
            response = client.post(_url(rule, values), data=data)
        html = response.get_data(as_text=True)
        refused = response.status_code == 400 or (
            response.status_code in (200, 403) and "verlopen" in html)
        assert refused, (rule.rule, response.status_code)
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.email == "mod@example.nl"))
        assert user.name == "Mod" and user.locale == "nl"
        assert user.password_hash == before
        from participation.models import (Comment, CommentSupport, Contribution, DraftVersion,
                                          Invitation, Theme)
        assert db.session.scalar(sa.select(sa.func.count(Contribution.id))) == 1
        assert not any(t.is_retired for t in db.session.scalars(sa.select(Theme)))
        assert db.session.scalar(sa.select(sa.func.count(Comment.id))) == 1
        assert db.session.scalar(sa.select(sa.func.count(CommentSupport.id))) == 0
        assert db.session.get(DraftVersion, values["version_id"]).published_at is None
        invitation = db.session.get(Invitation, values["invitation_id"])
        assert invitation.revoked_at is None and invitation.accepted_at is None
    assert client.get("/account/").status_code == 200  # still logged in: logout was refused too


def test_refuses_to_start_in_production_with_the_default_secret(database_url):
    with pytest.raises(InsecureConfiguration):
        create_app({"SQLALCHEMY_DATABASE_URI": database_url, "TESTING": False, "DEBUG": False,
                    "SECRET_KEY": DEFAULT_SECRET_KEY})
    create_app({"SQLALCHEMY_DATABASE_URI": database_url, "TESTING": False,
                "SECRET_KEY": "a-real-secret-from-the-environment-0123456789"})


def test_session_cookie_is_httponly_and_samesite(client, app):
    with app.app_context():
        make_user()
    cookie = [c for c in login(client).headers.getlist("Set-Cookie") if c.startswith("session=")][0]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_secure_cookies_and_hsts_behind_https(database_url):
    secure = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "TESTING": True,
                         "SESSION_COOKIE_SECURE": True})
    client = secure.test_client()
    response = client.get("/account/login", base_url="https://localhost")
    assert "Strict-Transport-Security" in response.headers
    cookie = [c for c in response.headers.getlist("Set-Cookie") if c.startswith("session=")][0]
    assert "Secure" in cookie


def test_headers_forbid_framing_sniffing_and_inline_script(client):
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp and "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert "Strict-Transport-Security" not in response.headers  # plain http here


def test_pages_with_tokens_are_not_cached(client, app, mailbox):
    assert client.get("/account/password/reset/abc").headers["Cache-Control"] == "no-store"


def test_names_are_escaped_where_shown(client, app):
    with app.app_context():
        make_user(name='Eve"><img src=x onerror=alert(1)>')
    login(client)
    html = client.get("/").get_data(as_text=True)
    assert "<img src=x" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html


def test_oversized_password_is_refused_cheaply(client, app):
    with app.app_context():
        make_user()
    response = submit(client, "/account/login", {"email": "pieter@example.nl",
                                                 "password": "x" * 100_000})
    assert response.status_code == 200 and "klopt niet" in response.get_data(as_text=True)
