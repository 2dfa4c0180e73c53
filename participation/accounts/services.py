"""Account rules shared by the views, the CLI and the tests. Functions flush, callers commit."""
from __future__ import annotations

import logging
from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app, url_for
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

from ..core.extensions import db
from ..mail.services import queue_mail, write_mail
from ..core.sanitize import plain_text
from ..core.timeutil import utcnow
from . import tokens
from ..organisations import services as memberships
from ..core.roles import Role
from .models import Organisation, OrganisationKind, User, VerificationState, name_key
from .passwords import hash_password, spend_one_hash, stand_in_hash, verify_password

log = logging.getLogger(__name__)


class DuplicateOrganisation(ValueError):
    """A new organisation's name matches one that is already registered."""


class RefusedOrganisation(ValueError):
    """A new organisation's name matches one the project team refused."""


@dataclass(frozen=True)
class OrganisationChoice:
    """How a person takes part: for an existing or new organisation, or as an individual."""
    existing_id: int | None = None
    new_name: str | None = None
    new_kind: OrganisationKind | None = None
    new_sector: str = ""
    #: The evidence for the membership: the person's role in it and its KvK number.
    role: str = ""
    kvk: str | None = None

    @classmethod
    def individual(cls) -> OrganisationChoice:
        return cls()


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(sa.select(User).where(User.email == email.strip().lower()))


def organisations_alphabetically() -> list[Organisation]:
    return list(db.session.scalars(sa.select(Organisation).order_by(Organisation.name_key)))


def organisations_to_choose(current_id: int | None = None) -> list[Organisation]:
    """What a person can choose from: the organisations the team confirmed (a new one is not
    in everyone's list until then), and the one they take part for now."""
    shown = Organisation.state == VerificationState.verified
    if current_id:
        shown = sa.or_(shown, Organisation.id == current_id)
    return list(db.session.scalars(sa.select(Organisation).where(shown)
                                   .order_by(Organisation.name_key)))


def resolve_organisation(choice: OrganisationChoice) -> tuple[Organisation | None, bool]:
    """The organisation chosen or newly made (None for an individual), and whether it is new.

    A "new" name that is already registered but not yet confirmed is that organisation (the
    person is not shown it in the list, so cannot choose it there); one that is confirmed must
    be chosen from the list, and one the team refused cannot be registered again.
    """
    if choice.existing_id:
        organisation = db.session.get(Organisation, choice.existing_id)
        if organisation is None:
            raise LookupError(choice.existing_id)
        return organisation, False
    if choice.new_name:
        name = plain_text(choice.new_name)
        key = name_key(name)
        if not key:
            raise DuplicateOrganisation(name)
        known = db.session.scalar(sa.select(Organisation).where(Organisation.name_key == key))
        if known is not None and known.state is VerificationState.verified:
            raise DuplicateOrganisation(name)
        if known is not None and known.state is VerificationState.refused:
            raise RefusedOrganisation(name)
        if known is not None:
            return known, False
        organisation = Organisation(name=name, name_key=key, kind=choice.new_kind,
                                    sector=plain_text(choice.new_sector))
        db.session.add(organisation)
        return organisation, True
    return None, False


def register(*, name: str, email: str, password: str, choice: OrganisationChoice,
             locale: str) -> User | None:
    """Register a person, or, for a known address, mail its owner instead.

    Both paths hash the password once and queue one mail, so neither the answer nor its time
    tells whether an address has an account (bench/auth_timing.py measures the difference; the
    new account's rows are the rest of it). Returns the new user, or None for a known address.
    """
    email = email.strip().lower()
    password_hash = hash_password(password)
    existing = find_user_by_email(email)
    if existing is not None:
        queue_mail(existing.email, "already_registered",
                   _l("You already have an account"), existing.locale,
                   user=existing, login_url=url_for("accounts.login", _external=True),
                   reset_url=url_for("accounts.forgot_password", _external=True))
        log.info("registration attempt for existing account %s", existing.id)
        return None
    organisation, new = resolve_organisation(choice)
    user = User(name=plain_text(name), email=email, password_hash=password_hash,
                role=Role.participant, organisation=organisation, locale=locale,
                consent_at=utcnow(),
                consent_version=current_app.config["PRIVACY_STATEMENT_VERSION"])
    db.session.add(user)
    db.session.flush()
    if organisation is not None:
        memberships.claim(user, organisation, role=choice.role, kvk=choice.kvk,
                          registered_organisation=new)
    send_confirmation(user)
    log.info("registered user %s", user.id)
    return user


def _stand_in(email: str) -> User:
    """Whom a mail is written to for an address without an account: the mail is written as for
    an account holder, so the path takes as long, and then not sent. Never added to the
    database."""
    return User(id=0, email=email, name="", password_hash=stand_in_hash(), session_epoch=0,
                locale=str(get_locale()))


def send_confirmation(user: User, *, send: bool = True) -> None:
    """The link to confirm the address; it also says what happens next with the organisation
    the person takes part for, which is checked once the address is confirmed. With
    send=False the mail is written and dropped (for a stand-in)."""
    link = url_for("accounts.confirm", token=tokens.make_token(user, tokens.Purpose.confirm),
                   _external=True)
    membership = memberships.current_membership(user)
    organisation = membership.organisation if membership is not None \
        and membership.state is VerificationState.unverified else None
    mail = queue_mail if send else write_mail
    mail(user.email, "confirm_email", _l("Confirm your e-mail address"), user.locale,
         user=user, link=link, organisation=organisation,
         by_domain=organisation is not None and memberships.domain_confirms(
             user, organisation, once_confirmed=True),
         hours=current_app.config["CONFIRM_LINK_MAX_AGE"] // 3600)


def resend_confirmation(email: str) -> None:
    """Send a new link if the address has an unconfirmed account; answer the same otherwise,
    after the same work (as request_password_reset)."""
    user = find_user_by_email(email)
    spend_one_hash()
    if user is not None and not user.is_confirmed:
        send_confirmation(user)
    else:
        send_confirmation(_stand_in(email), send=False)


def confirm_email(user: User) -> None:
    if user.email_confirmed_at is None:
        user.email_confirmed_at = utcnow()
        log.info("user %s confirmed e-mail", user.id)
        memberships.email_confirmed(user)


def password_is_right(user: User | None, password: str) -> bool:
    """Is `password` the password of `user`? As costly when there is no such account."""
    return verify_password(user.password_hash if user else None, password)


def request_password_reset(email: str) -> None:
    """Mail a link to choose a new password, if the address has an account.

    Both paths do the same work, one password check and one mail written, and differ only in
    whether the mail goes into the outbox: neither the answer nor its time tells whether the
    address has an account. The password check is there for the time alone: beside it, the
    outbox row that only one path writes is lost in the noise (bench/auth_timing.py).
    """
    user = find_user_by_email(email)
    spend_one_hash()
    recipient = user or _stand_in(email)
    link = url_for("accounts.reset_password",
                   token=tokens.make_token(recipient, tokens.Purpose.reset), _external=True)
    message = write_mail(recipient.email, "reset_password", _l("Choose a new password"),
                         recipient.locale, user=recipient, link=link,
                         hours=current_app.config["RESET_LINK_MAX_AGE"] // 3600)
    if user is not None:
        db.session.add(message)


def end_sessions(user: User) -> None:
    """Log the person out everywhere: the login session id carries session_epoch, so every
    session made before (this browser's, other devices', remember-me cookies) no longer logs
    in, on every instance. Raised in SQL, so two logouts at once both count."""
    user.session_epoch = User.session_epoch + 1
    db.session.flush()
    log.info("user %s logged out; sessions ended", user.id)


def set_password(user: User, password: str) -> None:
    """Set a new password; this ends the person's other sessions and unused reset links."""
    user.password_hash = hash_password(password)
    queue_mail(user.email, "password_changed", _l("Your password was changed"), user.locale,
               user=user, reset_url=url_for("accounts.forgot_password", _external=True))
    log.info("user %s changed password", user.id)


def reset_password(user: User, password: str) -> None:
    # Following the mailed link proves the address, as confirming it would.
    confirm_email(user)
    set_password(user, password)


def update_profile(user: User, *, name: str, choice: OrganisationChoice, locale: str) -> None:
    """Name, language and organisation. Choosing another organisation (or coming back to one)
    is a claim to confirm; keeping the same one changes nothing about its confirmation, but
    evidence given while it waits is kept with it."""
    user.name = plain_text(name)
    user.locale = locale
    organisation, new = resolve_organisation(choice)
    if organisation is None:
        user.organisation = None
        return
    membership = memberships.membership_of(user.id, organisation.id) if user.id else None
    if organisation.id is not None and user.organisation_id == organisation.id \
            and membership is not None:
        if membership.state is VerificationState.unverified and choice.role:
            membership.role, membership.kvk = plain_text(choice.role)[:120], choice.kvk
        return
    user.organisation = organisation
    memberships.claim(user, organisation, role=choice.role, kvk=choice.kvk,
                      registered_organisation=new)


def create_user(email: str, password: str, role: Role, name: str | None = None) -> User:
    """For the CLI: an account that is confirmed at once (the operator vouches for it)."""
    email = email.strip().lower()
    if find_user_by_email(email) is not None:
        raise ValueError(f"an account for {email} already exists")
    user = User(email=email, name=plain_text(name) or email.split("@")[0],
                password_hash=hash_password(password), role=role,
                locale=current_app.config["BABEL_DEFAULT_LOCALE"], email_confirmed_at=utcnow())
    db.session.add(user)
    db.session.flush()
    log.info("created %s account %s from the command line", role.value, user.id)
    return user
