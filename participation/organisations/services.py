"""Who may speak for an organisation: a person's claim (a membership), and its confirmation by
a verified member, the team or the organisation's e-mail domain. Functions flush, callers commit.

Until a membership and its organisation are both verified, the person's items are listed as a
resident's (accounts.models.listed_under_organisation); the person takes part all the same.
Decisions are made once: the state changes with one UPDATE that only matches an undecided row,
so two people confirming at the same moment record one decision.
"""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass

import sqlalchemy as sa
from flask import url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload

from ..accounts.models import (DecisionBasis, Membership, Organisation, User,
                               VerificationState)
from ..audit.services import record
from ..core.extensions import db
from ..core.roles import can_moderate
from ..core.paging import paginate_within
from ..mail.services import queue_mail
from ..core.sanitize import plain_text
from ..core.search import escape_like
from ..core.timeutil import utcnow

log = logging.getLogger(__name__)

UNVERIFIED, VERIFIED, REFUSED = (VerificationState.unverified, VerificationState.verified,
                                 VerificationState.refused)
#: A KvK number as people write it: 8 digits, perhaps in groups ("1234 5678", "12.34.56.78").
_KVK = re.compile(r"^\d{8}$")
_KVK_SEPARATORS = re.compile(r"[\s.\-]")
_DOMAIN = re.compile(r"^(?=.{3,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
#: Verified members asked by mail to confirm a newcomer: the longest-standing ones. Enough to
#: reach someone who knows, not a mailing to a whole company.
MEMBERS_ASKED = 10
#: Rows per part of the team's queue and per page of the organisation list.
PAGE_SIZE = 50


class DecisionTaken(Exception):
    """Someone else decided first (or the claim was already decided)."""


# --- evidence -------------------------------------------------------------------------------

def clean_kvk(value: str | None) -> str | None:
    """The KvK number as 8 digits, None when none was given; ValueError for any other form."""
    digits = _KVK_SEPARATORS.sub("", value or "")
    if not digits:
        return None
    if not _KVK.match(digits):
        raise ValueError(value)
    return digits


def clean_domain(value: str | None) -> str:
    """A website's domain from what the team typed ("https://www.Veen.nl/contact" → "veen.nl");
    "" for nothing; ValueError for something that is no domain."""
    text = (value or "").strip().lower()
    if not text:
        return ""
    text = re.sub(r"^[a-z][a-z0-9+.-]*://", "", text).split("/", 1)[0].split(":", 1)[0]
    text = text.removeprefix("www.").rstrip(".")
    if not _DOMAIN.match(text):
        raise ValueError(value)
    return text


def email_domain(email: str) -> str:
    return email.rsplit("@", 1)[-1].lower() if "@" in email else ""


def domain_matches(email: str, domain: str) -> bool:
    """The address is at the domain or one of its subdomains (a@veen.nl, a@mail.veen.nl)."""
    at = email_domain(email)
    return bool(domain) and (at == domain or at.endswith("." + domain))


def domain_confirms(user: User, organisation: Organisation, *, once_confirmed=False) -> bool:
    """The team lets this organisation's e-mail domain confirm members, and the person's
    confirmed address is at it (`once_confirmed`: will be, when the person confirms it)."""
    return (organisation.state is VERIFIED and organisation.auto_confirm_domain
            and (user.is_confirmed or once_confirmed)
            and domain_matches(user.email, organisation.website_domain))


# --- who may decide ---------------------------------------------------------------------------

def speaks_for(user: User, organisation_id: int | None) -> bool:
    """A verified member of a verified organisation, taking part for it now."""
    if not getattr(user, "is_authenticated", False) or organisation_id is None \
            or user.organisation_id != organisation_id:
        return False
    return db.session.scalar(
        sa.select(Membership.id).join(Organisation, Organisation.id == Membership.organisation_id)
        .where(Membership.user_id == user.id, Membership.organisation_id == organisation_id,
               Membership.state == VERIFIED, Organisation.state == VERIFIED)) is not None


def may_decide(user: User, membership: Membership) -> bool:
    """The team, or a verified member of the organisation (not for themselves)."""
    if can_moderate(user):
        return True
    return (getattr(user, "is_authenticated", False) and user.id != membership.user_id
            and speaks_for(user, membership.organisation_id))


# --- claims -----------------------------------------------------------------------------------

def membership_of(user_id: int, organisation_id: int) -> Membership | None:
    return db.session.scalar(sa.select(Membership).where(
        Membership.user_id == user_id, Membership.organisation_id == organisation_id))


def current_membership(user: User) -> Membership | None:
    """The membership of the organisation the person takes part for now."""
    if user.organisation_id is None:
        return None
    return membership_of(user.id, user.organisation_id)


def claim(user: User, organisation: Organisation, *, role: str, kvk: str | None,
          registered_organisation: bool = False) -> Membership:
    """The person takes part for `organisation` from now on and says so with this evidence.

    A verified membership stays verified (a person who comes back to an organisation they were
    confirmed for); any other is asked (again) with the new evidence. When the address is
    confirmed, the e-mail domain may settle it at once; else the person hears what happens
    next and the organisation's verified members are asked.
    """
    membership = membership_of(user.id, organisation.id) if user.id else None
    now = utcnow()
    if membership is None:
        membership = Membership(user=user, organisation=organisation, state=UNVERIFIED,
                                created_at=now, requested_at=now)
        db.session.add(membership)
    elif membership.state is VERIFIED:
        return membership
    membership.state = UNVERIFIED
    membership.role = plain_text(role)[:120]
    membership.kvk = kvk
    membership.registered_organisation = membership.registered_organisation or \
        registered_organisation
    membership.requested_at = now
    membership.decided_at = membership.decided_by_id = membership.decided_via = None
    db.session.flush()
    log.info("user %s asks to take part for organisation %s", user.id, organisation.id)
    if user.is_confirmed:
        _ask(membership, tell_person=True)
    return membership


def email_confirmed(user: User) -> None:
    """The person's address is confirmed: now their claim can be checked and announced (not
    before: unconfirmed addresses must not make anyone's members receive mail)."""
    membership = current_membership(user)
    if membership is not None and membership.state is UNVERIFIED:
        _ask(membership, tell_person=False)


def _ask(membership: Membership, *, tell_person: bool) -> None:
    user, organisation = membership.user, membership.organisation
    if domain_confirms(user, organisation):
        _decide(membership, VERIFIED, by=None, via=DecisionBasis.domain)
        return
    if tell_person:
        queue_mail(user.email, "membership_requested",
                   _l("Taking part for %(organisation)s", organisation=organisation.name),
                   user.locale, user=user, organisation=organisation)
    members = members_to_ask(organisation, exclude=user.id)
    link = url_for("organisations.requests", _external=True) + f"#m-{membership.id}" \
        if members else ""
    for member in members:
        queue_mail(member.email, "membership_request",
                   _l("%(name)s asks to take part for %(organisation)s", name=user.name,
                      organisation=organisation.name),
                   member.locale, user=member, requester=user, membership=membership,
                   organisation=organisation, domain=email_domain(user.email), link=link)


def members_to_ask(organisation: Organisation, exclude: int | None = None) -> list[User]:
    """The verified members of a verified organisation who can be asked: one query."""
    if organisation.state is not VERIFIED:
        return []
    return list(db.session.scalars(
        sa.select(User).join(Membership, Membership.user_id == User.id)
        .where(Membership.organisation_id == organisation.id, Membership.state == VERIFIED,
               User.organisation_id == organisation.id, User.id != (exclude or -1),
               User.email_confirmed_at.is_not(None), User.deleted_at.is_(None))
        .order_by(Membership.decided_at, Membership.id).limit(MEMBERS_ASKED)))


# --- decisions --------------------------------------------------------------------------------

def decide(membership: Membership, *, confirm: bool, by: User) -> None:
    """A verified member's or the team's decision; DecisionTaken when it was already made."""
    via = DecisionBasis.team if can_moderate(by) else DecisionBasis.member
    if not _decide(membership, VERIFIED if confirm else REFUSED, by=by, via=via):
        raise DecisionTaken(membership.id)


def _decide(membership: Membership, state: VerificationState, *, by: User | None,
            via: DecisionBasis) -> bool:
    """Decide an undecided membership: one UPDATE that only matches it while undecided, so of
    two decisions at the same moment one is made and the other finds it taken."""
    now = utcnow()
    done = db.session.execute(
        sa.update(Membership)
        .where(Membership.id == membership.id, Membership.state == UNVERIFIED)
        .values(state=state, decided_at=now, decided_by_id=by.id if by else None,
                decided_via=via)
        .execution_options(synchronize_session=False)).rowcount == 1
    db.session.refresh(membership)
    if not done:
        return False
    user, organisation = membership.user, membership.organisation
    if state is REFUSED and user.organisation_id == organisation.id:
        # They take part as a resident from now on; what they wrote stays as it was written.
        user.organisation_id = None
    record(f"membership.{'confirm' if state is VERIFIED else 'refuse'}", actor=by,
           target_type="membership", target_id=membership.id,
           after={"organisation": organisation.name, "user": user.name})
    queue_mail(user.email, "membership_decided",
               _l("Taking part for %(organisation)s", organisation=organisation.name),
               user.locale, user=user, organisation=organisation,
               confirmed=state is VERIFIED, organisation_verified=organisation.is_verified,
               by_domain=via is DecisionBasis.domain)
    db.session.flush()
    log.info("membership %s %s (%s)", membership.id, state.value, via.value)
    return True


def decide_organisation(organisation: Organisation, *, confirm: bool, by: User) -> None:
    """The team confirms (or refuses) a new organisation. Confirming confirms the person who
    registered it too (the team saw their evidence with it); refusing refuses every claim still
    open for it: the organisation is not what it was said to be."""
    state = VERIFIED if confirm else REFUSED
    done = db.session.execute(
        sa.update(Organisation)
        .where(Organisation.id == organisation.id, Organisation.state == UNVERIFIED)
        .values(state=state, decided_at=utcnow())
        .execution_options(synchronize_session=False)).rowcount == 1
    db.session.refresh(organisation)
    if not done:
        raise DecisionTaken(organisation.id)
    registrant = registrant_of(organisation)
    record(f"organisation.{'confirm' if confirm else 'refuse'}", actor=by,
           target_type="organisation", target_id=organisation.id,
           after={"organisation": organisation.name,
                  "user": registrant.user.name if registrant else ""})
    open_claims = list(db.session.scalars(sa.select(Membership).where(
        Membership.organisation_id == organisation.id, Membership.state == UNVERIFIED)
        .order_by(Membership.id)))
    for membership in open_claims:
        if not confirm or membership.registered_organisation:
            _decide(membership, state, by=by, via=DecisionBasis.team)
    db.session.flush()
    log.info("organisation %s %s by user %s", organisation.id, state.value, by.id)


def registrant_of(organisation: Organisation) -> Membership | None:
    return db.session.scalar(sa.select(Membership).options(joinedload(Membership.user)).where(
        Membership.organisation_id == organisation.id,
        Membership.registered_organisation.is_(True)).order_by(Membership.id).limit(1))


class KvkTaken(ValueError):
    """Another organisation has this KvK number already."""


def change_settings(organisation: Organisation, *, website_domain: str,
                    auto_confirm_domain: bool, by: User, kvk: str | None = None) -> bool:
    """The website's domain, whether it confirms members, and the KvK number; False when
    nothing changed. KvkTaken when another organisation has the number."""
    before = {"website_domain": organisation.website_domain,
              "auto_confirm_domain": organisation.auto_confirm_domain, "kvk": organisation.kvk}
    after = {"website_domain": website_domain, "auto_confirm_domain": auto_confirm_domain,
             "kvk": kvk}
    if before == after:
        return False
    if kvk and db.session.scalar(sa.select(Organisation.id).where(
            Organisation.kvk == kvk, Organisation.id != organisation.id)) is not None:
        raise KvkTaken(kvk)
    organisation.website_domain = website_domain
    organisation.auto_confirm_domain = auto_confirm_domain
    organisation.kvk = kvk
    record("organisation.settings", actor=by, target_type="organisation",
           target_id=organisation.id, before=before,
           after={"organisation": organisation.name, **after})
    db.session.flush()
    return True


def confirm_by_domain(organisation: Organisation) -> int:
    """With the switch on, open claims whose confirmed address is at the domain are confirmed
    now too (not only those made from now on). Returns how many."""
    claims = list(db.session.scalars(
        sa.select(Membership).options(joinedload(Membership.user))
        .where(Membership.organisation_id == organisation.id, Membership.state == UNVERIFIED)))
    confirmed = 0
    for membership in claims:
        if domain_confirms(membership.user, organisation) and _decide(
                membership, VERIFIED, by=None, via=DecisionBasis.domain):
            confirmed += 1
    return confirmed


# --- invitations ------------------------------------------------------------------------------

def vouch(user: User, organisation: Organisation, by_id: int | None) -> Membership:
    """The team invited this person for this organisation: a verified membership (the team
    typed the organisation's name, and the person followed the link sent to the address)."""
    membership = membership_of(user.id, organisation.id) if user.id else None
    if membership is None:
        membership = Membership(user=user, organisation=organisation)
        db.session.add(membership)
    if membership.state is not VERIFIED:
        membership.state = VERIFIED
        membership.decided_at = utcnow()
        membership.decided_by_id = by_id
        membership.decided_via = DecisionBasis.invitation
    db.session.flush()
    return membership


def confirm_by_kvk(user: User, organisation: Organisation, kvk: str) -> bool:
    """The person's login provider certifies they act for `kvk`, the number the team confirmed
    for this organisation: their membership is verified (made if need be). False when it
    already was."""
    membership = membership_of(user.id, organisation.id)
    if membership is None:
        now = utcnow()
        membership = Membership(user=user, organisation=organisation, state=UNVERIFIED,
                                created_at=now, requested_at=now)
        db.session.add(membership)
    elif membership.state is VERIFIED:
        return False
    membership.state = VERIFIED
    membership.kvk = kvk
    membership.decided_at = utcnow()
    membership.decided_by_id = None
    membership.decided_via = DecisionBasis.kvk
    db.session.flush()
    record("membership.confirm", actor=None, target_type="membership", target_id=membership.id,
           after={"organisation": organisation.name, "user": user.name, "via": "kvk"})
    log.info("membership %s verified by a KvK claim", membership.id)
    return True


# --- reading ------------------------------------------------------------------------------

def requests_for(user: User) -> list[Membership]:
    """Open claims on the organisation `user` speaks for (one query), oldest first."""
    return list(db.session.scalars(
        sa.select(Membership).options(joinedload(Membership.user))
        .join(User, User.id == Membership.user_id)
        .where(Membership.organisation_id == user.organisation_id,
               Membership.state == UNVERIFIED, Membership.user_id != user.id,
               User.email_confirmed_at.is_not(None), User.deleted_at.is_(None))
        .order_by(Membership.requested_at, Membership.id)))


def for_profile(user: User) -> tuple[Membership | None, int]:
    """The membership of the organisation the person takes part for now (with it), and how
    many newcomers wait for them to confirm if they speak for it: one query."""
    if user.organisation_id is None:
        return None, 0
    other, person = sa.orm.aliased(Membership), sa.orm.aliased(User)
    waiting = (sa.select(sa.func.count(other.id)).join(person, person.id == other.user_id)
               .where(other.organisation_id == Membership.organisation_id,
                      other.state == UNVERIFIED, other.user_id != user.id,
                      person.email_confirmed_at.is_not(None), person.deleted_at.is_(None))
               .correlate(Membership).scalar_subquery())
    # The organisation comes with the membership (and stays loaded with it, so the page's
    # user.organisation needs no query of its own).
    row = db.session.execute(
        sa.select(Membership, waiting).options(joinedload(Membership.organisation))
        .where(Membership.user_id == user.id,
               Membership.organisation_id == user.organisation_id)).first()
    if row is None:
        return None, 0
    membership, count = row
    speaks = membership.state is VERIFIED and membership.organisation.state is VERIFIED
    return membership, count if speaks else 0


@dataclass
class TeamQueue:
    organisations: list[tuple[Organisation, Membership | None]]
    memberships: list[Membership]


def team_queue() -> TeamQueue:
    """New organisations with the evidence of who registered them, and open claims on
    organisations (except those of registrants, decided with their organisation), oldest first:
    two queries."""
    registrant = sa.orm.aliased(Membership)
    organisations = [tuple(row) for row in db.session.execute(
        sa.select(Organisation, registrant)
        .outerjoin(registrant, sa.and_(registrant.organisation_id == Organisation.id,
                                       registrant.registered_organisation.is_(True)))
        .options(joinedload(registrant.user))
        .where(Organisation.state == UNVERIFIED)
        .order_by(Organisation.created_at, Organisation.id).limit(PAGE_SIZE))]
    memberships = list(db.session.scalars(
        sa.select(Membership).join(Organisation, Organisation.id == Membership.organisation_id)
        .join(User, User.id == Membership.user_id)
        .options(joinedload(Membership.user), joinedload(Membership.organisation))
        .where(Membership.state == UNVERIFIED, User.deleted_at.is_(None),
               sa.or_(Membership.registered_organisation.is_(False),
                      Organisation.state != UNVERIFIED))
        .order_by(Membership.requested_at, Membership.id).limit(PAGE_SIZE)))
    return TeamQueue(organisations, memberships)


@dataclass
class OrganisationPage:
    organisations: list[Organisation]
    total: int
    page: int
    pages: int


def organisation_page(query: str = "", page: int = 1) -> OrganisationPage:
    """Every organisation, by name, searched on its name: two queries."""
    stmt = sa.select(Organisation)
    query = " ".join(query.split())
    if query:
        stmt = stmt.where(Organisation.name_key.like(f"%{escape_like(query.casefold())}%",
                                                     escape="\\"))
    listing = paginate_within(stmt.order_by(Organisation.name_key), page, PAGE_SIZE)
    return OrganisationPage(listing.items, listing.total, listing.page, max(1, listing.pages))


def members_of(organisation: Organisation) -> list[Membership]:
    """Everyone who ever said they take part for it, with their state: one query."""
    return list(db.session.scalars(
        sa.select(Membership).options(joinedload(Membership.user),
                                      joinedload(Membership.decided_by))
        .join(User, User.id == Membership.user_id)
        .where(Membership.organisation_id == organisation.id, User.deleted_at.is_(None))
        .order_by(Membership.state, Membership.requested_at, Membership.id)))
