"""Caching: fingerprinted static files kept for a year, pages revalidated with ETags, compression."""
from __future__ import annotations

import gzip
import re
import time

import brotli
import pytest

from participation.core.caching import YEAR, build_manifest

from .factories import csrf_token, login, make_contribution, make_process, make_user


def static_links(html: str) -> list[str]:
    return re.findall(r'(?:href|src)="(/static/[^"]+)"', html)


def test_pages_link_fingerprinted_files_that_are_kept_for_a_year(client, app):
    page = client.get("/").get_data(as_text=True)
    links = static_links(page)
    assert {re.sub(r"\.[0-9a-f]{10}\.", ".", link) for link in links} == {
        "/static/css/site.css", "/static/js/site.js", "/static/img/icon.svg"}
    for link in links:
        response = client.get(link)
        plain = client.get(re.sub(r"\.[0-9a-f]{10}\.", ".", link))
        assert response.status_code == 200
        assert response.get_data() == plain.get_data()  # the same file under both names
        assert response.cache_control.max_age == YEAR
        assert response.cache_control.immutable and response.cache_control.public
        # The plain name may change with a deploy: it is checked again on each use.
        assert plain.cache_control.max_age == 0
    assert client.get("/static/css/site.0123456789.css").status_code == 404
    assert client.get("/static/css/nothing.css").status_code == 404


@pytest.mark.once
def test_a_changed_file_gets_a_new_name(tmp_path):
    (tmp_path / "css").mkdir()
    style = tmp_path / "css" / "site.css"
    style.write_text("body { color: black }")
    first = build_manifest(str(tmp_path))["css/site.css"]
    style.write_text("body { color: navy }")
    second = build_manifest(str(tmp_path))["css/site.css"]
    assert first != second
    assert first.startswith("css/site.") and first.endswith(".css")


def test_an_unchanged_page_is_answered_with_304_and_a_changed_one_in_full(client, app):
    with app.app_context():
        process = make_process()
        author = make_user()
    first = client.get("/p/economie/input")
    assert first.status_code == 200 and first.headers["ETag"]
    assert first.cache_control.private and first.cache_control.no_cache
    # A second later the page carries a newly signed CSRF token, and is still the same page.
    time.sleep(1.1)
    again = client.get("/p/economie/input", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    assert again.get_data() == b""

    with app.app_context():
        from participation.core.extensions import db
        process = db.session.merge(process)
        make_contribution(process, process.themes[0], db.session.merge(author),
                          title="Meer stageplekken in de haven")
        db.session.commit()
    changed = client.get("/p/economie/input", headers={"If-None-Match": first.headers["ETag"]})
    assert changed.status_code == 200
    assert changed.headers["ETag"] != first.headers["ETag"]


def test_a_kept_page_still_posts_after_a_304(client, app):
    """The browser shows its kept copy after a 304: the token in it must still be accepted."""
    with app.app_context():
        make_user()
    login(client)
    client.get("/")  # shows (and so ends) the "logged in" message
    first = client.get("/")
    kept_token = csrf_token(first.get_data(as_text=True))
    time.sleep(1.1)
    assert client.get("/", headers={"If-None-Match": first.headers["ETag"]}).status_code == 304
    switched = client.post("/language", data={"csrf_token": kept_token, "locale": "en",
                                             "next": "/"})
    assert switched.status_code == 302
    assert '<html lang="en"' in client.get("/").get_data(as_text=True)


def test_another_session_never_gets_a_304_for_a_page_with_someone_elses_token(app):
    first_client, second_client = app.test_client(), app.test_client()
    first = first_client.get("/")
    other = second_client.get("/", headers={"If-None-Match": first.headers["ETag"]})
    assert other.status_code == 200


def test_pages_are_compressed_for_browsers_that_accept_it(client, app):
    with app.app_context():
        make_process()
    plain = client.get("/p/economie")
    for encoding, decompress in (("gzip", gzip.decompress), ("br", brotli.decompress)):
        response = client.get("/p/economie", headers={"Accept-Encoding": encoding})
        assert response.headers["Content-Encoding"] == encoding
        assert "Accept-Encoding" in response.headers["Vary"]
        body = decompress(response.get_data()).decode()
        assert len(response.get_data()) < len(body) / 2
        token = csrf_token(body)
        assert body.replace(token, "") == plain.get_data(as_text=True).replace(
            csrf_token(plain.get_data(as_text=True)), "")
        # Each encoding has its own ETag, and answers If-None-Match with it.
        assert response.headers["ETag"].endswith(f':{encoding}"')
        kept = client.get("/p/economie", headers={"Accept-Encoding": encoding,
                                                  "If-None-Match": response.headers["ETag"]})
        assert kept.status_code == 304


def test_pages_with_personal_tokens_are_never_kept(client, app):
    """Views marked no_store (tokens in the URL, personal data) get no ETag and no-store."""
    with app.app_context():
        make_user()
    login(client)
    response = client.get("/account/data")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert "ETag" not in response.headers
