"""The open formats of the participation document: JSON (the whole structure) and CSV (one
row per contribution or comment)."""
from __future__ import annotations

import csv
import dataclasses
import io
import json
from collections.abc import Callable
from datetime import datetime
from typing import NamedTuple

from .builder import ParticipationDocument

CSV_COLUMNS = ("stakeholder", "organisation_kind", "kind", "round", "theme_or_section", "title",
               "text", "in_reply_to", "given_at", "state", "hidden", "received_offline",
               "disposition", "response", "taken_up_in")


def _default(value):
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds") + "Z"
    if isinstance(value, set):
        return sorted(value)
    raise TypeError(type(value))


def to_json(document: ParticipationDocument) -> bytes:
    return json.dumps(dataclasses.asdict(document), default=_default, ensure_ascii=False,
                      indent=2).encode("utf-8")


def csv_rows(document: ParticipationDocument):
    yield CSV_COLUMNS
    for stakeholder, item in document.items():
        yield (stakeholder.name, stakeholder.kind or "individual", item.kind, item.round,
               item.topic, item.title, item.text_md, item.in_reply_to or "",
               item.created_at.isoformat(timespec="seconds") + "Z", item.state,
               "yes" if item.hidden else "", item.offline_source or "", item.disposition or "",
               item.response_md or "", "; ".join(item.response_sections))


def to_csv(document: ParticipationDocument) -> bytes:
    """UTF-8 with a byte-order mark, so that Excel on Dutch Windows reads the accents."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in csv_rows(document):
        writer.writerow(_neutral(cell) for cell in row)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _neutral(cell):
    """Text that a spreadsheet would run as a formula (=, +, -, @) starts with a quote."""
    if isinstance(cell, str) and cell[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + cell
    return cell


class Format(NamedTuple):
    render: Callable[[ParticipationDocument], bytes]
    mimetype: str
    extension: str


def _docx(document):
    from .docx_format import to_docx
    return to_docx(document)


def _pdf(document):
    from .html_format import to_pdf
    return to_pdf(document)


def _html(document):
    from .html_format import to_html
    return to_html(document)


def _xlsx(document):
    from .xlsx_format import to_xlsx
    return to_xlsx(document)


# The order is the order of the choices on the export page and in the command.
FORMATS = {
    "docx": Format(_docx, "application/vnd.openxmlformats-officedocument."
                   "wordprocessingml.document", "docx"),
    "pdf": Format(_pdf, "application/pdf", "pdf"),
    "html": Format(_html, "text/html; charset=utf-8", "html"),
    "xlsx": Format(_xlsx, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                   "xlsx"),
    "csv": Format(to_csv, "text/csv; charset=utf-8", "csv"),
    "json": Format(to_json, "application/json", "json"),
}
