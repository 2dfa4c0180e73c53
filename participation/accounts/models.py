"""People and the organisations they take part for."""
from __future__ import annotations

import enum
import hashlib
import hmac
from datetime import datetime

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..timeutil import utcnow


class Role(enum.Enum):
    participant = "participant"
    moderator = "moderator"
    staff = "staff"
    admin = "admin"


class OrganisationKind(enum.Enum):
    business = "business"
    education = "education"  #: education or knowledge institution
    government = "government"
    civil_society = "civil_society"
    other = "other"


def password_fingerprint(password_hash: str) -> str:
    """A short digest of the stored hash: ties sessions and reset links to the current password."""
    return hashlib.sha256(password_hash.encode()).hexdigest()[:16]


def name_key(name: str) -> str:
    """What makes two organisation names the same: case and inner spacing do not count."""
    return " ".join(name.split()).casefold()


class Organisation(db.Model):
    __tablename__ = "organisation"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    #: name_key(name); unique so that "Bedrijf BV" and "bedrijf  bv" are one organisation.
    name_key: Mapped[str] = mapped_column(sa.String(200), unique=True)
    kind: Mapped[OrganisationKind] = mapped_column(
        sa.Enum(OrganisationKind, native_enum=False, length=20, validate_strings=True))
    sector: Mapped[str] = mapped_column(sa.String(120), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    members: Mapped[list[User]] = relationship(back_populates="organisation")

    def __repr__(self) -> str:
        return f"<Organisation {self.id} {self.name!r}>"


class User(UserMixin, db.Model):
    __tablename__ = "user_account"  # "user" is reserved in PostgreSQL

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Stored lower-cased, so look-ups and uniqueness ignore case.
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    role: Mapped[Role] = mapped_column(
        sa.Enum(Role, native_enum=False, length=20, validate_strings=True), default=Role.participant)
    #: None: the person takes part as an individual (resident).
    organisation_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organisation.id"), index=True)
    locale: Mapped[str] = mapped_column(sa.String(5), default="nl")
    email_confirmed_at: Mapped[datetime | None]
    #: When and to which version of the privacy statement the person consented.
    consent_at: Mapped[datetime | None]
    consent_version: Mapped[str | None] = mapped_column(sa.String(20))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None]
    #: The person deleted their account: the row stays, without personal data, so that the
    #: items they chose to keep still group as one "withdrawn participant" (privacy.erasure).
    deleted_at: Mapped[datetime | None]

    organisation: Mapped[Organisation | None] = relationship(back_populates="members")

    def get_id(self) -> str:
        """The login session's id: changes when the password does, which ends other sessions."""
        return f"{self.id}:{password_fingerprint(self.password_hash)}"

    @classmethod
    def from_session_id(cls, session_id: str, session) -> User | None:
        user_id, _, fingerprint = session_id.partition(":")
        if not user_id.isdigit():
            return None
        user = session.get(cls, int(user_id))
        if user is None or not hmac.compare_digest(password_fingerprint(user.password_hash),
                                                   fingerprint):
            return None
        return user

    @property
    def is_confirmed(self) -> bool:
        return self.email_confirmed_at is not None

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    def __repr__(self) -> str:
        return f"<User {self.id} {self.role.value}>"
