"""The session cookie is written back only by requests that may change it: a request for the
icon or a style sheet that carries the cookie as it was before a click cannot undo the click."""
from __future__ import annotations

from tests.factories import csrf_token


def _session_cookie(response) -> str | None:
    for header in response.headers.get_all("Set-Cookie"):
        if header.startswith("session="):
            return header.split(";", 1)[0].split("=", 1)[1]
    return None


def test_a_stale_request_for_the_icon_or_a_missing_page_does_not_undo_a_language_switch(app):
    client = app.test_client()
    page = client.get("/account/login")
    before = _session_cookie(page)
    assert before
    switched = client.post("/language", data={"locale": "en", "csrf_token": csrf_token(page.text),
                                              "next": "/account/login"})
    assert switched.status_code == 302
    after = _session_cookie(switched)
    assert after and after != before

    # Requests the browser sent before the switch answered: they carry the old cookie.
    stale = app.test_client()
    stale.set_cookie("session", before)
    for url in ("/favicon.ico", "/static/img/icon.svg", "/no-such-page", "/static/nothing.css"):
        response = stale.get(url)
        assert response.status_code in (200, 404), url
        assert _session_cookie(response) is None, url

    client.set_cookie("session", after)
    assert "E-mail address" in client.get("/account/login").text


def test_a_first_visit_to_a_missing_page_gets_a_cookie_its_forms_can_use(app):
    client = app.test_client()
    missing = client.get("/no-such-page")
    assert missing.status_code == 404
    assert _session_cookie(missing)
    switched = client.post("/language", data={"locale": "en",
                                              "csrf_token": csrf_token(missing.text)})
    assert switched.status_code == 302


def test_every_page_names_its_icon_and_describes_itself(client):
    page = client.get("/").text
    assert 'rel="icon"' in page and 'type="image/svg+xml"' in page
    assert '<meta name="description" content="' in page
    icon = client.get("/favicon.ico")
    assert icon.status_code == 200
    assert icon.mimetype == "image/svg+xml"
    assert b"<svg" in icon.data
