"""Position papers: checked by content (a real PDF with pages and nothing active in it), stored
under instance/uploads so that a file appears only with the commit that records it.

The name on disk is random; the uploaded name is only kept to show and to offer on download.
With several web instances, UPLOAD_FOLDER points at shared storage.

Storing is tied to the database transaction of the session that stores. `store` writes the
bytes to `<name>.part` in the upload folder (the same file system, so the later rename is
atomic) and fsyncs them; the commit renames the part to `<name>`; a rollback, or a session
closed without a commit, removes it. A storage error (disk full, no permission, I/O error)
removes the part and raises `StorageFailed`, whose message the form shows next to the file.
If the process dies between the commit and the rename, the row exists and the part is
complete: `path_of` renames it when the paper is first asked for, since a row is only seen
once it is committed. A part without a row is a send that never committed (the process died
before its rollback); it is never served (no row names it), and `sweep` removes it.
"""
from __future__ import annotations

import hashlib
import io
import logging
import os
import secrets
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l

from .extensions import db

if TYPE_CHECKING:
    import pikepdf  # imported where it is used: qpdf is loaded only when a paper comes in

log = logging.getLogger(__name__)

MAX_PDF_BYTES = 10 * 1024 * 1024
PART_SUFFIX = ".part"

#: session.info keys: parts to rename once the transaction commits, and stored names to
#: delete once it has (a replaced or removed paper).
_STAGED = "uploads.staged"
_DOOMED = "uploads.doomed"

#: Actions that run code, start a program or open an embedded file (PDF 2.0, 12.6.4).
_ACTIVE_ACTIONS = frozenset({"/JavaScript", "/Launch", "/GoToE", "/ImportData",
                             "/RichMediaExecute"})
#: Annotations that carry a file or a player of their own.
_ACTIVE_ANNOTATIONS = frozenset({"/FileAttachment", "/RichMedia"})


class UploadRefused(ValueError):
    """The upload is not acceptable; str(error) is the message for the person."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


class StorageFailed(Exception):
    """The file could not be written (disk full, no permission, I/O error); nothing was left
    behind. `.message` is for the person, next to the file field."""

    message = _l("The file could not be stored; your text is kept below. Try again later or "
                 "send it without the file.")


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
    """Read an uploaded file and accept it only if it is a PDF that opens, has pages and has
    nothing in it that acts (scripts, launch actions, embedded files)."""
    import pikepdf

    data = storage.read(MAX_PDF_BYTES + 1)
    if len(data) > MAX_PDF_BYTES:
        raise UploadRefused(_l("The file is larger than 10 MB. Make it smaller or leave it out."))
    if not data:
        raise UploadRefused(_l("The file is empty."))
    if not data.lstrip()[:5] == b"%PDF-":
        raise UploadRefused(_l("This file is not a PDF. Save your paper as PDF and choose it "
                               "again."))
    damaged = UploadRefused(_l("This PDF cannot be opened. It may be damaged; save it again as "
                               "PDF and choose it again."))
    if b"%%EOF" not in data:
        # Cut off (an interrupted save or copy): qpdf would rebuild what is left and the paper
        # would lose its end without a word. A whole file ends each of its saves with %%EOF.
        raise damaged
    protected = UploadRefused(_l("This PDF is protected with a password. Upload a version "
                                 "without a password."))
    try:
        with pikepdf.open(io.BytesIO(data)) as pdf:
            # A file whose password only guards permissions (printing, copying) opens without
            # it; it is refused too, so that every paper can be printed and quoted from.
            if pdf.is_encrypted:
                raise protected
            pages = len(pdf.pages)
            active = active_content(pdf)
    except pikepdf.PasswordError:
        raise protected from None
    except UploadRefused:
        raise
    except (pikepdf.PdfError, ValueError, KeyError, TypeError, OSError, RecursionError) as error:
        log.info("refused unreadable PDF: %s", error)
        raise damaged from None
    if pages == 0:
        raise UploadRefused(_l("This PDF has no pages."))
    if active:
        log.info("refused PDF with active content: %s", active)
        raise UploadRefused(_l("This PDF contains scripts, actions that start programs or "
                               "attached files, which the site does not pass on. Save it again "
                               "as a plain PDF (for example with “Print to PDF”) and choose it "
                               "again."))
    return CheckedPdf(data=data, original_name=_display_name(storage.filename), pages=pages,
                      sha256=hashlib.sha256(data).hexdigest())


def active_content(pdf: pikepdf.Pdf) -> str | None:
    """What in the PDF would act when opened, or None: a JavaScript, launch or embedded-file
    action, additional actions (/AA), a /Names tree of scripts or embedded files, an embedded
    file, a file-attachment or rich-media annotation, or an XFA form (which carries scripts).

    Every object in the file is looked at, reachable or not, wherever it hangs (open action,
    pages, annotations and their /A and /AA, form fields, bookmarks), so an action cannot hide
    in a place one reader looks at and this check does not. qpdf (pikepdf) reads object
    streams and undoes escaped names (`/J#61vaScript` is `/JavaScript`). Stream data is not
    decoded: actions are dictionaries. An object qpdf cannot read raises pikepdf.PdfError.
    """
    import pikepdf

    # Indirect objects are all in pdf.objects; direct ones are reached through them.
    pending = [pdf.trailer, *pdf.objects]
    while pending:
        obj = pending.pop()
        if isinstance(obj, (pikepdf.Dictionary, pikepdf.Stream)):
            found = _active_in(obj)
            if found:
                return found
            children = obj.values()
        elif isinstance(obj, pikepdf.Array):
            children = obj
        else:
            continue
        pending.extend(child for child in children
                       if isinstance(child, (pikepdf.Dictionary, pikepdf.Array))
                       and not child.is_indirect)
    return None


def _active_in(dictionary) -> str | None:
    keys = set(dictionary.keys())
    if "/JS" in keys:
        return "a script (/JS)"
    if "/AA" in keys:
        return "additional actions (/AA)"
    if "/JavaScript" in keys:
        return "a /Names tree of scripts"
    if "/EmbeddedFiles" in keys or "/EF" in keys:
        return "an embedded file"
    if "/XFA" in keys:
        return "an XFA form"
    if "/S" in keys and str(dictionary.get("/S")) in _ACTIVE_ACTIONS:
        return f"a {dictionary.get('/S')} action"
    if "/Type" in keys and str(dictionary.get("/Type")) == "/EmbeddedFile":
        return "an embedded file"
    if "/Subtype" in keys and str(dictionary.get("/Subtype")) in _ACTIVE_ANNOTATIONS:
        return f"a {dictionary.get('/Subtype')} annotation"
    return None


# --- storing ------------------------------------------------------------------------------

def store(pdf: CheckedPdf) -> str:
    """Write the file under a random name, to appear with this session's commit; return the
    name. On a storage error nothing is left and StorageFailed is raised."""
    stored_name = f"{secrets.token_hex(16)}.pdf"
    try:
        folder = upload_folder()
        part = _part_of(folder / stored_name)
        _write_synced(part, pdf.data)
        _sync_folder(folder)
    except OSError as error:
        log.error("could not store an upload (%s bytes): %s", len(pdf.data), error)
        raise StorageFailed() from error
    session = db.session()  # the Session itself: scoped_session does not pass on in_transaction
    if not session.in_transaction():
        session.begin()  # so that its end, whatever it is, is an event that cleans up
    session.info.setdefault(_STAGED, []).append((part, folder / stored_name))
    return stored_name


def discard_after_commit(stored_name: str) -> None:
    """Delete a stored file once this session's commit is done (a replaced or removed paper):
    a rollback keeps it, as it keeps the row."""
    db.session.info.setdefault(_DOOMED, []).append(_path(stored_name))


def _write_synced(path: Path, data: bytes) -> None:
    """All bytes on disk, or no file: a partly written part is removed before the error goes."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
        os.fsync(fd)
    except BaseException:
        os.close(fd)
        _remove(path)
        raise
    os.close(fd)


def _sync_folder(folder: Path) -> None:
    """Make a new or renamed entry in the folder durable (POSIX; a no-op where unsupported)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError as error:  # some network file systems refuse fsync on a directory
        log.debug("fsync of %s: %s", folder, error)
    finally:
        os.close(fd)


def _remove(path: Path) -> None:
    try:
        path.unlink()
    except FileNotFoundError:
        pass
    except OSError as error:
        log.error("could not remove %s: %s", path, error)


def _publish(part: Path, final: Path) -> None:
    try:
        os.replace(part, final)
    except FileNotFoundError:
        if not final.exists():
            log.error("stored upload %s is missing", final.name)
        return  # another process asking for the paper renamed it first
    except OSError as error:
        # The commit is done: the part stays and path_of renames it when it is asked for.
        log.error("could not rename %s after its commit: %s", part.name, error)
        return
    _sync_folder(final.parent)


@sa.event.listens_for(db.session, "after_commit")
def _after_commit(session) -> None:
    if session.get_nested_transaction() is not None:
        return  # a savepoint: the outer transaction can still roll back
    for part, final in session.info.pop(_STAGED, ()):
        _publish(part, final)
    for path in session.info.pop(_DOOMED, ()):
        _remove(path)
        _remove(_part_of(path))


@sa.event.listens_for(db.session, "after_transaction_end")
def _after_transaction_end(session, transaction) -> None:
    if transaction.parent is not None or transaction.nested:
        return
    # Reached after the commit's own handler has taken its lists: what is left was not
    # committed (rolled back, or the session closed), so its files go and the doomed stay.
    for part, _final in session.info.pop(_STAGED, ()):
        _remove(part)
    session.info.pop(_DOOMED, None)


def _path(stored_name: str) -> Path:
    # stored_name comes from our own database, never from a request; still, no path parts.
    return upload_folder() / os.path.basename(stored_name)


def _part_of(path: Path) -> Path:
    return path.with_name(path.name + PART_SUFFIX)


def path_of(stored_name: str) -> Path:
    """Where a committed paper is."""
    path = _path(stored_name)
    if not path.exists() and _part_of(path).exists():
        # The row is committed (it was read), but its process stopped before the rename.
        _publish(_part_of(path), path)
    return path


def discard(stored_name: str) -> None:
    """Delete a paper now (its row is already gone for good)."""
    path = _path(stored_name)
    _remove(path)
    _remove(_part_of(path))


#: A part younger than this may belong to a send still in progress: the sweep leaves it.
SWEEP_AFTER_SECONDS = 3600


def sweep(named: Callable[[Iterable[str]], set[str]], *,
          older_than: float = SWEEP_AFTER_SECONDS) -> tuple[int, int]:
    """Finish or remove the parts a stopped process left: a part whose name a committed row
    holds (`named` returns those of the names it is given) is renamed into place, any other
    part older than `older_than` seconds is deleted. Returns (renamed, removed)."""
    folder = upload_folder()
    cutoff = time.time() - older_than
    parts: dict[str, Path] = {}
    for part in folder.glob("*" + PART_SUFFIX):
        try:
            if part.stat().st_mtime < cutoff:
                parts[part.name[:-len(PART_SUFFIX)]] = part
        except FileNotFoundError:
            continue  # committed or rolled back while we looked
    if not parts:
        return 0, 0
    kept = named(parts)
    renamed = removed = 0
    for name, part in parts.items():
        if name in kept:
            _publish(part, folder / name)
            renamed += 1
        else:
            _remove(part)
            removed += 1
    return renamed, removed
