"""Inviting people: one by one or from a CSV, resending, revoking, and accepting a link."""
from __future__ import annotations

import csv
import hashlib
import io
import logging
import secrets
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from email_validator import EmailNotValidError, validate_email
from flask import current_app, url_for
from flask_babel import lazy_gettext as _l

from ..accounts.models import Organisation, OrganisationKind, User, VerificationState, name_key
from ..audit.services import record
from ..core.extensions import db
from ..mail.services import queue_mail
from ..organisations.services import vouch
from ..processes.models import Process
from ..processes.services import add_member
from ..core.sanitize import plain_text
from ..core.spreadsheets import decode_text
from ..core.timeutil import utcnow
from .models import Invitation, InvitationKind

log = logging.getLogger(__name__)

MAX_CSV_ROWS = 5000


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _lifetime() -> timedelta:
    return timedelta(days=current_app.config["INVITATION_DAYS"])


def _send(invitation: Invitation, token: str, process: Process, locale: str) -> None:
    queue_mail(invitation.email, "invitation",
               _l("Invitation: %(title)s", title=process.title), locale,
               invitation=invitation, process=process,
               link=url_for("invitations.accept", token=token, _external=True),
               expires_at=invitation.expires_at)


def invite(process: Process, *, email: str, name: str, organisation_name: str,
           kind: InvitationKind, by: User, locale: str = "nl") -> Invitation:
    token = secrets.token_urlsafe(32)
    invitation = Invitation(process_id=process.id, email=email.strip().lower(),
                            name=plain_text(name), organisation_name=plain_text(organisation_name),
                            kind=kind, token_hash=_hash(token), invited_by_id=by.id,
                            expires_at=utcnow() + _lifetime())
    db.session.add(invitation)
    db.session.flush()
    _send(invitation, token, process, locale)
    record("invitation.send", actor=by, target_type="invitation", target_id=invitation.id,
           process_id=process.id, after={"email": invitation.email, "kind": kind})
    log.info("user %s invited %s to process %s (%s)", by.id, invitation.id, process.id, kind.value)
    return invitation


def resend(invitation: Invitation, process: Process, by: User, locale: str = "nl") -> None:
    """A new link (the old one stops working) with a new expiry date."""
    token = secrets.token_urlsafe(32)
    invitation.token_hash = _hash(token)
    invitation.expires_at = utcnow() + _lifetime()
    invitation.last_sent_at = utcnow()
    invitation.times_sent += 1
    invitation.revoked_at = None
    _send(invitation, token, process, locale)
    record("invitation.resend", actor=by, target_type="invitation", target_id=invitation.id,
           process_id=process.id, after={"email": invitation.email})


def revoke(invitation: Invitation, by: User) -> None:
    if invitation.accepted_at is None:
        invitation.revoked_at = utcnow()
        record("invitation.revoke", actor=by, target_type="invitation",
               target_id=invitation.id, process_id=invitation.process_id,
               after={"email": invitation.email})


def find_by_token(token: str) -> Invitation | None:
    if not token or len(token) > 200:
        return None
    return db.session.scalar(sa.select(Invitation).where(Invitation.token_hash == _hash(token)))


def accept(invitation: Invitation, user: User) -> None:
    """The invitee is in: a member of the process, and the link is used up."""
    process = db.session.get(Process, invitation.process_id)
    member = add_member(process, user, source=invitation.kind.value)
    if member.source == "read_along" and invitation.kind is InvitationKind.full:
        member.source = InvitationKind.full.value
    invitation.accepted_at = utcnow()
    invitation.accepted_user_id = user.id
    organisation = user.organisation
    if organisation is not None and invitation.organisation_name \
            and name_key(invitation.organisation_name) == organisation.name_key:
        # The team named the organisation and the person followed the link sent to the
        # address: the team vouches for the membership.
        vouch(user, organisation, by_id=invitation.invited_by_id)
    log.info("invitation %s accepted by user %s", invitation.id, user.id)


def organisation_for(invitation: Invitation) -> Organisation | None:
    """The organisation named in the invitation: the registered one, or a new one (confirmed:
    the team named it)."""
    name = invitation.organisation_name.strip()
    if not name:
        return None
    organisation = db.session.scalar(sa.select(Organisation).where(
        Organisation.name_key == name_key(name)))
    if organisation is None:
        organisation = Organisation(name=name, name_key=name_key(name),
                                    kind=OrganisationKind.other, sector="",
                                    state=VerificationState.verified, decided_at=utcnow())
        db.session.add(organisation)
        db.session.flush()
    return organisation


def for_process(process: Process) -> list[Invitation]:
    return list(db.session.scalars(sa.select(Invitation).where(
        Invitation.process_id == process.id).order_by(Invitation.created_at.desc(),
                                                      Invitation.id.desc())))


# --- CSV ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class CsvRow:
    line: int
    name: str
    email: str
    organisation: str


@dataclass(frozen=True)
class CsvProblem:
    line: int
    message: str


def read_csv(data: bytes) -> tuple[list[CsvRow], list[CsvProblem]]:
    """Rows of name, e-mail, organisation (a header row is allowed); every bad row reported."""
    text = decode_text(data)
    if text is None:
        return [], [CsvProblem(0, str(_l("The file is not a readable text (CSV) file.")))]
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    rows, problems, seen = [], [], {}
    for line, cells in enumerate(csv.reader(io.StringIO(text), dialect), start=1):
        if not any(cell.strip() for cell in cells):
            continue
        if line == 1 and cells and cells[0].strip().lower() in {"name", "naam"}:
            continue
        if len(rows) + len(problems) >= MAX_CSV_ROWS:
            problems.append(CsvProblem(line, str(_l("More than %(n)d rows; split the file.",
                                                    n=MAX_CSV_ROWS))))
            break
        if len(cells) < 2 or len(cells) > 3:
            problems.append(CsvProblem(line, str(_l(
                "Expected 2 or 3 columns (name, e-mail, organisation), found %(n)d.",
                n=len(cells)))))
            continue
        name, email = cells[0].strip(), cells[1].strip()
        organisation = cells[2].strip() if len(cells) == 3 else ""
        if not name:
            problems.append(CsvProblem(line, str(_l("The name is empty."))))
        elif len(name) > 120 or len(organisation) > 200:
            problems.append(CsvProblem(line, str(_l("The name or organisation is too long."))))
        try:
            email = validate_email(email, check_deliverability=False).normalized.lower()
        except EmailNotValidError:
            problems.append(CsvProblem(line, str(_l("\"%(email)s\" is not a valid e-mail address.",
                                                    email=email[:80]))))
            continue
        if email in seen:
            problems.append(CsvProblem(line, str(_l("%(email)s is also on line %(other)d.",
                                                    email=email, other=seen[email]))))
            continue
        seen[email] = line
        if name and len(name) <= 120 and len(organisation) <= 200:
            rows.append(CsvRow(line, name, email, organisation))
    if not rows and not problems:
        problems.append(CsvProblem(0, str(_l("The file has no rows."))))
    return rows, problems
