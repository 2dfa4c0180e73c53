"""What browsers and proxies may keep: fingerprinted static files and revalidated pages.

- Static files get a content fingerprint in their name (``css/site.3f2a9c1b0d.css``), so they
  can be kept for a year: a changed file gets a new name, and pages link to the new one.
  The plain name still works (for links from outside) but is revalidated on each use.
- Pages get an ETag and ``Cache-Control: private, no-cache``: the browser keeps its copy and
  asks again each time; an unchanged page is answered with an empty 304. The page is still
  rendered (that is what tells whether it changed), so this saves the transfer, not the work.
- Compression (Flask-Compress, bound in the factory) runs after this and gives each encoding
  its own ETag (``"…:gzip"``), then answers If-None-Match.
"""
from __future__ import annotations

import hashlib
import time
from pathlib import Path

from flask import Flask, current_app, g, request, send_from_directory, session
from werkzeug.exceptions import NotFound

#: Long enough that a fingerprinted file is never fetched twice.
YEAR = 365 * 24 * 3600
#: A CSRF token in a kept page must stay usable: a page older than this is sent again in full
#: (WTF_CSRF_TIME_LIMIT is 8 hours), so a 304 never revives an expired token.
PAGE_TOKEN_MAX_AGE = 3600
FINGERPRINT_LENGTH = 10


def fingerprinted(filename: str, digest: str) -> str:
    stem, dot, suffix = filename.rpartition(".")
    if not dot:
        return f"{filename}.{digest}"
    return f"{stem}.{digest}.{suffix}"


def build_manifest(static_folder: str) -> dict[str, str]:
    """Every static file's name mapped to its fingerprinted name."""
    manifest: dict[str, str] = {}
    root = Path(static_folder)
    for path in sorted(root.rglob("*")):
        if path.is_file():
            name = path.relative_to(root).as_posix()
            digest = hashlib.sha256(path.read_bytes()).hexdigest()[:FINGERPRINT_LENGTH]
            manifest[name] = fingerprinted(name, digest)
    return manifest


def register(app: Flask) -> None:
    manifest = build_manifest(app.static_folder) if app.static_folder else {}
    originals = {hashed: name for name, hashed in manifest.items()}
    app.extensions["asset_manifest"] = manifest

    @app.url_defaults
    def _fingerprint_static(endpoint: str, values: dict) -> None:
        # Runs for every url_for: only the static endpoint is touched.
        if endpoint == "static" and values.get("filename") in manifest:
            values["filename"] = manifest[values["filename"]]

    def static(filename: str):
        original = originals.get(filename)
        if original is not None:
            response = send_from_directory(app.static_folder, original, max_age=YEAR)
            response.cache_control.immutable = True
            response.cache_control.public = True
            return response
        if filename not in manifest:
            raise NotFound()
        # The plain name: kept, but checked again on each use (a deploy may change it).
        return send_from_directory(app.static_folder, filename, max_age=0)

    app.view_functions["static"] = static
    app.after_request(_revalidated_pages)


def _csrf_free_body(body: bytes) -> bytes:
    """The page without this request's CSRF token, which is signed anew every second."""
    token = g.get(current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token"))
    if token:
        body = body.replace(token.encode(), b"")
    return body


def _revalidated_pages(response):
    if (request.method not in ("GET", "HEAD") or response.status_code != 200
            or response.mimetype != "text/html" or response.is_streamed
            or response.direct_passthrough or "Cache-Control" in response.headers):
        return response
    digest = hashlib.blake2b(_csrf_free_body(response.get_data()), digest_size=16)
    # Same page text, but another session's token or an old one: not the same page.
    digest.update(str(session.get("csrf_token", "")).encode())
    digest.update(str(int(time.time()) // PAGE_TOKEN_MAX_AGE).encode())
    response.set_etag(digest.hexdigest())
    response.cache_control.private = True
    response.cache_control.no_cache = True
    # Answers an uncompressed copy's ETag here; Flask-Compress answers the compressed ones.
    return response.make_conditional(request)

