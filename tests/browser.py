"""Headless Chromium for the browser tests: Debian's /usr/bin/chromium, axe-core on every page,
and the Nu HTML Checker on every HTML document the live servers send to the browser."""
from __future__ import annotations

import atexit
import gzip
import hashlib
import json
import os
import shutil
import socket
import subprocess
import tempfile
import threading
import time
import urllib.error
import urllib.request
import zlib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from werkzeug.serving import make_server
from werkzeug.wsgi import get_current_url

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
WCAG_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
           "resultTypes": ["violations"]}


IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
#: The page checks of the browser tests (the Nu HTML Checker on every document sent to the
#: browser, axe-core where a test asks) look at HTML and at the rendered page, which do not
#: depend on the database: CI runs them in its PostgreSQL run and drives the same pages without
#: them in its SQLite run (PAGE_CHECKS=off), as it runs the tests marked `once` in one run.
#: The layout checks of assert_accessible (tables, sideways scrolling) run in both.
PAGE_CHECKS = os.environ.get("PAGE_CHECKS", "on").lower() not in {"0", "off", "no", "false"}

#: The Nu HTML Checker (npm's vnu-jar, put in node_modules by `make install`), run with Java.
VNU_JAR = Path(os.environ.get("VNU_JAR") or
               Path(__file__).resolve().parent.parent / "node_modules/vnu-jar/build/dist/vnu.jar")
JAVA = os.environ.get("JAVA") or shutil.which("java") or "/usr/bin/java"


def chromium_available() -> bool:
    return os.path.exists(CHROMIUM) and os.access(CHROMIUM, os.X_OK)


@dataclass(frozen=True)
class ServedDocument:
    url: str
    html: bytes


#: What the live servers sent to the browser as a page (or a frame) since the test's last check;
#: the Nu HTML Checker reads it in `assert_valid_html` and after every browser test.
SERVED: list[ServedDocument] = []


class DocumentRecorder:
    """WSGI middleware: keeps every HTML page the browser shows, exactly as it was sent.

    Only what Chromium loads as a document or a frame (its Sec-Fetch-Dest header): a fragment a
    script fetches is not a page. Redirects are not shown, so their bodies are not checked. The
    body is buffered before it goes out, so the page is on the list by the time the browser has
    it (a check right after `page.goto` sees it)."""

    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        if environ.get("HTTP_SEC_FETCH_DEST") not in {"document", "iframe", "frame"}:
            return self.app(environ, start_response)
        sent: dict[str, object] = {}

        def recording_start_response(status, headers, exc_info=None):
            sent["status"], sent["headers"] = status, headers
            return start_response(status, headers, exc_info)

        result = self.app(environ, recording_start_response)
        try:
            body = b"".join(result)
        finally:
            if hasattr(result, "close"):
                result.close()
        status = int(str(sent.get("status", "200")).split()[0])
        headers = {k.lower(): v for k, v in sent.get("headers", [])}
        if (body and headers.get("content-type", "").startswith("text/html")
                and not 300 <= status < 400):
            html = decoded(body, headers.get("content-encoding", ""))
            SERVED.append(ServedDocument(get_current_url(environ), html))
        return [body]


def decoded(body: bytes, content_encoding: str) -> bytes:
    """The page as the browser reads it: Flask-Compress sends it zstd, brotli or gzip."""
    for encoding in reversed([e.strip() for e in content_encoding.split(",") if e.strip()]):
        if encoding == "gzip":
            body = gzip.decompress(body)
        elif encoding == "deflate":
            body = zlib.decompress(body)
        elif encoding == "br":
            import brotli

            body = brotli.decompress(body)
        elif encoding == "zstd":
            from flask_compress.compat import compression  # the app's own zstd

            body = compression.zstd.decompress(body)
        elif encoding != "identity":
            raise ValueError(f"a page sent with an unknown Content-Encoding: {encoding}")
    return body


class LiveServer:
    """The real app on a free port, in a thread, sharing the test database; every page it sends
    to the browser is kept for the Nu HTML Checker."""

    def __init__(self, app):
        self.server = make_server("127.0.0.1", 0, DocumentRecorder(app), threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self):
        self.thread.start()

    def stop(self):
        self.server.shutdown()
        self.thread.join(timeout=10)


class NuChecker:
    """The Nu HTML Checker as an HTTP service on 127.0.0.1 (one per test process: the JVM takes
    seconds to start and then checks a page in milliseconds). Made, the JVM starts; the first
    check waits until it is up (`start_nu_checker` makes it while the tests are collected, so
    the start overlaps the first tests instead of holding up the first page check)."""

    def __init__(self) -> None:
        if not VNU_JAR.exists():
            raise RuntimeError(f"the Nu HTML Checker is not installed at {VNU_JAR} "
                               "(make install runs npm ci)")
        if not shutil.which(JAVA) and not os.access(JAVA, os.X_OK):
            raise RuntimeError(f"Java is not installed ({JAVA}); "
                               "apt-get install -y default-jre-headless")
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}/?out=json"
        self.log = tempfile.TemporaryFile()
        # -Xss: the checker's own advice, deep documents need a larger thread stack.
        self.process = subprocess.Popen(  # noqa: S603 (our own command line)
            [JAVA, "-Xss1m", "-Dnu.validator.servlet.bind-address=127.0.0.1",
             # A draft preview of every attack vector is larger than the default 2 MB.
             "-Dnu.validator.servlet.max-file-size=67108864",
             "-cp", str(VNU_JAR), "nu.validator.servlet.Main", str(self.port)],
            stdout=self.log, stderr=subprocess.STDOUT)
        atexit.register(self.stop)
        self.up = False

    def wait_until_up(self) -> None:
        if self.up:
            return
        deadline = time.monotonic() + 300  # a start-up limit, not a measured time
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                self.log.seek(0)
                raise RuntimeError("the Nu HTML Checker stopped at start:\n"
                                   + self.log.read().decode(errors="replace")[-2000:])
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    pass
                self._post(b"<!doctype html><html lang=en><title>up</title>")
                self.up = True
                return
            except (OSError, urllib.error.URLError):
                time.sleep(0.3)
        raise RuntimeError("the Nu HTML Checker did not start")

    def check(self, html: bytes) -> list[dict]:
        """The checker's messages for one document, as its JSON output gives them."""
        self.wait_until_up()
        return self._post(html)

    def _post(self, html: bytes) -> list[dict]:
        request = urllib.request.Request(self.url, data=html, method="POST", headers={
            "Content-Type": "text/html; charset=utf-8"})
        with urllib.request.urlopen(request, timeout=120) as answer:  # noqa: S310 (localhost)
            return json.load(answer)["messages"]

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()


@dataclass
class CheckFigures:
    """What the checkers did in this test process, for the run's summary (and the
    accessibility statement's figures)."""

    documents: int = 0
    pages: set[str] = field(default_factory=set)
    errors: int = 0
    pages_with_errors: set[str] = field(default_factory=set)
    warnings: int = 0
    axe_checks: int = 0
    axe_pages: set[str] = field(default_factory=set)
    warning_texts: Counter = field(default_factory=Counter)
    #: Time spent checking (waiting for the checker's start included), for the run's summary.
    nu_seconds: float = 0.0
    axe_seconds: float = 0.0

    def as_dict(self) -> dict:
        return {"documents": self.documents, "pages": sorted(self.pages), "errors": self.errors,
                "pages_with_errors": sorted(self.pages_with_errors), "warnings": self.warnings,
                "axe_checks": self.axe_checks,
                "axe_pages": sorted(self.axe_pages),
                "warning_texts": dict(self.warning_texts),
                "nu_seconds": self.nu_seconds, "axe_seconds": self.axe_seconds}


FIGURES = CheckFigures()
_checker: NuChecker | None = None
_checked: dict[str, list[str]] = {}  # a document sent twice unchanged is checked once


def start_nu_checker() -> None:
    """Start the checker's JVM now, without waiting for it; a checker that cannot start is
    reported where a page is first checked (nu_checker)."""
    global _checker
    if _checker is None:
        try:
            _checker = NuChecker()
        except RuntimeError:
            pass


def nu_checker() -> NuChecker:
    global _checker
    try:
        if _checker is None:
            _checker = NuChecker()
        _checker.wait_until_up()
    except RuntimeError as missing:
        if IN_CI:
            pytest.fail(str(missing))
        pytest.skip(str(missing))
    return _checker


def _page_name(url: str) -> str:
    """The page a URL shows, without the server's port or the query: for counting pages."""
    return urlsplit(url).path or "/"


def html_errors(document: ServedDocument) -> list[str]:
    """The Nu HTML Checker's errors in one served document, each with its line; warnings are
    counted, not refused."""
    digest = hashlib.sha256(document.html).hexdigest()
    if digest not in _checked:
        errors = []
        started = time.monotonic()
        messages = nu_checker().check(document.html)
        FIGURES.nu_seconds += time.monotonic() - started
        for message in messages:
            kind = message.get("type")
            if kind == "info" and message.get("subType") == "warning":
                FIGURES.warnings += 1
                FIGURES.warning_texts[message.get("message", "")] += 1
            elif kind in {"error", "non-document-error"}:
                errors.append(f"line {message.get('lastLine', '?')}: {message.get('message')}"
                              f"\n      {message.get('extract', '').strip()}")
        FIGURES.errors += len(errors)
        FIGURES.documents += 1
        _checked[digest] = errors
    FIGURES.pages.add(_page_name(document.url))
    if _checked[digest]:
        FIGURES.pages_with_errors.add(_page_name(document.url))
    return [f"{document.url} {error}" for error in _checked[digest]]


def assert_valid_html() -> None:
    """The Nu HTML Checker: zero errors in every page sent to the browser since the last check."""
    documents = list(SERVED)
    del SERVED[:len(documents)]
    errors = [error for document in documents for error in html_errors(document)]
    if errors:
        pytest.fail(f"the Nu HTML Checker found {len(errors)} error(s):\n  "
                    + "\n  ".join(errors), pytrace=False)


def assert_accessible(page) -> None:
    """The page as sent is valid HTML (Nu HTML Checker), and axe-core at WCAG 2.1 A and AA
    finds zero violations on the page as it is now."""
    from axe_playwright_python.base import AXE_SCRIPT, AxeResults

    # A check right after a click that navigates must see the new page, loaded: without the
    # checkers' time in between (PAGE_CHECKS=off) it could meet a document still being made.
    page.wait_for_load_state("load")
    if PAGE_CHECKS:
        assert_valid_html()
        FIGURES.axe_checks += 1
        FIGURES.axe_pages.add(_page_name(page.url))
        # axe-core goes into a document once: a second check of the same document (another
        # viewport, after a click) runs it again without evaluating its 500 KB anew.
        started = time.monotonic()
        if not page.evaluate("() => typeof window.axe === 'object' && !!window.axe.run"):
            page.evaluate(AXE_SCRIPT)
        results = AxeResults(page.evaluate(f"axe.run(document, {json.dumps(WCAG_AA)})"))
        FIGURES.axe_seconds += time.monotonic() - started
        if results.violations_count:
            pytest.fail(f"axe found {results.violations_count} violation(s) on {page.url}:\n"
                        + results.generate_report())
    assert_tables_captioned_and_wrapped(page)
    assert_no_sideways_scroll(page)


def unwrapped_tables(page) -> list[str]:
    """The page's data tables that lack a caption or a scrolling region of their own (a
    `.table-wrap` with role=region and a name, which the keyboard reaches: tabindex=0, or
    something focusable inside); a layout table (role=presentation) needs neither."""
    return page.evaluate("""() => [...document.querySelectorAll('table')]
        .filter(t => !['presentation', 'none'].includes(t.getAttribute('role')))
        .filter(t => {
            const wrap = t.parentElement;
            const caption = t.querySelector(':scope > caption');
            const reachable = wrap.getAttribute('tabindex') === '0' || wrap.querySelector(
                'a[href], button, input:not([type=hidden]), select, textarea');
            return !(caption && caption.textContent.trim() && reachable
                     && wrap.matches('.table-wrap[role=region]')
                     && (wrap.hasAttribute('aria-label') || wrap.hasAttribute('aria-labelledby')));
        })
        .map(t => t.outerHTML.slice(0, 120))""")


def assert_tables_captioned_and_wrapped(page) -> None:
    if tables := unwrapped_tables(page):
        pytest.fail(f"{page.url}: tables without a caption or a scrolling region:\n  "
                    + "\n  ".join(tables), pytrace=False)


#: The narrowest screen WCAG 2.1's reflow criterion (1.4.10) asks for: 320 CSS pixels.
NARROW = 320


def sideways_overflow(page) -> tuple[int, list[str]]:
    """How many pixels the page is wider than the window (0: it does not scroll sideways), and
    the first few elements that stick out (inside a table's own scrolling region is fine)."""
    return page.evaluate("""() => [
        document.documentElement.scrollWidth - window.innerWidth,
        [...document.querySelectorAll('body *')]
            .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1
                         || (e.scrollWidth > e.clientWidth + 1
                             && getComputedStyle(e).overflowX === 'visible'))
            .filter(e => !e.parentElement.closest('.table-wrap'))
            .slice(0, 5).map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '')
                + (e.classList.length ? '.' + [...e.classList].join('.') : ''))]""")


def assert_no_sideways_scroll(page) -> None:
    """At 320 px the page itself never scrolls sideways (a wide table scrolls in its own
    region); the window gets its own size back afterwards."""
    page.wait_for_load_state("load")  # as in assert_accessible: the new page, loaded
    size = page.viewport_size
    if size and size["width"] != NARROW:
        page.set_viewport_size({"width": NARROW, "height": size["height"]})
    try:
        overflow, wide = sideways_overflow(page)
    finally:
        if size and size["width"] != NARROW:
            page.set_viewport_size(size)
    if overflow > 0:
        pytest.fail(f"{page.url} scrolls sideways at {NARROW} px: {overflow} px too wide "
                    f"(sticking out: {', '.join(wide)})", pytrace=False)
