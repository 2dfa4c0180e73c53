"""Behind a reverse proxy: forwarded headers are trusted only when PROXIES says how many."""
from __future__ import annotations

from participation import create_app

from .conftest import test_config as config_for

HEADERS = {"X-Forwarded-For": "203.0.113.5", "X-Forwarded-Proto": "https"}


def test_forwarded_headers_only_count_behind_a_configured_proxy(database_url, smtp_server):
    direct = create_app(config_for(database_url, smtp_server.port))
    proxied = create_app({**config_for(database_url, smtp_server.port), "PROXIES": 1})
    seen = {}
    for name, app in (("direct", direct), ("proxied", proxied)):
        @app.get("/_whoami")
        def whoami(name=name):
            from flask import request
            seen[name] = (request.remote_addr, request.is_secure)
            return "ok"
        response = app.test_client().get("/_whoami", headers=HEADERS)
        seen[name + " hsts"] = "Strict-Transport-Security" in response.headers
    assert seen["direct"] == ("127.0.0.1", False) and not seen["direct hsts"]
    assert seen["proxied"] == ("203.0.113.5", True) and seen["proxied hsts"]
