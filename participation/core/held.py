"""An uploaded file kept between its preview and the confirmation, on the server.

The preview page's form carries a signed token with the file's SHA-256 and what the caller
adds (who, for what); the bytes wait under the upload folder (shared storage with several web
instances) named by that hash. So a confirmation stores exactly the file that was previewed,
by the person who previewed it; two people holding files at once each have their own (the
same file twice is the same bytes under one name, written atomically); a double click reads
the same file twice. Held files older than HOLD_SECONDS are removed by the next hold.
"""
from __future__ import annotations

import hashlib
import logging
import os
import secrets
import time
from pathlib import Path

from flask import current_app
from itsdangerous import BadData, URLSafeTimedSerializer

from .uploads import upload_folder

log = logging.getLogger(__name__)

#: How long a preview can wait for its confirmation.
HOLD_SECONDS = 12 * 3600


class NotHeld(LookupError):
    """The token is not valid (forged, for something else, expired) or its file is gone."""


def _folder() -> Path:
    folder = upload_folder() / "held"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"held:{purpose}")


def hold(data: bytes, purpose: str, claims: dict) -> str:
    """Keep `data`; the token that gives it back (with `claims`) to `take`."""
    digest = hashlib.sha256(data).hexdigest()
    folder = _folder()
    _sweep(folder)
    final = folder / digest
    if not final.exists():
        part = folder / f"{digest}.{secrets.token_hex(8)}.part"
        part.write_bytes(data)
        os.replace(part, final)  # atomic: a reader sees the whole file or none
    else:
        os.utime(final)  # held again: the sweep counts from now
    return _serializer(purpose).dumps({"sha256": digest, **claims})


def take(token: str, purpose: str) -> tuple[bytes, dict]:
    """The held bytes and the claims of `token`. Raises NotHeld."""
    try:
        claims = _serializer(purpose).loads(token, max_age=HOLD_SECONDS)
    except BadData:
        raise NotHeld() from None
    digest = claims.get("sha256", "")
    if not isinstance(digest, str) or len(digest) != 64 or not digest.isalnum():
        raise NotHeld()
    try:
        data = (_folder() / digest).read_bytes()
    except FileNotFoundError:
        raise NotHeld() from None
    if hashlib.sha256(data).hexdigest() != digest:
        raise NotHeld()
    return data, claims


def _sweep(folder: Path) -> None:
    cutoff = time.time() - HOLD_SECONDS
    for path in folder.iterdir():
        try:
            if path.stat().st_mtime < cutoff:
                path.unlink()
        except FileNotFoundError:
            continue  # another process swept it first
        except OSError as error:
            log.warning("could not remove held file %s: %s", path.name, error)
