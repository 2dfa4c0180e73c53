"""The open formats of the participation document: JSON (the whole structure) and CSV (one
row per contribution or comment)."""
from __future__ import annotations

import csv
import dataclasses
import io
import json
import re
from collections.abc import Callable
from datetime import datetime
from typing import NamedTuple

from .builder import ParticipationDocument

CSV_COLUMNS = ("stakeholder", "organisation_kind", "kind", "round", "theme_or_section", "title",
               "text", "in_reply_to", "given_at", "state", "hidden", "received_offline",
               "disposition", "response", "taken_up_in", "response_draft", "team_replies",
               "reason", "unverified_organisation", "checked_on", "reaction_received")


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
               item.response_md or "", "; ".join(item.response_sections),
               "yes" if item.response_draft else "",
               "\n\n".join(r.text_md for r in item.team_replies),
               item.hidden_reason or item.rejection_reason or "",
               item.unverified_organisation or "", *_checked(stakeholder))
    yield from _member_check_rows(document)


def _checked(stakeholder) -> tuple[str, str]:
    """The member check's mark of the stakeholder (export.member_check), on each of its rows."""
    if stakeholder.checked_on is None:
        return "", ""
    return (stakeholder.checked_on.isoformat(timespec="seconds") + "Z",
            "yes" if stakeholder.reaction_received else "")


def _member_check_rows(document: ParticipationDocument):
    """The reactions on the document, after the items: kind "document_reaction", what it is
    about in theme_or_section, the reaction as text and the team's answer as response."""
    if document.member_check is None:
        return
    for r in document.member_check.reactions:
        row = dict.fromkeys(CSV_COLUMNS, "")
        row.update(stakeholder=r.stakeholder, kind="document_reaction",
                   theme_or_section=r.about or "", text=r.text_md,
                   given_at=r.given_at.isoformat(timespec="seconds") + "Z",
                   response=r.answer_md)
        yield tuple(row[column] for column in CSV_COLUMNS)


def to_csv(document: ParticipationDocument) -> bytes:
    """UTF-8 with a byte-order mark, so that Excel on Dutch Windows reads the accents.

    Excel on Dutch Windows splits on ";", its list separator, not on the file's ",": an
    unquoted title ";=1+1;" became three cells there, the middle one a formula. Quoting every
    cell (RFC 4180) is not enough on its own: a reader that splits on another separator than
    the writer's loses track of the quotes at the first cell (`"a","b"` is one cell for it) and
    then starts a new cell at every ";" or line break inside a text. So besides the quoting,
    nothing that could start a cell may start a formula (_neutral).
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, quoting=csv.QUOTE_ALL)
    for row in csv_rows(document):
        writer.writerow(_neutral(cell) for cell in row)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


#: First characters that make a spreadsheet run a cell as a formula (OWASP ASVS 1.2.10), with
#: the tab, CR and NUL that some skip before one.
_FORMULA_STARTS = "=+-@\t\r\0"
#: Where a reader may start a new cell: the separators a reader may use ("," as written, ";"
#: for Excel in Dutch, tab, "|") and line breaks.
_CELL_BREAKS = ",;\t|\r\n"
#: A Markdown list item on a later line ("- " or "+ " after a line break): written as "* ",
#: which means the same, rather than with an apostrophe.
_BULLET = re.compile(r"([\r\n])[-+] ")
#: A cell break followed (past any quotes) by a formula start: an apostrophe goes between.
_FORMULA_AFTER_BREAK = re.compile(r'([,;\t|\r\n])(?="*[=+\-@])')


def _neutral(cell):
    """Text in which no spreadsheet finds a formula, however it splits the line: a formula start
    at the beginning, or after a separator or line break, gets an apostrophe before it ("€ 10,-"
    reads "€ 10,'-" in the CSV; the other formats keep the text as it is)."""
    if not isinstance(cell, str):
        return cell
    cell = _FORMULA_AFTER_BREAK.sub(r"\1'", _BULLET.sub(r"\1* ", cell))
    # cell[:1] of an empty cell is "", which `in` finds in any string: an empty cell stays empty.
    if cell and (cell[0] in _FORMULA_STARTS or cell[0] in _CELL_BREAKS):
        return "'" + cell
    return cell


class Format(NamedTuple):
    render: Callable[[ParticipationDocument], bytes]
    mimetype: str
    extension: str


# Each writer is imported when its format is asked for, not with every page: openpyxl and the
# PDF's Typst stay out of web processes that never export.
def _docx(document):
    from .docx_format import to_docx
    return to_docx(document)


def _pdf(document, progress=None):
    from .pdf_format import to_pdf
    return to_pdf(document, progress=progress)


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


def render(fmt: str, document: ParticipationDocument, *, progress=None) -> bytes:
    """The document in `fmt`; the PDF, the one that takes a while, tells `progress(stage,
    percent)` how far it is."""
    if fmt == "pdf":
        return _pdf(document, progress=progress)
    return FORMATS[fmt].render(document)
