"""Deleting an account (right to erasure), and the helpers the retention purge shares.

The person chooses what happens to their published items:

- keep: they stay where they are. An organisation's item keeps the organisation's name (not
  personal data) and loses its link to the person; an individual's item stays linked to the
  emptied account row, so the participation document still lists all of one person's items
  as one "Resident N" without knowing who that was.
- remove: the text, earlier versions, paper and the municipality's response are erased; the
  row stays as a withdrawn placeholder (removed_at) so replies by others keep their place
  under "comment removed" and the audit trail still points somewhere.

Either way the account row keeps no personal data: no name, an undeliverable placeholder
address, a password hash nothing matches (which also ends every session, as sessions are
bound to the hash), and the mail, notices, preferences and invitations that named the
person are deleted or emptied. Functions flush; the caller commits, then deletes the files.
"""
from __future__ import annotations

import enum
import logging
import secrets
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import undefer

from ..accounts.models import Membership, User
from ..admin.services import admin_ids
from ..audit.models import AuditEvent
from ..audit.services import record
from ..comments.models import Comment, CommentRevision, CommentSupport
from ..core.conflicts import for_change
from ..contributions.models import (
    Attachment,
    Contribution,
    ContributionRevision,
)
from ..core.extensions import db
from ..core.mixins import ModerationState
from ..core.roles import Role
from ..invitations.models import Invitation
from ..mail.models import OutboxMessage
from ..moderation.models import Flag, Response, ResponseSection, TargetType
from ..notifications.models import NotificationPreference, ReplyNotice
from ..oidc.models import Identity
from ..processes.models import ProcessMember
from ..core.search import escape_like
from ..core.timeutil import utcnow
from .rules import can_delete_account

log = logging.getLogger(__name__)

#: Addresses under the special-use domain .invalid are never delivered (RFC 6761), and the
#: e-mail validator refuses them, so nobody can register or log in with one.
PLACEHOLDER_DOMAIN = "deleted.invalid"


class ItemChoice(enum.Enum):
    keep = "keep"
    remove = "remove"


class LastAdmin(Exception):
    """The site must keep one admin: the last one cannot delete their account."""


@dataclass
class Erasure:
    """What a deletion did; `files` are the papers to delete from disk after the commit."""
    contributions_kept: int = 0
    contributions_removed: int = 0
    comments_kept: int = 0
    comments_removed: int = 0
    files: list[str] = field(default_factory=list)


def placeholder_email(kind: str, row_id: int) -> str:
    return f"{kind}-{row_id}@{PLACEHOLDER_DOMAIN}"


def delete_account(user: User, choice: ItemChoice) -> Erasure:
    """Erase the person's data and empty their account row; see the module docstring."""
    # The locked list, not the role loaded with the request, says how many admins there are.
    if not can_delete_account(user, len(admin_ids(lock=True))):
        raise LastAdmin
    now = utcnow()
    email = user.email
    organisation_name = user.organisation.name if user.organisation else None
    placeholder = placeholder_email("deleted", user.id)
    result = Erasure()
    _contributions(user, choice, now, result)
    _comments(user, choice, now, result)
    if choice is ItemChoice.remove:
        db.session.execute(sa.delete(CommentSupport).where(CommentSupport.user_id == user.id))
        db.session.execute(sa.update(Flag).where(Flag.user_id == user.id).values(note=""))
    db.session.execute(sa.delete(NotificationPreference).where(
        NotificationPreference.user_id == user.id))
    db.session.execute(sa.delete(ReplyNotice).where(ReplyNotice.user_id == user.id))
    db.session.execute(sa.delete(ProcessMember).where(ProcessMember.user_id == user.id))
    # The provider's subject is a person's id too: their provider login no longer finds the
    # account (a next login there makes a new one).
    db.session.execute(sa.delete(Identity).where(Identity.user_id == user.id))
    # All mail to the address goes, sent mail too: it holds the name and the address.
    db.session.execute(sa.delete(OutboxMessage).where(OutboxMessage.recipient == email))
    _invitations(user, email, organisation_name, now)
    _memberships(user)
    scrub_audit_values(email, placeholder)
    _empty_account(user, placeholder, now)
    record("account.delete", actor=user, target_type="user", target_id=user.id,
           after={"items": choice.value,
                  "contributions_kept": result.contributions_kept,
                  "contributions_removed": result.contributions_removed,
                  "comments_kept": result.comments_kept,
                  "comments_removed": result.comments_removed})
    db.session.flush()
    log.info("user %s deleted their account (items: %s)", user.id, choice.value)
    return result


def _contributions(user: User, choice: ItemChoice, now, result: Erasure) -> None:
    # Locked (conflicts.for_change): an edit in another tab, saved meanwhile, waits for this.
    items = list(db.session.scalars(for_change(sa.select(Contribution).options(
        undefer(Contribution.listed_under_organisation)).where(
        Contribution.author_id == user.id).order_by(Contribution.id))))
    attachments = {a.contribution_id: a for a in db.session.scalars(sa.select(Attachment).where(
        Attachment.contribution_id.in_([c.id for c in items] or [-1])))}
    for item in items:
        # What the person withdrew themselves was never theirs to keep public: always erased.
        if choice is ItemChoice.remove or item.state is ModerationState.withdrawn:
            remove_contribution(item, attachments.get(item.id), now, result)
        else:
            result.contributions_kept += 1
            # Unlinked only when it is listed under its organisation anyway: unlinked input
            # counts as the team's (listed under the organisation), so input the person was
            # not confirmed for stays linked and listed as a resident's.
            if item.listed_under_organisation:
                item.author_id = None
            attachment = attachments.get(item.id)
            if attachment is not None:
                # An uploaded file's name often carries its author's name.
                attachment.original_name = f"paper-{item.id}.pdf"


def remove_contribution(item: Contribution, attachment: Attachment | None, now,
                        result: Erasure) -> None:
    item.state = ModerationState.withdrawn
    item.withdrawn_at = item.withdrawn_at or now
    item.removed_at = now
    item.author_id = None
    item.title, item.body_md, item.body_html = "", "", ""
    db.session.execute(sa.delete(ContributionRevision).where(
        ContributionRevision.contribution_id == item.id))
    if attachment is not None:
        result.files.append(attachment.stored_name)
        db.session.delete(attachment)
    _drop_responses_and_flags(TargetType.contribution, item.id, now)
    result.contributions_removed += 1


def _comments(user: User, choice: ItemChoice, now, result: Erasure) -> None:
    for comment in list(db.session.scalars(for_change(sa.select(Comment).options(
            undefer(Comment.listed_under_organisation)).where(Comment.author_id == user.id)
            .order_by(Comment.id)))):
        if comment.by_team:
            continue  # written for the municipality: the municipality's, not the person's
        if choice is ItemChoice.remove or comment.state is ModerationState.withdrawn:
            comment.state = ModerationState.withdrawn
            comment.withdrawn_at = comment.withdrawn_at or now
            comment.removed_at = now
            comment.author_id = None
            comment.body_md, comment.body_html = "", ""
            db.session.execute(sa.delete(CommentRevision).where(
                CommentRevision.comment_id == comment.id))
            db.session.execute(sa.delete(CommentSupport).where(
                CommentSupport.comment_id == comment.id))
            # Digests not yet sent would quote the erased text.
            db.session.execute(sa.delete(ReplyNotice).where(ReplyNotice.comment_id == comment.id))
            _drop_responses_and_flags(TargetType.comment, comment.id, now)
            result.comments_removed += 1
        else:
            result.comments_kept += 1
            if comment.listed_under_organisation:
                comment.author_id = None


def _drop_responses_and_flags(kind: TargetType, item_id: int, now) -> None:
    """A response to an erased item answers nothing (and may quote it); flags are settled."""
    responses = sa.select(Response.id).where(Response.target_type == kind,
                                              Response.target_id == item_id)
    db.session.execute(sa.delete(ResponseSection).where(
        ResponseSection.response_id.in_(responses)))
    db.session.execute(sa.delete(Response).where(Response.target_type == kind,
                                                 Response.target_id == item_id))
    db.session.execute(sa.update(Flag).where(
        Flag.target_type == kind, Flag.target_id == item_id, Flag.handled_at.is_(None))
        .values(handled_at=now))


def _invitations(user: User, email: str, organisation_name: str | None, now) -> None:
    """Invitations to the address: emptied, and open ones withdrawn (their link would make a
    new account for a placeholder address). An organisation's invitation keeps the
    organisation's name, which is how the participation document counts it."""
    for invitation in list(db.session.scalars(sa.select(Invitation).where(sa.or_(
            Invitation.email == email, Invitation.accepted_user_id == user.id)))):
        invitation.email = placeholder_email("invitation", invitation.id)
        invitation.name = ""
        if invitation.accepted_at is None and invitation.revoked_at is None:
            invitation.revoked_at = now
        if organisation_name is not None:
            invitation.organisation_name = invitation.organisation_name or organisation_name
            invitation.accepted_user_id = None


def _memberships(user: User) -> None:
    """The evidence the person gave (role, KvK) and the claims themselves go; the audit trail
    of decisions on them keeps the organisation, not the person's name. (Their kept items were
    unlinked above where they are listed under an organisation, so nothing depends on it.)"""
    ids = list(db.session.scalars(sa.select(Membership.id).where(Membership.user_id == user.id)))
    if not ids:
        return
    for event in db.session.scalars(sa.select(AuditEvent).where(
            AuditEvent.target_type == "membership", AuditEvent.target_id.in_(ids))):
        if isinstance(event.after, dict) and event.after.get("user"):
            event.after = {**event.after, "user": ""}
    db.session.execute(sa.delete(Membership).where(Membership.id.in_(ids)))


def _empty_account(user: User, placeholder: str, now) -> None:
    user.email = placeholder
    user.name = ""
    # No hash matches "!...": nobody can log in, and every session (bound to the hash) ends.
    user.password_hash = "!deleted:" + secrets.token_hex(16)
    user.role = Role.participant
    user.organisation_id = None
    user.email_confirmed_at = None
    user.consent_at = None
    user.consent_version = None
    user.last_login_at = None
    user.deleted_at = now


def scrub_audit_values(needle: str, replacement: str) -> int:
    """Replace `needle` (an address) wherever the audit trail's before/after values hold it."""
    if not needle:
        return 0
    pattern = f"%{escape_like(needle)}%"
    changed = 0
    for event in list(db.session.scalars(sa.select(AuditEvent).where(sa.or_(
            sa.cast(AuditEvent.before, sa.Text).like(pattern, escape="\\"),
            sa.cast(AuditEvent.after, sa.Text).like(pattern, escape="\\"))))):
        before = _replace_in(event.before, needle, replacement)
        after = _replace_in(event.after, needle, replacement)
        if (before, after) != (event.before, event.after):
            event.before, event.after = before, after
            changed += 1
    return changed


def _replace_in(value, needle: str, replacement: str):
    if isinstance(value, str):
        return value.replace(needle, replacement)
    if isinstance(value, dict):
        return {k: _replace_in(v, needle, replacement) for k, v in value.items()}
    if isinstance(value, list):
        return [_replace_in(v, needle, replacement) for v in value]
    return value
