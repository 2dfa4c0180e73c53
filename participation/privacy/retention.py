"""The retention purge: personal data of processes that ended long enough ago is erased.

A process whose last round closed more than RETENTION_MONTHS months ago keeps what its
participation document needs (texts, organisation names, responses, dates, counts) and loses
what says who someone was: invitations' addresses and names, the links from items to their
authors' accounts, the names of individuals whose input was entered offline, reply notices,
notification choices, flags, and addresses and names in the audit trail. Outbox mail older
than the retention term goes too. Accounts themselves stay until their owner deletes them.

Individuals stay distinguishable without a name: each gets a pseudonym "#n" per process in
`organisation_name`, so the participation document still lists one person's items together
as one "Resident N". Running it again changes nothing (idempotent). Functions flush; the
caller commits (or rolls back, for a dry run).
"""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass, fields
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import undefer

from ..accounts.models import Organisation, User
from ..audit.models import AuditEvent
from ..comments.models import Comment
from ..contributions.models import Contribution, ContributionRevision
from ..core.extensions import db
from ..invitations.models import Invitation
from ..mail.models import OutboxMessage
from ..moderation.models import Flag, TargetType
from ..notifications.models import NotificationPreference, ReplyNotice
from ..processes.models import Round
from ..core.timeutil import utcnow

log = logging.getLogger(__name__)

PSEUDONYM = re.compile(r"^#(\d+)$")
#: Keys in the audit trail's before/after values that hold an address or a person's name.
PERSONAL_AUDIT_KEYS = frozenset({"email", "name"})


@dataclass
class PurgeReport:
    processes: int = 0  #: processes past the retention term (changed or not)
    invitations: int = 0
    contributions_unlinked: int = 0
    comments_unlinked: int = 0
    offline_names: int = 0
    revisions_unlinked: int = 0
    reply_notices: int = 0
    notification_preferences: int = 0
    flags: int = 0
    outbox_messages: int = 0
    audit_events: int = 0

    def lines(self) -> list[str]:
        labels = {
            "processes": "processes past the retention term",
            "invitations": "invitations emptied",
            "contributions_unlinked": "contributions unlinked from their author",
            "comments_unlinked": "comments unlinked from their author",
            "offline_names": "names of individuals (offline input) erased",
            "revisions_unlinked": "earlier versions unlinked from their editor",
            "reply_notices": "reply notices deleted",
            "notification_preferences": "notification choices deleted",
            "flags": "flags deleted",
            "outbox_messages": "outbox messages deleted",
            "audit_events": "audit events cleared of addresses and names",
        }
        return [f"{labels[f.name]}: {getattr(self, f.name)}" for f in fields(self)]

    @property
    def changed(self) -> int:
        return sum(getattr(self, f.name) for f in fields(self) if f.name != "processes")


def months_before(moment: datetime, months: int) -> datetime:
    """The same day and time `months` calendar months earlier (the 31st becomes the month's
    last day when the earlier month is shorter)."""
    import calendar

    index = moment.year * 12 + moment.month - 1 - months
    year, month = divmod(index, 12)
    day = min(moment.day, calendar.monthrange(year, month + 1)[1])
    return moment.replace(year=year, month=month + 1, day=day)


def expired_process_ids(cutoff: datetime) -> list[int]:
    """Processes whose every round closed before `cutoff`."""
    return list(db.session.scalars(
        sa.select(Round.process_id).group_by(Round.process_id)
        .having(sa.func.max(Round.closes_at) < cutoff).order_by(Round.process_id)))


def purge(*, months: int, now: datetime | None = None) -> PurgeReport:
    cutoff = months_before(now or utcnow(), months)
    report = PurgeReport()
    process_ids = expired_process_ids(cutoff)
    report.processes = len(process_ids)
    for process_id in process_ids:
        _purge_process(process_id, report)
    report.outbox_messages = db.session.execute(
        sa.delete(OutboxMessage).where(OutboxMessage.created_at < cutoff)).rowcount
    db.session.flush()
    log.info("privacy purge (cutoff %s): %s", cutoff.isoformat(timespec="seconds"),
             "; ".join(report.lines()))
    return report


def _purge_process(process_id: int, report: PurgeReport) -> None:
    contribution_ids = (sa.select(Contribution.id).join(Round, Round.id == Contribution.round_id)
                        .where(Round.process_id == process_id))
    comment_ids = (sa.select(Comment.id).join(Round, Round.id == Comment.round_id)
                   .where(Round.process_id == process_id))
    report.invitations += _empty_invitations(process_id)
    _pseudonymise(process_id, report)
    report.revisions_unlinked += db.session.execute(
        sa.update(ContributionRevision)
        .where(ContributionRevision.contribution_id.in_(contribution_ids),
               ContributionRevision.replaced_by_id.is_not(None))
        .values(replaced_by_id=None)).rowcount
    report.reply_notices += db.session.execute(sa.delete(ReplyNotice).where(
        ReplyNotice.process_id == process_id)).rowcount
    report.notification_preferences += db.session.execute(
        sa.delete(NotificationPreference).where(
            NotificationPreference.process_id == process_id)).rowcount
    report.flags += db.session.execute(sa.delete(Flag).where(sa.or_(
        sa.and_(Flag.target_type == TargetType.contribution, Flag.target_id.in_(contribution_ids)),
        sa.and_(Flag.target_type == TargetType.comment, Flag.target_id.in_(comment_ids))))
    ).rowcount
    report.audit_events += _clear_audit(process_id)


def _empty_invitations(process_id: int) -> int:
    """Addresses and names go; the organisation named stays (the document counts it). An
    accepted invitation's link to the account goes too: the organisation's name, filled in
    from the account when the invitation had none, is how the document still finds it."""
    rows = db.session.execute(
        sa.select(Invitation, Organisation.name)
        .outerjoin(User, User.id == Invitation.accepted_user_id)
        .outerjoin(Organisation, Organisation.id == User.organisation_id)
        .where(Invitation.process_id == process_id, sa.or_(
            Invitation.email != "", Invitation.name != "",
            Invitation.accepted_user_id.is_not(None)))).all()
    for invitation, organisation_name in rows:
        invitation.email, invitation.name = "", ""
        if organisation_name and not invitation.organisation_name:
            invitation.organisation_name = organisation_name
        invitation.accepted_user_id = None
    return len(rows)


def _pseudonymise(process_id: int, report: PurgeReport) -> None:
    """Unlink items from their authors; individuals get a per-process pseudonym "#n"."""
    contributions = list(db.session.scalars(
        sa.select(Contribution).options(undefer(Contribution.listed_under_organisation))
        .join(Round, Round.id == Contribution.round_id)
        .where(Round.process_id == process_id).order_by(Contribution.created_at, Contribution.id)))
    comments = list(db.session.scalars(
        sa.select(Comment).options(undefer(Comment.listed_under_organisation))
        .join(Round, Round.id == Comment.round_id)
        .where(Round.process_id == process_id, Comment.by_team.is_(False))
        .order_by(Comment.created_at, Comment.id)))
    taken = [int(m.group(1)) for item in (*contributions, *comments)
             if item.organisation_name and (m := PSEUDONYM.match(item.organisation_name))]
    numbers: dict[tuple, int] = {}
    next_number = max(taken, default=0) + 1
    for item in (*contributions, *comments):
        if item.author_id is None and not _named_individual(item):
            continue
        if item.organisation_kind is not None and item.author_id is not None \
                and not item.listed_under_organisation:
            # Listed as a resident's (the author was not confirmed for the organisation):
            # unlinked, it would count as the organisation's, so it becomes the resident's.
            item.organisation_kind = None
        if item.organisation_kind is None and (item.author_id is not None
                                               or _named_individual(item)):
            key = (("account", item.author_id) if item.author_id is not None
                   else ("name", item.organisation_name.casefold()))
            if key not in numbers:
                numbers[key], next_number = next_number, next_number + 1
            if item.author_id is None:
                report.offline_names += 1
            item.organisation_name = f"#{numbers[key]}"
        if item.author_id is not None:
            item.author_id = None
            if isinstance(item, Contribution):
                report.contributions_unlinked += 1
            else:
                report.comments_unlinked += 1


def _named_individual(item) -> bool:
    """An individual's item that still carries a name (offline input names the sender)."""
    return (item.organisation_kind is None and bool(item.organisation_name)
            and not PSEUDONYM.match(item.organisation_name))


def _clear_audit(process_id: int) -> int:
    changed = 0
    for event in list(db.session.scalars(sa.select(AuditEvent).where(
            AuditEvent.process_id == process_id))):
        before, after = _without_personal(event.before), _without_personal(event.after)
        if (before, after) != (event.before, event.after):
            event.before, event.after = before, after
            changed += 1
    return changed


def _without_personal(value):
    if isinstance(value, dict):
        return {k: (None if k in PERSONAL_AUDIT_KEYS else _without_personal(v))
                for k, v in value.items()}
    if isinstance(value, list):
        return [_without_personal(v) for v in value]
    return value
