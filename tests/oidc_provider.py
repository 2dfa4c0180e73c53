"""A real OpenID Provider on 127.0.0.1 for the tests: tests/oidc/provider.mjs, the certified
`oidc-provider` package run with the machine's Node.js.

Its issuer is http://localhost:PORT, so the login crosses from one site to another (the app is
served on 127.0.0.1) as it does in production. `npm ci` installs the package the first time.
"""
from __future__ import annotations

import fcntl
import json
import os
import secrets
import shutil
import subprocess
import threading
import urllib.request
from pathlib import Path

import pytest

from .conftest import IN_CI, free_port

FOLDER = Path(__file__).parent / "oidc"
CLIENT_ID = "participation-test"
CLIENT_SECRET = "test-client-secret-" + "x" * 24
#: The password of every account at the provider (its own login page asks for it).
PASSWORD = "provider-wachtwoord"


def _missing(reason: str):
    reason += " (apt-get install -y nodejs npm)"
    if IN_CI:
        pytest.fail(reason)
    pytest.skip(reason)


def install() -> None:
    """`npm ci` in tests/oidc when its packages are not there yet (make install does it too)."""
    if shutil.which("node") is None or shutil.which("npm") is None:
        _missing("Node.js and npm are needed to run the OpenID Provider of the tests")
    if (FOLDER / "node_modules" / "oidc-provider").is_dir():
        return
    # One install at a time: pytest-xdist's workers may all get here in a fresh clone.
    with open(FOLDER / ".install.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (FOLDER / "node_modules" / "oidc-provider").is_dir():
            subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"],
                           cwd=FOLDER, check=True, timeout=600)


class OpenIDProvider:
    """The provider process; `accounts()` and `id_token_mode()` steer it while it runs."""

    def __init__(self, redirect_uris: list[str], post_logout_redirect_uris: list[str],
                 port: int | None = None):
        self.port = port or free_port()
        self.issuer = f"http://localhost:{self.port}"
        self.control = secrets.token_urlsafe(24)
        self.clients = [{"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET,
                         "redirect_uris": redirect_uris,
                         "post_logout_redirect_uris": post_logout_redirect_uris}]
        self.process: subprocess.Popen | None = None
        self.output: list[str] = []

    def start(self) -> None:
        install()
        env = {**os.environ, "PROVIDER_PORT": str(self.port), "PROVIDER_ISSUER": self.issuer,
               "PROVIDER_CLIENTS": json.dumps(self.clients), "PROVIDER_CONTROL": self.control}
        self.process = subprocess.Popen(["node", "provider.mjs"], cwd=FOLDER, env=env,
                                        stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                        text=True)
        for line in self.process.stdout:
            self.output.append(line)
            if line.strip() == "listening":
                break
        else:
            raise RuntimeError("the OpenID Provider did not start:\n" + "".join(self.output))
        # Keep reading, so a chatty provider never blocks on a full pipe.
        threading.Thread(target=self._drain, daemon=True).start()

    def _drain(self) -> None:
        for line in self.process.stdout:
            self.output.append(line)

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
            self.process = None

    def _post(self, path: str, body: dict) -> None:
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.port}{path}", data=json.dumps(body).encode(),
            headers={"X-Control": self.control, "Content-Type": "application/json"},
            method="POST")
        with urllib.request.urlopen(request, timeout=30) as answer:  # noqa: S310 (loopback)
            assert answer.status == 200

    def accounts(self, **accounts: dict) -> None:
        """Who can log in at the provider: username → claims (each with PASSWORD)."""
        self._post("/__test__/accounts", {name: {"password": PASSWORD, "claims": claims}
                                          for name, claims in accounts.items()})

    def id_token_mode(self, mode: str) -> None:
        self._post("/__test__/id-token", {"mode": mode})

    def settings(self, name: str = "test", label: str = "Test-ID", **extra) -> dict:
        """This provider as an entry of OIDC_PROVIDERS."""
        return {"name": name, "label": label, "issuer": self.issuer, "client_id": CLIENT_ID,
                "client_secret": CLIENT_SECRET, "scopes": "openid email profile kvk", **extra}


def claims_of(name: str, **extra) -> dict:
    """A person at the provider: a verified address, a name, and a BSN the site must drop."""
    return {"email": f"{name}@example.nl", "email_verified": True,
            "name": name.capitalize() + " de Vries", "bsn": "999990019", **extra}


class OidcSite:
    """The app with the provider configured, served on 127.0.0.1 for the browser and usable
    with its test client (the provider knows both callback addresses)."""

    def __init__(self, app, server, provider: OpenIDProvider):
        self.app, self.server, self.provider = app, server, provider

    @property
    def url(self) -> str:
        return self.server.url


def start_site(database_url: str, smtp_port: int, config: dict | None = None) -> OidcSite:
    """A new app on the test database with a provider of its own, both started."""
    from participation import create_app

    from .browser import LiveServer
    from .conftest import test_config as base_config

    port = free_port()
    provider = OpenIDProvider([], [], port=port)
    app = create_app({**base_config(database_url, smtp_port),
                      "OIDC_PROVIDERS": [provider.settings()], **(config or {})})
    server = LiveServer(app)
    callback = "/account/oidc/test/callback"
    provider.clients[0]["redirect_uris"] = [server.url + callback, "http://localhost" + callback]
    provider.clients[0]["post_logout_redirect_uris"] = [server.url + "/", "http://localhost/"]
    provider.start()
    server.start()
    return OidcSite(app, server, provider)


def stop_site(site: OidcSite) -> None:
    from participation.core.extensions import db

    site.server.stop()
    site.provider.stop()
    with site.app.app_context():
        db.session.remove()
        db.engine.dispose()
