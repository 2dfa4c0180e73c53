"""Who a provider's login is on this site. Functions flush, callers commit.

The rules, in order, for a login that passed every check (participation.oidc.flow):

1. The provider's subject is linked to an account: that account.
2. Someone is logged in here already: the subject is linked to their account (they proved
   both, here and at the provider).
3. An account has the e-mail address the provider gives: nothing is linked or made. An
   address proves little (it may be unverified at the provider, or have changed hands), so the
   person proves the account here: when the provider says it verified the address
   (`email_verified`), logging in once with the account's password links the two; otherwise
   they log in with the password and link the provider from their profile.
4. Otherwise a new account, when the provider gives an address it verified: the site mails
   people and an account needs an address that is theirs. Without one, nothing is made and the
   person is told to register and link the provider afterwards.

A KvK number the provider certifies (eHerkenning) verifies the person's membership of the
organisation the team confirmed with that number. A BSN is never read, kept or logged.
"""
from __future__ import annotations

import enum
import logging
import secrets
from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app
from flask_babel import get_locale

from ..accounts.models import Organisation, User, VerificationState
from ..accounts.services import find_user_by_email
from ..core.extensions import db
from ..core.roles import Role
from ..core.sanitize import plain_text
from ..core.timeutil import utcnow
from ..organisations import services as memberships
from .models import Identity
from .providers import Provider

log = logging.getLogger(__name__)


class Outcome(enum.Enum):
    known = "known"  #: the subject's account
    linked = "linked"  #: linked to the account of the person logged in here
    created = "created"  #: a new account
    prove_account = "prove_account"  #: an account has this address: log in with its password
    link_from_profile = "link_from_profile"  #: same, but the address is not verified
    no_address = "no_address"  #: no verified address for a new account
    linked_elsewhere = "linked_elsewhere"  #: logged in here as another than the subject's
    closed = "closed"  #: the subject's account was deleted


@dataclass
class Result:
    outcome: Outcome
    user: User | None = None
    #: A membership the KvK claim verified (its organisation's name), for the person.
    kvk_organisation: str | None = None


def identity_of(provider: str, subject: str) -> Identity | None:
    return db.session.scalar(sa.select(Identity).where(Identity.provider == provider,
                                                       Identity.subject == subject))


def identities_of(user: User) -> list[Identity]:
    return list(db.session.scalars(sa.select(Identity).where(Identity.user_id == user.id)
                                   .order_by(Identity.provider)))


def _verified(claims: dict) -> bool:
    # Some providers send the flag as a string.
    return claims.get("email_verified") in (True, "true", "True", "1", 1)


def _address(claims: dict) -> str:
    email = claims.get("email")
    return email.strip().lower() if isinstance(email, str) else ""


def _name(claims: dict, email: str) -> str:
    name = claims.get("name")
    if not isinstance(name, str) or not name.strip():
        name = " ".join(part for part in (claims.get("given_name"), claims.get("family_name"))
                        if isinstance(part, str))
    return plain_text(name)[:120] or email.split("@")[0]


def link(user: User, provider: Provider, subject: str) -> Identity:
    identity = Identity(user=user, provider=provider.name, subject=subject, created_at=utcnow(),
                        last_login_at=utcnow())
    db.session.add(identity)
    db.session.flush()
    log.info("user %s linked a login of %s", user.id, provider.name)
    return identity


def sign_in(provider: Provider, claims: dict, current: User | None) -> Result:
    """Apply the rules above to a checked login; `current` is who is logged in here now."""
    subject = str(claims["sub"])
    identity = identity_of(provider.name, subject)
    if identity is not None:
        user = identity.user
        if user.is_deleted:
            return Result(Outcome.closed)
        if current is not None and current.id != user.id:
            return Result(Outcome.linked_elsewhere)
        identity.last_login_at = utcnow()
        return Result(Outcome.known, user, _apply_kvk(user, provider, claims))
    if current is not None:
        link(current, provider, subject)
        return Result(Outcome.linked, current, _apply_kvk(current, provider, claims))
    email = _address(claims)
    existing = find_user_by_email(email) if email else None
    if existing is not None:
        return Result(Outcome.prove_account if _verified(claims) else Outcome.link_from_profile)
    if not email or not _verified(claims):
        return Result(Outcome.no_address)
    user = _new_account(email, _name(claims, email))
    link(user, provider, subject)
    return Result(Outcome.created, user, _apply_kvk(user, provider, claims))


def _new_account(email: str, name: str) -> User:
    """An account for a person the provider vouches for: its address confirmed (the provider
    verified it), no password of its own (a random hash nobody knows; the person can set one
    through "Forgot your password?")."""
    user = User(email=email, name=name, role=Role.participant,
                password_hash="!oidc:" + secrets.token_hex(16), locale=str(get_locale()),
                email_confirmed_at=utcnow(), consent_at=utcnow(),
                consent_version=current_app.config["PRIVACY_STATEMENT_VERSION"])
    db.session.add(user)
    db.session.flush()
    log.info("created user %s from a provider login", user.id)
    return user


def _apply_kvk(user: User, provider: Provider, claims: dict) -> str | None:
    """The provider certifies the person acts for this KvK number: their membership of the
    verified organisation with that number is verified (made if need be). They take part for
    it from now on unless they take part for another organisation."""
    if not provider.kvk_claim:
        return None
    raw = claims.get(provider.kvk_claim)
    try:
        kvk = memberships.clean_kvk(raw if isinstance(raw, str) else None)
    except ValueError:
        log.warning("provider %s sent a KvK claim that is no KvK number", provider.name)
        return None
    if kvk is None:
        return None
    organisation = db.session.scalar(sa.select(Organisation).where(
        Organisation.kvk == kvk, Organisation.state == VerificationState.verified))
    if organisation is None:
        return None
    if user.organisation_id is None:
        user.organisation = organisation
    if memberships.confirm_by_kvk(user, organisation, kvk):
        return organisation.name
    return None
