"""The authorization code flow with PKCE, and every check of what comes back.

Authlib does the protocol: state (kept in the session), nonce, PKCE (S256), the token
request and the ID token's signature against the provider's published keys (JWKS). What
Authlib leaves to the client is checked here: that discovery names the configured issuer,
and that the ID token is for us (`aud`, which Authlib does not check by default) from that
issuer (`iss`), unexpired (`exp`), with a subject. Every failure is a LoginFailed with a
reason the person is told in plain words; the details go to the log.
"""
from __future__ import annotations

import enum
import logging
import time

import requests
from authlib.integrations.base_client import MismatchingStateError, OAuthError
from flask import session
from joserfc.errors import JoseError

from .providers import Provider, registry

log = logging.getLogger(__name__)

#: Seconds of clock difference with the provider that an ID token's times may have.
LEEWAY = 120
#: What the session keeps for logging out at the provider (RP-initiated logout).
LOGOUT_KEY = "oidc_logout"


class Reason(enum.Enum):
    unavailable = "unavailable"  #: the provider could not be reached or answered wrongly
    misconfigured = "misconfigured"  #: discovery names another issuer than configured
    cancelled = "cancelled"  #: the person stopped at the provider (access_denied)
    refused = "refused"  #: the provider answered the login with another error
    state = "state"  #: the answer does not belong to a login this browser began (state)
    code = "code"  #: the provider refused the code: used before, or expired
    token = "token"  #: the ID token failed a check (signature, iss, aud, exp, nonce)


class LoginFailed(Exception):
    def __init__(self, reason: Reason, detail: str = ""):
        super().__init__(reason, detail)
        self.reason = reason
        self.detail = detail


def _metadata(provider: Provider, client) -> dict:
    """Discovery (cached by the client once it succeeded), checked against the configuration:
    a document that names another issuer is not this provider's (OpenID Discovery 1.0, 4.3)."""
    try:
        metadata = client.load_server_metadata()
    except (requests.RequestException, ValueError) as error:
        raise LoginFailed(Reason.unavailable, f"discovery: {error}") from error
    if metadata.get("issuer") != provider.issuer:
        # Forget it: the next attempt reads the document again.
        client.server_metadata.pop("_loaded_at", None)
        raise LoginFailed(Reason.misconfigured,
                          f"discovery names issuer {metadata.get('issuer')!r}, "
                          f"configured {provider.issuer!r}")
    return metadata


def start(provider: Provider, redirect_uri: str):
    """The redirect to the provider's login; state, nonce and the PKCE verifier go into the
    (signed) session, so any web process can finish the login."""
    client = registry().client(provider.name)
    _metadata(provider, client)
    try:
        return client.authorize_redirect(redirect_uri)
    except (requests.RequestException, RuntimeError) as error:
        raise LoginFailed(Reason.unavailable, f"authorization: {error}") from error


def _claims_options(provider: Provider) -> dict:
    # A new dict each time: Authlib takes its "validate" entries out of the one it is given.
    return {"iss": {"essential": True, "value": provider.issuer},
            "aud": {"essential": True, "value": provider.client_id},
            "exp": {"essential": True},
            "sub": {"essential": True}}


def finish(provider: Provider, args) -> dict:
    """The claims of the person the provider logged in, checked; LoginFailed otherwise.

    `args` is the callback's query string. Authlib takes the login's state out of the session
    whatever happens, so an answer can be used once.
    """
    client = registry().client(provider.name)
    if args.get("error"):
        reason = Reason.cancelled if args.get("error") == "access_denied" else Reason.refused
        _forget_state(provider, args.get("state"))
        raise LoginFailed(reason, f"{args.get('error')}: {args.get('error_description', '')}")
    if not args.get("state") or not args.get("code"):
        raise LoginFailed(Reason.state, "no state or no code in the answer")
    metadata = _metadata(provider, client)
    # RFC 9207: a provider that names itself in the answer must name the configured issuer
    # (a mix-up of two providers otherwise sends one's code to the other).
    if args.get("iss") is not None and args.get("iss") != metadata["issuer"]:
        _forget_state(provider, args.get("state"))
        raise LoginFailed(Reason.token, f"authorization response from issuer {args.get('iss')!r}")
    try:
        token = client.authorize_access_token(claims_options=_claims_options(provider),
                                              leeway=LEEWAY)
    except MismatchingStateError as error:
        raise LoginFailed(Reason.state, "state not of a login this session began") from error
    except OAuthError as error:
        reason = Reason.code if error.error == "invalid_grant" else Reason.refused
        raise LoginFailed(reason, f"token endpoint: {error.error}: {error.description}") \
            from error
    except JoseError as error:
        raise LoginFailed(Reason.token, f"ID token: {type(error).__name__}: {error}") from error
    except (requests.RequestException, ValueError, RuntimeError) as error:
        raise LoginFailed(Reason.unavailable, f"token request: {error}") from error
    claims = token.get("userinfo")
    if not claims or "id_token" not in token:
        raise LoginFailed(Reason.token, "no ID token in the token response")
    claims = dict(claims)
    if not claims.get("email") and metadata.get("userinfo_endpoint"):
        claims = _with_userinfo(client, token, claims)
    session[LOGOUT_KEY] = {"provider": provider.name, "id_token": token["id_token"],
                           "at": int(time.time())}
    return claims


def _with_userinfo(client, token: dict, claims: dict) -> dict:
    """Some providers keep the profile out of the ID token: ask the userinfo endpoint, whose
    `sub` must be the ID token's (OpenID Connect Core 1.0, 5.3.2)."""
    try:
        extra = dict(client.userinfo(token=token))
    except (requests.RequestException, ValueError, OAuthError) as error:
        log.warning("userinfo not read: %s", error)
        return claims
    if extra.get("sub") != claims.get("sub"):
        raise LoginFailed(Reason.token, "userinfo is of another subject than the ID token")
    return {**extra, **claims}


def _forget_state(provider: Provider, state: str | None) -> None:
    if state:
        registry().client(provider.name).framework.clear_state_data(session, state)


def end_session_url(provider: Provider, id_token: str, post_logout_redirect_uri: str) -> str | None:
    """Where to send the browser to log out at the provider too; None when it offers no
    end-session endpoint or cannot be reached now (the local logout stands either way)."""
    client = registry().client(provider.name)
    try:
        metadata = _metadata(provider, client)
    except LoginFailed as failure:
        log.warning("logout at %s skipped: %s", provider.name, failure.detail)
        return None
    if not metadata.get("end_session_endpoint"):
        return None
    return client.create_logout_url(post_logout_redirect_uri=post_logout_redirect_uri,
                                    id_token_hint=id_token, client_id=provider.client_id)["url"]
