"""What a provider login leaves in the session: a link to make after a password login, and
what logging out at the provider needs."""
from __future__ import annotations

import time

from flask import session, url_for

from ..accounts.models import User
from . import flow, services
from .providers import Provider, find

PENDING_KEY = "oidc_pending_link"
#: Seconds the person has to log in with their password to link the provider's login.
PENDING_SECONDS = 15 * 60


def remember_pending(provider: Provider, subject: str, email: str) -> None:
    """The provider vouched for `email`; the person must still prove the account here. Kept in
    the signed session, so nobody can put another subject there."""
    session[PENDING_KEY] = {"provider": provider.name, "subject": subject, "email": email,
                            "until": int(time.time()) + PENDING_SECONDS}


def pending_provider() -> Provider | None:
    pending = session.get(PENDING_KEY)
    if not pending or pending.get("until", 0) < time.time():
        return None
    return find(pending["provider"])


def link_pending(user: User) -> Provider | None:
    """After `user` logged in with their password: link the waiting provider login when it was
    for this account's address. The provider it linked, or None."""
    pending = session.pop(PENDING_KEY, None)
    if not pending or pending.get("until", 0) < time.time() or pending["email"] != user.email:
        return None
    provider = find(pending["provider"])
    if provider is None or services.identity_of(provider.name, pending["subject"]) is not None:
        return None
    services.link(user, provider, pending["subject"])
    return provider


def logout_redirect() -> str | None:
    """Forget the provider login of this session; where to log out at the provider too."""
    login = session.pop(flow.LOGOUT_KEY, None)
    session.pop(PENDING_KEY, None)
    provider = find(login["provider"]) if login else None
    if provider is None:
        return None
    return flow.end_session_url(provider, login["id_token"],
                                url_for("main.home", _external=True))
