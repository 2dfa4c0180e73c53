"""Position papers: checked by content (a real PDF with pages), stored under instance/uploads.

The name on disk is random; the uploaded name is only kept to show and to offer on download.
With several web instances, UPLOAD_FOLDER points at shared storage.
"""
from __future__ import annotations

import hashlib
import io
import logging
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from flask_babel import lazy_gettext as _l

log = logging.getLogger(__name__)

MAX_PDF_BYTES = 10 * 1024 * 1024


class UploadRefused(ValueError):
    """The upload is not acceptable; str(error) is the message for the person."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class CheckedPdf:
    data: bytes
    original_name: str
    pages: int
    sha256: str


def upload_folder() -> Path:
    folder = Path(current_app.config.get("UPLOAD_FOLDER")
                  or os.path.join(current_app.instance_path, "uploads"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _display_name(filename: str | None) -> str:
    name = os.path.basename((filename or "").replace("\\", "/")).strip()
    name = "".join(ch for ch in name if ch.isprintable() and ch not in '"<>')[:150]
    if not name.lower().endswith(".pdf"):
        name = (name or "document") + ".pdf"
    return name


def check_pdf(storage) -> CheckedPdf:
    """Read an uploaded file and accept it only if it is a PDF that opens and has pages."""
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    data = storage.read(MAX_PDF_BYTES + 1)
    if len(data) > MAX_PDF_BYTES:
        raise UploadRefused(_l("The file is larger than 10 MB. Make it smaller or leave it out."))
    if not data:
        raise UploadRefused(_l("The file is empty."))
    if not data.lstrip()[:5] == b"%PDF-":
        raise UploadRefused(_l("This file is not a PDF. Save your paper as PDF and choose it "
                               "again."))
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            raise UploadRefused(_l("This PDF is protected with a password. Upload a version "
                                   "without a password."))
        pages = len(reader.pages)
    except UploadRefused:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, OSError, RecursionError) as error:
        log.info("refused unreadable PDF: %s", error)
        raise UploadRefused(_l("This PDF cannot be opened. It may be damaged; save it again as "
                               "PDF and choose it again.")) from None
    if pages == 0:
        raise UploadRefused(_l("This PDF has no pages."))
    return CheckedPdf(data=data, original_name=_display_name(storage.filename), pages=pages,
                      sha256=hashlib.sha256(data).hexdigest())


def store(pdf: CheckedPdf) -> str:
    """Write the file under a random name and return that name."""
    stored_name = f"{secrets.token_hex(16)}.pdf"
    path = upload_folder() / stored_name
    with open(path, "xb") as handle:
        handle.write(pdf.data)
    return stored_name


def path_of(stored_name: str) -> Path:
    # stored_name comes from our own database, never from a request; still, no path parts.
    return upload_folder() / os.path.basename(stored_name)


def discard(stored_name: str) -> None:
    try:
        path_of(stored_name).unlink()
    except FileNotFoundError:
        pass
