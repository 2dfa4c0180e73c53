"""Which provider login belongs to which account."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..accounts.models import User
from ..core.extensions import db
from ..core.timeutil import utcnow


class Identity(db.Model):
    """A person's login at a provider, tied to one account.

    Found by the provider's subject (`sub`) alone: it is the provider's pseudonymous,
    never-reassigned id for the person. Never by a BSN or an e-mail address: an address can
    change hands and a BSN is not ours to keep.
    """
    __tablename__ = "oidc_identity"
    __table_args__ = (sa.UniqueConstraint("provider", "subject",
                                          name="uq_oidc_identity_provider_subject"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"), index=True)
    #: The provider's name in OIDC_PROVIDERS (the issuer may move; the name stays).
    provider: Mapped[str] = mapped_column(sa.String(40))
    #: The ID token's `sub`: at most 255 ASCII characters (OpenID Connect Core 1.0, 2).
    subject: Mapped[str] = mapped_column(sa.String(255))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None]

    user: Mapped[User] = relationship()

    def __repr__(self) -> str:
        return f"<Identity {self.id} {self.provider} user {self.user_id}>"
