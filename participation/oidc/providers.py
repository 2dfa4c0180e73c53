"""The configured OpenID Connect providers, each an Authlib client of this app's own."""
from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from authlib.integrations.flask_client import OAuth
from flask import Flask, current_app

EXTENSION_KEY = "participation.oidc"
_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,39}$")
DEFAULT_SCOPES = "openid email profile"


class ProviderConfigError(ValueError):
    """OIDC_PROVIDERS is not as the README describes: the site does not start."""


@dataclass(frozen=True)
class Provider:
    name: str
    label: str
    issuer: str
    client_id: str
    client_secret: str
    scopes: str = DEFAULT_SCOPES
    #: The claim with the KvK number the provider certifies (eHerkenning); "" for none.
    kvk_claim: str = "kvk"

    @property
    def discovery_url(self) -> str:
        return self.issuer.rstrip("/") + "/.well-known/openid-configuration"

    @property
    def origin(self) -> str:
        parts = urlsplit(self.issuer)
        return f"{parts.scheme}://{parts.netloc}"


def parse(entries: list, *, allow_http: bool) -> list[Provider]:
    """OIDC_PROVIDERS as Providers; ProviderConfigError says what is wrong."""
    if not isinstance(entries, list):
        raise ProviderConfigError("OIDC_PROVIDERS must be a list of providers")
    found: list[Provider] = []
    for position, entry in enumerate(entries, start=1):
        if not isinstance(entry, dict):
            raise ProviderConfigError(f"OIDC_PROVIDERS[{position}] must be an object")
        missing = [key for key in ("name", "label", "issuer", "client_id", "client_secret")
                   if not isinstance(entry.get(key), str) or not entry[key].strip()]
        if missing:
            raise ProviderConfigError(f"OIDC_PROVIDERS[{position}] lacks " + ", ".join(missing))
        unknown = set(entry) - set(Provider.__dataclass_fields__)
        if unknown:
            raise ProviderConfigError(f"OIDC_PROVIDERS[{position}]: unknown "
                                      + ", ".join(sorted(unknown)))
        provider = Provider(**{key: value.strip() if isinstance(value, str) else value
                               for key, value in entry.items()})
        if not _NAME.match(provider.name):
            raise ProviderConfigError(f"OIDC_PROVIDERS[{position}]: name {provider.name!r} must "
                                      "be lower-case letters, digits and '-'")
        if provider.name in {other.name for other in found}:
            raise ProviderConfigError(f"OIDC_PROVIDERS: the name {provider.name!r} is used twice")
        scheme = urlsplit(provider.issuer).scheme
        # Tokens and the client secret cross this connection: only HTTPS outside tests.
        if scheme != "https" and not (allow_http and scheme == "http"):
            raise ProviderConfigError(f"OIDC_PROVIDERS[{position}]: the issuer must be an "
                                      "https:// URL")
        if "openid" not in provider.scopes.split():
            raise ProviderConfigError(f"OIDC_PROVIDERS[{position}]: scopes must include openid")
        found.append(provider)
    return found


class Registry:
    """The providers of one app and their Authlib clients.

    One per app, not one module-level OAuth object: each app (the tests make many) has its own
    providers, and an Authlib client caches what discovery found.
    """

    def __init__(self, app: Flask, providers: list[Provider]):
        self.providers = {provider.name: provider for provider in providers}
        self.oauth = OAuth(app)
        timeout = app.config["OIDC_TIMEOUT_SECONDS"]
        for provider in providers:
            self.oauth.register(
                provider.name, client_id=provider.client_id,
                client_secret=provider.client_secret,
                server_metadata_url=provider.discovery_url,
                client_kwargs={"scope": provider.scopes, "code_challenge_method": "S256",
                               "default_timeout": timeout,
                               "token_endpoint_auth_method": "client_secret_basic"})

    def client(self, name: str):
        return self.oauth.create_client(name)


def register(app: Flask) -> None:
    """The app's providers; their buttons for every template; their origins for the CSP."""
    providers = parse(app.config["OIDC_PROVIDERS"], allow_http=app.testing or app.debug)
    app.extensions[EXTENSION_KEY] = Registry(app, providers)
    # A form on our pages (log in, log out) redirects to the provider: the CSP's form-action
    # must allow its origin, as Chromium checks a form's redirects too.
    app.config["CSP_FORM_ACTION_SOURCES"] = sorted({provider.origin for provider in providers})

    # The login buttons on every template: globals, set once (not a context processor per page).
    app.jinja_env.globals.update(oidc_providers=providers, local_login=app.config["LOCAL_LOGIN"])


def registry() -> Registry:
    return current_app.extensions[EXTENSION_KEY]


def configured() -> list[Provider]:
    return list(registry().providers.values())


def find(name: str) -> Provider | None:
    return registry().providers.get(name)


def provider_labels() -> dict[str, str]:
    return {provider.name: provider.label for provider in configured()}
