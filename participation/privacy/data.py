"""Everything the site holds about one person, gathered for "download my data" (right of access).

One function builds the content as plain data (dicts and lists, times as datetimes); the JSON
file and the HTML page both show exactly that. A fixed number of queries, however many items
the person has: every kind of row is read with one query (joined to what names it).
"""
from __future__ import annotations

import enum
import json
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from ..accounts.models import Membership, Organisation, User
from ..comments.models import Comment, CommentRevision, CommentSupport
from ..contributions.models import Attachment, Contribution, ContributionRevision
from ..drafts.models import DraftVersion, Section
from ..core.extensions import db
from ..invitations.models import Invitation
from ..mail.models import OutboxMessage
from ..moderation.models import Flag, Response, TargetType
from ..notifications.models import NotificationPreference
from ..oidc.services import identities_of
from ..processes.models import Process, ProcessMember, Round, Theme

#: The parts of the file, in the order the page shows them.
PARTS = ("account", "organisation", "memberships", "consent", "processes", "contributions",
         "comments",
         "supports", "flags", "notification_preferences", "invitations", "mail")


def personal_data(user: User) -> dict[str, Any]:
    """The person's data: account, organisation, consent, and every row that names them."""
    contributions = _contributions(user)
    comments = _comments(user)
    responses = _responses(user)
    for kind, items in ((TargetType.contribution, contributions), (TargetType.comment, comments)):
        for item in items:
            item["response"] = responses.get((kind, item["id"]))
    return {
        "account": {
            "name": user.name, "email": user.email, "role": user.role.value,
            "language": user.locale, "created_at": user.created_at,
            "email_confirmed_at": user.email_confirmed_at, "last_login_at": user.last_login_at,
            # The logins through other services (participation.oidc) tied to the account.
            "provider_logins": [
                {"provider": identity.provider, "subject": identity.subject,
                 "linked_at": identity.created_at, "last_login_at": identity.last_login_at}
                for identity in identities_of(user)],
        },
        "organisation": _organisation(user),
        "memberships": _organisation_memberships(user),
        "consent": {"consented_at": user.consent_at, "statement_version": user.consent_version},
        "processes": _memberships(user),
        "contributions": contributions,
        "comments": comments,
        "supports": _supports(user),
        "flags": _flags(user),
        "notification_preferences": _preferences(user),
        "invitations": _invitations(user),
        "mail": _mail(user),
    }


def as_json(data: dict[str, Any]) -> str:
    """The data as a JSON document: times in ISO 8601 (UTC), states as their code names."""
    return json.dumps(data, default=_plain, ensure_ascii=False, indent=2)


def _plain(value):
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds") + "Z"
    if isinstance(value, enum.Enum):
        return value.value
    raise TypeError(type(value).__name__)


def _organisation(user: User) -> dict | None:
    if user.organisation_id is None:
        return None
    org = db.session.get(Organisation, user.organisation_id)
    return {"name": org.name, "kind": org.kind.value, "sector": org.sector}


def _organisation_memberships(user: User) -> list[dict]:
    """Every organisation the person said they take part for, with the evidence they gave and
    whether it was confirmed."""
    rows = db.session.execute(
        sa.select(Membership, Organisation.name)
        .join(Organisation, Organisation.id == Membership.organisation_id)
        .where(Membership.user_id == user.id).order_by(Membership.created_at, Membership.id))
    return [{"organisation": name, "state": m.state.value, "role": m.role, "kvk": m.kvk,
             "asked_at": m.requested_at, "decided_at": m.decided_at}
            for m, name in rows]


def _memberships(user: User) -> list[dict]:
    rows = db.session.execute(
        sa.select(Process.title, Process.slug, ProcessMember.source, ProcessMember.created_at)
        .join(Process, Process.id == ProcessMember.process_id)
        .where(ProcessMember.user_id == user.id).order_by(ProcessMember.created_at))
    return [{"process": r.title, "slug": r.slug, "joined_as": r.source, "joined_at": r.created_at}
            for r in rows]


def _contributions(user: User) -> list[dict]:
    rows = db.session.execute(
        sa.select(Contribution, Theme.title.label("theme"), Process.title.label("process"),
                  Process.slug, Attachment.original_name, Attachment.size, Attachment.pages)
        .join(Theme, Theme.id == Contribution.theme_id)
        .join(Round, Round.id == Contribution.round_id)
        .join(Process, Process.id == Round.process_id)
        .outerjoin(Attachment, Attachment.contribution_id == Contribution.id)
        .where(Contribution.author_id == user.id)
        .order_by(Contribution.created_at, Contribution.id)).all()
    revisions: dict[int, list[dict]] = {}
    for rev in db.session.scalars(
            sa.select(ContributionRevision)
            .where(ContributionRevision.contribution_id.in_(
                sa.select(Contribution.id).where(Contribution.author_id == user.id)))
            .order_by(ContributionRevision.id)):
        revisions.setdefault(rev.contribution_id, []).append(
            {"title": rev.title, "text": rev.body_md, "written_at": rev.written_at,
             "replaced_at": rev.replaced_at})
    items = []
    for row in rows:
        c = row.Contribution
        items.append({
            "id": c.id, "process": row.process, "slug": row.slug, "theme": row.theme,
            "title": c.title, "text": c.body_md, "state": c.state.value,
            # as others read it, where the team replaced personal data (else None)
            "published_text": c.redacted_md,
            "hidden_by_the_team": c.is_hidden,
            "listed_under": c.organisation_name, "created_at": c.created_at,
            "updated_at": c.updated_at, "withdrawn_at": c.withdrawn_at,
            "paper": ({"file_name": row.original_name, "bytes": row.size, "pages": row.pages}
                      if row.original_name is not None else None),
            "earlier_versions": revisions.get(c.id, []),
        })
    return items


def _comments(user: User) -> list[dict]:
    rows = db.session.execute(
        sa.select(Comment, Section.number, Section.heading, Process.title.label("process"),
                  Process.slug)
        .join(Section, Section.id == Comment.section_id)
        .join(DraftVersion, DraftVersion.id == Section.version_id)
        .join(Process, Process.id == DraftVersion.process_id)
        .where(Comment.author_id == user.id)
        .order_by(Comment.created_at, Comment.id)).all()
    revisions: dict[int, list[dict]] = {}
    for rev in db.session.scalars(
            sa.select(CommentRevision)
            .where(CommentRevision.comment_id.in_(
                sa.select(Comment.id).where(Comment.author_id == user.id)))
            .order_by(CommentRevision.id)):
        revisions.setdefault(rev.comment_id, []).append(
            {"text": rev.body_md, "written_at": rev.written_at, "replaced_at": rev.replaced_at})
    return [{
        "id": row.Comment.id, "process": row.process, "slug": row.slug,
        "section": f"{row.number} {row.heading}", "reply_to": row.Comment.parent_id,
        "text": row.Comment.body_md, "state": row.Comment.state.value,
        "published_text": row.Comment.redacted_md,
        "hidden_by_the_team": row.Comment.is_hidden,
        "for_the_project_team": row.Comment.by_team,
        "listed_under": row.Comment.organisation_name, "created_at": row.Comment.created_at,
        "updated_at": row.Comment.updated_at, "withdrawn_at": row.Comment.withdrawn_at,
        "earlier_versions": revisions.get(row.Comment.id, []),
    } for row in rows]


def _responses(user: User) -> dict[tuple[TargetType, int], dict]:
    """The municipality's published responses to the person's contributions and comments."""
    mine = sa.or_(
        sa.and_(Response.target_type == TargetType.contribution, Response.target_id.in_(
            sa.select(Contribution.id).where(Contribution.author_id == user.id))),
        sa.and_(Response.target_type == TargetType.comment, Response.target_id.in_(
            sa.select(Comment.id).where(Comment.author_id == user.id))))
    return {(r.target_type, r.target_id): {
        "disposition": r.disposition.value, "text": r.body_md, "published_at": r.published_at}
        for r in db.session.scalars(sa.select(Response).where(
            Response.published_at.is_not(None), mine))}


def _supports(user: User) -> list[dict]:
    rows = db.session.execute(
        sa.select(CommentSupport.created_at, Comment.id, Section.number, Section.heading,
                  Process.title)
        .join(Comment, Comment.id == CommentSupport.comment_id)
        .join(Section, Section.id == Comment.section_id)
        .join(DraftVersion, DraftVersion.id == Section.version_id)
        .join(Process, Process.id == DraftVersion.process_id)
        .where(CommentSupport.user_id == user.id).order_by(CommentSupport.created_at))
    return [{"comment": r.id, "process": r.title, "section": f"{r.number} {r.heading}",
             "at": r.created_at} for r in rows]


def _flags(user: User) -> list[dict]:
    return [{"item_type": f.target_type.value, "item": f.target_id, "reason": f.reason.value,
             "note": f.note, "at": f.created_at, "handled_at": f.handled_at}
            for f in db.session.scalars(sa.select(Flag).where(Flag.user_id == user.id)
                                        .order_by(Flag.created_at))]


def _preferences(user: User) -> list[dict]:
    rows = db.session.execute(
        sa.select(Process.title, NotificationPreference.mode)
        .join(Process, Process.id == NotificationPreference.process_id)
        .where(NotificationPreference.user_id == user.id).order_by(Process.title))
    return [{"process": r.title, "replies": r.mode.value} for r in rows]


def _invitations(user: User) -> list[dict]:
    """Invitations sent to the person's address, or accepted with this account."""
    rows = db.session.execute(
        sa.select(Invitation, Process.title)
        .join(Process, Process.id == Invitation.process_id)
        .where(sa.or_(Invitation.email == user.email, Invitation.accepted_user_id == user.id))
        .order_by(Invitation.created_at))
    return [{"process": r.title, "email": r.Invitation.email, "name": r.Invitation.name,
             "organisation": r.Invitation.organisation_name, "kind": r.Invitation.kind.value,
             "sent_at": r.Invitation.created_at, "times_sent": r.Invitation.times_sent,
             "expires_at": r.Invitation.expires_at, "accepted_at": r.Invitation.accepted_at,
             "withdrawn_at": r.Invitation.revoked_at} for r in rows]


def _mail(user: User) -> list[dict]:
    rows = db.session.execute(
        sa.select(OutboxMessage.subject, OutboxMessage.kind, OutboxMessage.state,
                  OutboxMessage.created_at, OutboxMessage.sent_at)
        .where(OutboxMessage.recipient == user.email).order_by(OutboxMessage.created_at))
    return [{"subject": r.subject, "kind": r.kind, "state": r.state.value,
             "queued_at": r.created_at, "sent_at": r.sent_at} for r in rows]
