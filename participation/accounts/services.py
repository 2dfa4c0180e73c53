"""Account rules shared by the views, the CLI and the tests. Functions flush, callers commit."""
from __future__ import annotations

import logging
from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app, url_for
from flask_babel import lazy_gettext as _l

from ..extensions import db
from ..mail.services import queue_mail
from ..sanitize import plain_text
from ..timeutil import utcnow
from . import tokens
from .models import Organisation, OrganisationKind, Role, User, name_key
from .passwords import hash_password, verify_password

log = logging.getLogger(__name__)


class DuplicateOrganisation(ValueError):
    """A new organisation's name matches one that is already registered."""


@dataclass(frozen=True)
class OrganisationChoice:
    """How a person takes part: for an existing or new organisation, or as an individual."""
    existing_id: int | None = None
    new_name: str | None = None
    new_kind: OrganisationKind | None = None
    new_sector: str = ""

    @classmethod
    def individual(cls) -> OrganisationChoice:
        return cls()


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(sa.select(User).where(User.email == email.strip().lower()))


def organisations_alphabetically() -> list[Organisation]:
    return list(db.session.scalars(sa.select(Organisation).order_by(Organisation.name_key)))


def resolve_organisation(choice: OrganisationChoice) -> Organisation | None:
    """The organisation chosen or newly made; None for an individual."""
    if choice.existing_id:
        organisation = db.session.get(Organisation, choice.existing_id)
        if organisation is None:
            raise LookupError(choice.existing_id)
        return organisation
    if choice.new_name:
        name = plain_text(choice.new_name)
        key = name_key(name)
        if not key or db.session.scalar(sa.select(Organisation.id).where(Organisation.name_key == key)):
            raise DuplicateOrganisation(name)
        organisation = Organisation(name=name, name_key=key, kind=choice.new_kind,
                                    sector=plain_text(choice.new_sector))
        db.session.add(organisation)
        return organisation
    return None


def register(*, name: str, email: str, password: str, choice: OrganisationChoice,
             locale: str) -> User | None:
    """Register a person, or, for a known address, mail its owner instead.

    Both paths hash a password and queue one mail, so the answer and its timing do not tell
    whether an address has an account. Returns the new user, or None for a known address.
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
    organisation = resolve_organisation(choice)
    user = User(name=plain_text(name), email=email, password_hash=password_hash,
                role=Role.participant, organisation=organisation, locale=locale,
                consent_at=utcnow(),
                consent_version=current_app.config["PRIVACY_STATEMENT_VERSION"])
    db.session.add(user)
    db.session.flush()
    send_confirmation(user)
    log.info("registered user %s", user.id)
    return user


def send_confirmation(user: User) -> None:
    link = url_for("accounts.confirm", token=tokens.make_token(user, tokens.Purpose.confirm),
                   _external=True)
    queue_mail(user.email, "confirm_email", _l("Confirm your e-mail address"), user.locale,
               user=user, link=link,
               hours=current_app.config["CONFIRM_LINK_MAX_AGE"] // 3600)


def resend_confirmation(email: str) -> None:
    """Send a new link if the address has an unconfirmed account; answer the same otherwise."""
    user = find_user_by_email(email)
    if user is not None and not user.is_confirmed:
        send_confirmation(user)


def confirm_email(user: User) -> None:
    if user.email_confirmed_at is None:
        user.email_confirmed_at = utcnow()
        log.info("user %s confirmed e-mail", user.id)


def authenticate(email: str, password: str) -> User | None:
    user = find_user_by_email(email)
    if not verify_password(user.password_hash if user else None, password):
        return None
    return user


def request_password_reset(email: str) -> None:
    user = find_user_by_email(email)
    if user is None:
        hash_password("timing")  # as costly as the path that finds someone
        return
    link = url_for("accounts.reset_password",
                   token=tokens.make_token(user, tokens.Purpose.reset), _external=True)
    queue_mail(user.email, "reset_password", _l("Choose a new password"), user.locale,
               user=user, link=link, hours=current_app.config["RESET_LINK_MAX_AGE"] // 3600)


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
    user.name = plain_text(name)
    user.organisation = resolve_organisation(choice)
    user.locale = locale


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
