"""The page check of the browser tests itself: the live server keeps the pages it sends to the
browser as the browser reads them, and the Nu HTML Checker fails a test on an error, naming the
page and the line."""
from __future__ import annotations

import urllib.request

import pytest

from . import browser
from .browser import LiveServer, ServedDocument, assert_valid_html, html_errors

INVALID = (b"<!doctype html><html lang=en><head><title>Twee keer</title></head><body>\n"
           b"<p id=a>een</p>\n<p id=a>twee</p>\n<select required><option value=0>Kies"
           b"</option></select></body></html>")


@pytest.mark.once
def test_the_checker_names_each_error_with_its_line():
    errors = html_errors(ServedDocument("http://127.0.0.1/twee", INVALID))
    assert any("line 3: Duplicate ID “a”." in e for e in errors), errors
    assert any("line 4:" in e and "“select” element with a “required” attribute" in e
               for e in errors), errors
    assert all(e.startswith("http://127.0.0.1/twee line ") for e in errors)


@pytest.mark.once
def test_a_valid_page_has_no_errors():
    valid = b"<!doctype html><html lang=nl><head><title>Goed</title></head><body><p>Ja</p>"
    assert html_errors(ServedDocument("http://127.0.0.1/goed", valid)) == []


@pytest.mark.once
def test_an_invalid_page_sent_to_the_browser_fails_the_test_with_the_message():
    browser.SERVED.append(ServedDocument("http://127.0.0.1/twee", INVALID))
    with pytest.raises(pytest.fail.Exception) as failure:
        assert_valid_html()
    assert "the Nu HTML Checker found" in str(failure.value)
    assert "Duplicate ID" in str(failure.value)
    assert browser.SERVED == []  # checked once


@pytest.fixture
def served(app):
    server = LiveServer(app)
    server.start()
    yield server
    server.stop()


def _get(url: str, **headers) -> bytes:
    with urllib.request.urlopen(urllib.request.Request(url, headers=headers)) as answer:  # noqa: S310
        return answer.read()


@pytest.mark.parametrize("encoding", ["br", "gzip", "zstd", "identity"])
def test_a_page_loaded_as_a_document_is_kept_as_the_browser_reads_it(served, encoding):
    sent = _get(served.url + "/account/login", **{"Sec-Fetch-Dest": "document",
                                                   "Accept-Encoding": encoding})
    assert len(browser.SERVED) == 1
    kept = browser.SERVED.pop()
    assert kept.url == served.url + "/account/login"
    assert kept.html.startswith(b"<!doctype html>") and b"csrf_token" in kept.html
    if encoding == "identity":
        assert sent == kept.html
    else:
        assert sent != kept.html  # sent compressed, kept decoded


def test_fetches_styles_and_redirects_are_not_pages(served):
    _get(served.url + "/account/login", **{"Sec-Fetch-Dest": "empty"})  # a script's fetch
    _get(served.url + "/account/login")  # no browser at all
    # Redirected to the login page: the redirect's own little body is not shown, the page is.
    _get(served.url + "/account/", **{"Sec-Fetch-Dest": "document"})
    assert [d.url for d in browser.SERVED] == [served.url + "/account/login?next=/account/"]
    browser.SERVED.clear()
