"""Drafts uploaded as Markdown or Word (.docx): headings become numbered sections."""
from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass

import docx
from docx.document import Document
from docx.oxml.ns import qn
from docx.table import Table
from docx.text.hyperlink import Hyperlink
from docx.text.paragraph import Paragraph
from markdown_it import MarkdownIt

MAX_SECTIONS = 200
MAX_HEADING_LENGTH = 300
#: A .docx is a zip: what its parts add up to once unpacked, as its directory declares (Python's
#: zipfile never unpacks a part beyond its declared size). Word files of policy documents
#: unpack to a few MB; images are stored packed already.
MAX_DOCX_UNPACKED = 50 * 1024 * 1024
#: Word's XML packs about 3 to 35 times smaller; only a bomb packs a large part 100 times.
MAX_PACKING_RATIO = 100
_RATIO_FROM = 1024 * 1024

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_EMPHASIS = re.compile(r"[*_`]")
# At most three digits per part, so a heading that starts with a year ("2030 goals") keeps it.
_MANUAL_NUMBER = re.compile(r"^\d{1,3}(?:\.\d{1,3})*[.)]?\s+")
_DOCX_HEADING = re.compile(r"^(?:heading|kop)\s*(\d)$", re.IGNORECASE)
#: Block structure only: a heading's text is cleaned as plain text, so inline parsing is
#: skipped. Raw HTML is text here, as it is when the sections are shown (core/sanitize.py).
_BLOCKS = MarkdownIt("commonmark", {"html": False}).disable("inline")


@dataclass(frozen=True)
class ParsedSection:
    number: str
    level: int
    heading: str
    body_md: str


@dataclass(frozen=True)
class ParsedDraft:
    preamble_md: str
    sections: list[ParsedSection]


class DraftFormatError(ValueError):
    """The file cannot be read as a draft; .message is a short English reason (the caller
    translates by kind)."""

    def __init__(self, kind: str, message: str):
        super().__init__(message)
        self.kind = kind
        self.message = message


def _clean_text(text: str) -> str:
    return _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


def _clean_heading(text: str) -> str:
    text = " ".join(_EMPHASIS.sub("", text).split())
    return _MANUAL_NUMBER.sub("", text)[:MAX_HEADING_LENGTH].rstrip()


def _strip_block(text: str) -> str:
    # Only blank lines go from the start: the first line's indentation can be Markdown (code).
    lines = text.rstrip().split("\n")
    while lines and not lines[0].strip():
        lines.pop(0)
    return "\n".join(lines)


def _build(preamble: str, raw: list[tuple[int, str, str]]) -> ParsedDraft:
    """Number (level, heading text, body) triples; shared by both formats."""
    preamble = _strip_block(_clean_text(preamble))
    kept: list[tuple[int, str, str]] = []
    for level, heading, body in raw:
        heading, body = _clean_heading(_clean_text(heading)), _strip_block(_clean_text(body))
        if heading:
            kept.append((min(max(level, 1), 3), heading, body))
        elif body and kept:
            lvl, previous, previous_body = kept[-1]
            kept[-1] = (lvl, previous, "\n\n".join(filter(None, [previous_body, body])))
        elif body:
            preamble = "\n\n".join(filter(None, [preamble, body]))
    if not kept:
        raise DraftFormatError("no_headings", "The draft has no headings to split it into sections.")
    if len(kept) > MAX_SECTIONS:
        raise DraftFormatError("too_many_sections",
                               f"The draft has {len(kept)} sections; at most {MAX_SECTIONS} are allowed.")
    counters = [0, 0, 0]
    sections = []
    for level, heading, body in kept:
        counters[level - 1] += 1
        counters[level:] = [0] * (3 - level)
        # A heading without a parent (## before any #) counts as under parent 1, never 0.
        counters[: level - 1] = [c or 1 for c in counters[: level - 1]]
        number = ".".join(str(c) for c in counters[:level])
        sections.append(ParsedSection(number=number, level=level, heading=heading, body_md=body))
    return ParsedDraft(preamble_md=preamble, sections=sections)


def parse_markdown(text: str) -> ParsedDraft:
    """Split at the headings CommonMark sees: `#` lines and underlined (setext) ones, not a `#`
    line in a code block; only headings at the top, not inside a list or a quote, which would
    cut the list or quote in two. Each heading token carries its source lines (`.map`), so the
    bodies are the lines between them, kept as typed."""
    text = _clean_text(text)
    if not text.strip():
        raise DraftFormatError("empty", "The draft is empty.")
    lines = text.split("\n")  # as markdown-it counts lines: only \n ends one (\r is gone)
    tokens = _BLOCKS.parse(text)
    headings = [(int(opening.tag[1]), tokens[i + 1].content, *opening.map)
                for i, opening in enumerate(tokens)
                if opening.type == "heading_open" and opening.level == 0 and opening.map]
    starts = [start for _level, _heading, start, _end in headings] + [len(lines)]
    raw = [(level, heading, "\n".join(lines[end:starts[index + 1]]))
           for index, (level, heading, _start, end) in enumerate(headings)]
    return _build("\n".join(lines[:starts[0]]), raw)


def _wrap(text: str, marker: str) -> str:
    # Markers go inside the surrounding spaces: "** bold **" is not emphasis in Markdown.
    core = text.strip()
    start = text.index(core)
    return f"{text[:start]}{marker}{core}{marker}{text[start + len(core):]}"


def _paragraph_markdown(paragraph: Paragraph) -> str:
    runs = []
    for item in paragraph.iter_inner_content():
        runs.extend(item.runs if isinstance(item, Hyperlink) else [item])
    parts = []
    for run in runs:
        text = run.text
        if not text:
            continue
        if text.strip():
            if run.bold:
                text = _wrap(text, "**")
            if run.italic:
                text = _wrap(text, "*")
        parts.append(text)
    return "".join(parts).strip()


def _docx_blocks(document: Document) -> Iterator[tuple[str, int, str]]:
    """(kind, level, text) in document order; kind is heading, title, list, paragraph or row."""
    for child in document.element.body.iterchildren():
        if child.tag == qn("w:tbl"):
            for row in Table(child, document).rows:
                cells, seen = [], set()
                for cell in row.cells:
                    if id(cell._tc) not in seen:  # a merged cell is listed once per grid column
                        seen.add(id(cell._tc))
                        cells.append(" ".join(cell.text.split()))
                if any(cells):
                    yield "row", 0, " | ".join(cells)
            continue
        if child.tag != qn("w:p"):
            continue  # content controls (often a table of contents), section properties
        paragraph = Paragraph(child, document)
        style = paragraph.style.name if paragraph.style is not None else ""
        heading = _DOCX_HEADING.match(style)
        if heading:
            yield "heading", int(heading.group(1)), paragraph.text
        elif style.lower() in {"title", "titel"}:
            yield "title", 0, " ".join(paragraph.text.split())
        elif style.lower().startswith("toc"):
            continue
        elif style.startswith("List Number"):
            yield "list", 0, "1. " + _paragraph_markdown(paragraph)
        elif style.startswith("List Bullet") or (child.pPr is not None and child.pPr.numPr is not None):
            yield "list", 0, "- " + _paragraph_markdown(paragraph)
        else:
            yield "paragraph", 0, _paragraph_markdown(paragraph)


def _check_unpacked_size(data: bytes) -> None:
    """Refuse a zip bomb from its directory alone, before anything is unpacked."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError) as exc:
        raise DraftFormatError("not_docx", "The file is not a readable Word (.docx) document.") from exc
    unpacked = sum(part.file_size for part in parts)
    if unpacked > MAX_DOCX_UNPACKED:
        raise DraftFormatError("too_large_unpacked",
                               f"The document unpacks to {unpacked} bytes; at most {MAX_DOCX_UNPACKED}.")
    for part in parts:
        ratio = part.file_size / max(part.compress_size, 1)
        if part.file_size > _RATIO_FROM and ratio > MAX_PACKING_RATIO:
            raise DraftFormatError("too_large_unpacked",
                                   f"{part.filename} unpacks {ratio:.0f} times larger.")


def parse_docx(data: bytes) -> ParsedDraft:
    if not data:
        raise DraftFormatError("empty", "The file is empty.")
    _check_unpacked_size(data)
    try:
        document = docx.Document(io.BytesIO(data))
        blocks = list(_docx_blocks(document))
    # python-docx raises many kinds (BadZipFile, KeyError, ValueError, lxml errors) for bad files.
    except Exception as exc:
        raise DraftFormatError("not_docx", "The file is not a readable Word (.docx) document.") from exc

    preamble: list[str] = []
    raw: list[tuple[int, str, list[str]]] = []
    current = preamble
    in_list = False
    for kind, level, text in blocks:
        if kind == "heading":
            if text.strip():
                raw.append((level, text, []))
                current, in_list = raw[-1][2], False
            continue
        if kind == "title":
            if text:
                preamble.append(f"**{text}**")
                in_list = False
            continue
        if kind == "list":
            if text in {"- ", "1. "}:
                continue
            if in_list:
                current[-1] += "\n" + text
            else:
                current.append(text)
            in_list = True
        elif text:
            current.append(text)
            in_list = False
    if not preamble and not raw:
        raise DraftFormatError("empty", "The document has no text.")
    return _build("\n\n".join(preamble), [(lvl, heading, "\n\n".join(body)) for lvl, heading, body in raw])
