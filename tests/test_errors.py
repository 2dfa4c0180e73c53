"""Friendly error pages, in the visitor's language."""
from __future__ import annotations

from flask import abort

from .factories import submit


def test_not_found_in_dutch_and_english(client):
    response = client.get("/bestaat-niet")
    assert response.status_code == 404
    assert "Pagina niet gevonden" in response.get_data(as_text=True)
    submit(client, "/language", {"locale": "en", "next": "/"}, page_url="/")
    assert "Page not found" in client.get("/bestaat-niet").get_data(as_text=True)


def test_method_not_allowed_and_too_large(client, app):
    assert client.get("/language").status_code == 405
    big = client.post("/account/login", data={"email": "x" * (13 * 1024 * 1024)})
    assert big.status_code == 413
    assert "10 MB" in big.get_data(as_text=True)


def test_unexpected_errors_show_a_friendly_page(database_url):
    from participation import create_app
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_url,
                      "PROPAGATE_EXCEPTIONS": False})

    @app.get("/boom")
    def boom():
        raise RuntimeError("boom")

    @app.get("/forbidden")
    def forbidden():
        abort(403)

    client = app.test_client()
    response = client.get("/boom")
    assert response.status_code == 500 and "<h1>" in response.get_data(as_text=True)
    assert "RuntimeError" not in response.get_data(as_text=True)
    assert client.get("/forbidden").status_code == 403
