"""People, the organisations they take part for, and whether they may speak for them."""
from __future__ import annotations

import enum
import functools
import hashlib
import hmac
from datetime import datetime

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, joinedload, mapped_column, relationship

from ..core.extensions import db
from ..core.integers import db_int_or_none
from ..core.roles import Role
from ..core.timeutil import utcnow


class OrganisationKind(enum.Enum):
    business = "business"
    education = "education"  #: education or knowledge institution
    government = "government"
    civil_society = "civil_society"
    other = "other"


class VerificationState(enum.Enum):
    """Whether the team (or, for a membership, the organisation) has confirmed a claim."""
    unverified = "unverified"
    verified = "verified"
    refused = "refused"


class DecisionBasis(enum.Enum):
    """How a membership was decided."""
    member = "member"  #: by a verified member of the organisation
    team = "team"  #: by a moderator, in the team's queue
    domain = "domain"  #: the person's e-mail domain is the organisation's website domain
    invitation = "invitation"  #: the team invited the person for this organisation
    earlier = "earlier"  #: known before memberships were checked (migration 0007)
    #: the person's login provider certified they act for the organisation's KvK number
    #: (eHerkenning through a broker, participation.oidc)
    kvk = "kvk"


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
    #: A new organisation is unverified until the team confirms it exists as registered; only
    #: verified organisations are offered at registration and named in the document.
    #: (The database defaults also hold for rows written outside the app.)
    state: Mapped[VerificationState] = mapped_column(
        sa.Enum(VerificationState, native_enum=False, length=12, validate_strings=True),
        default=VerificationState.unverified, server_default=VerificationState.unverified.value)
    #: When the team confirmed or refused it (who: the audit trail).
    decided_at: Mapped[datetime | None]
    #: The domain of the organisation's website ("vanderveen.nl"), set by the team.
    website_domain: Mapped[str] = mapped_column(sa.String(253), default="", server_default="")
    #: Set by the team: a person whose confirmed e-mail address is at website_domain (or a
    #: subdomain of it) is a verified member at once. Off by default.
    auto_confirm_domain: Mapped[bool] = mapped_column(default=False, server_default="0")
    #: Its Chamber of Commerce (KvK) number, 8 digits, as the team confirmed it: a person whose
    #: login provider certifies that they act for this number (eHerkenning) is a verified
    #: member at once (participation.oidc).
    kvk: Mapped[str | None] = mapped_column(sa.String(8), unique=True, index=True)

    members: Mapped[list[User]] = relationship(back_populates="organisation")

    @property
    def is_verified(self) -> bool:
        return self.state is VerificationState.verified

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
    #: Raised when the person logs out: a session cookie made before no longer logs in.
    session_epoch: Mapped[int] = mapped_column(default=0, server_default="0")

    organisation: Mapped[Organisation | None] = relationship(back_populates="members")

    def get_id(self) -> str:
        """The login session's id, in the session and the remember-me cookie. It changes when
        the person logs out (session_epoch) and when the password changes (its fingerprint):
        either ends every session made before, on every device and every instance."""
        return f"{self.id}:{self.session_epoch}:{password_fingerprint(self.password_hash)}"

    @classmethod
    def from_session_id(cls, session_id: str, session) -> User | None:
        """The user whose current login session id this is; None for one that has ended."""
        user_id = db_int_or_none(session_id.partition(":")[0])
        if user_id is None:
            return None
        # With the organisation joined in: posting and the pages that name it need it, and a
        # second statement for it cost a round trip on PostgreSQL. The statement is made once
        # (every signed-in request starts here).
        user = session.scalars(_user_with_organisation(), {"user_id": user_id}).first()
        if user is None or not hmac.compare_digest(user.get_id().encode(), session_id.encode()):
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


class Membership(db.Model):
    """A person's tie to an organisation: the evidence they gave and whether it was confirmed.

    One row per person and organisation, kept when the person moves to another organisation:
    items carry the organisation they were written for, so each is judged by the membership
    of that organisation (listed_under_organisation), and a later move changes nothing
    about what was said before.
    """
    __tablename__ = "membership"
    __table_args__ = (sa.UniqueConstraint("user_id", "organisation_id",
                                          name="uq_membership_user_organisation"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"))
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisation.id"), index=True)
    state: Mapped[VerificationState] = mapped_column(
        sa.Enum(VerificationState, native_enum=False, length=12, validate_strings=True),
        default=VerificationState.unverified)
    #: The person's role or function in the organisation, as they gave it (evidence).
    role: Mapped[str] = mapped_column(sa.String(120), default="")
    #: The organisation's Chamber of Commerce (KvK) number as the person gave it: 8 digits.
    kvk: Mapped[str | None] = mapped_column(sa.String(8))
    #: The person registered the organisation on the site (confirming the organisation
    #: confirms this membership too).
    registered_organisation: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: When the claim was made (again): a person who comes back after a refusal asks anew.
    requested_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_at: Mapped[datetime | None]
    #: Who confirmed or refused it; None when decided by the e-mail domain or before 0007.
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    decided_via: Mapped[DecisionBasis | None] = mapped_column(
        sa.Enum(DecisionBasis, native_enum=False, length=12, validate_strings=True))

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    organisation: Mapped[Organisation] = relationship()
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])

    @property
    def is_verified(self) -> bool:
        return self.state is VerificationState.verified

    def __repr__(self) -> str:
        return f"<Membership {self.id} {self.user_id}@{self.organisation_id} {self.state.value}>"


def listed_under_organisation(author_id, organisation_id, organisation_kind):
    """SQL: an item is listed under the organisation it was written for.

    Input the team entered (no author) always is: the team vouches for it. A person's item
    only when their membership of that organisation is verified and the organisation is too;
    otherwise it counts as a resident's. The one form of this rule: the document, the pages
    and the dashboard all use it (as Contribution/Comment.listed_under_organisation).
    """
    verified = (sa.select(1)
                .where(Membership.user_id == author_id,
                       Membership.organisation_id == organisation_id,
                       Membership.state == VerificationState.verified,
                       Organisation.id == Membership.organisation_id,
                       Organisation.state == VerificationState.verified)
                .correlate_except(Membership, Organisation)
                .exists())
    return sa.and_(organisation_kind.is_not(None), sa.or_(author_id.is_(None), verified))


@functools.cache
def _user_with_organisation() -> sa.Select:
    """User.from_session_id's statement, made once with the id as a parameter."""
    return (sa.select(User).options(joinedload(User.organisation))
            .where(User.id == sa.bindparam("user_id", type_=sa.Integer)))
