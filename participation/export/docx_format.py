"""The participation document as a Word file (DOCX), in the structure and words of the HTML/PDF.

python-docx supplies the package (styles, numbering, settings, header and footer). The body is
written as WordprocessingML text straight into the zip entry of document.xml: python-docx's
high-level API (a style lookup per paragraph, `table.cell()`, `add_row`) and even an lxml tree
of the whole body are too slow and too big for a process with 15,000 items, while text written
as it is made keeps the memory flat.

User text arrives as HTML cleaned with the bleach allow-list (see `sanitize.markdown_to_html`)
and becomes real Word structure: paragraphs, numbered and bulleted lists, hyperlinks, emphasis.
"""
from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import IO
from urllib.parse import quote

import docx
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import parse_xml
from docx.oxml.ns import qn
from docx.shared import Mm
from flask_babel import get_locale
from lxml import etree

from . import labels as words_module
from .builder import Item, ParticipationDocument, Stakeholder

# --- house style ------------------------------------------------------------------------------

BLUE = "004B87"
GREY = "505A5F"
RED = "B10E1E"
LINK = "1D4F91"
BORDER = "6F777B"
HEAD_FILL = "E8EEF5"
RESPONSE_FILL = "F3F2F1"
FONT = "Arial"  # Liberation Sans has the same metrics, so LibreOffice lays out as Word does
MONO = "Courier New"

PAGE_WIDTH, PAGE_HEIGHT = Mm(210), Mm(297)
SIDE_MARGIN = Mm(18)
TEXT_WIDTH = 9866  # twips: A4 minus two 18 mm margins
LIST_INDENT = 360  # twips per list level
MAX_LEVEL = 8  # Word's lists have levels 0-8
QUOTE_INDENT = 567
RESPONSE_INDENT = 170

_NS = ('xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
       'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"')


# --- text -------------------------------------------------------------------------------------

# Characters XML 1.0 cannot hold (control characters, lone surrogates, U+FFFE/F): dropped, so
# that one odd character pasted into a contribution never breaks the whole export.
_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_RTL_CHARS = "\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc\U00010800-\U00010fff\U0001e800-\U0001efff"
_RTL = re.compile(f"[{_RTL_CHARS}]")
# A stretch of right-to-left words with the spaces, digits and punctuation between them.
_RTL_SPAN = re.compile(rf"[{_RTL_CHARS}]+(?:[\W\d_]*[{_RTL_CHARS}]+)*")
_LETTER = re.compile(r"[^\W\d_]")


def _clean(text: str) -> str:
    return _INVALID_XML.sub("", text)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def starts_right_to_left(text: str) -> bool:
    """Whether the first letter is Arabic, Hebrew or another right-to-left script."""
    match = _LETTER.search(text)
    return bool(match and _RTL.match(match.group()))


@lru_cache(maxsize=None)
def _rpr(style: str | None = None, bold: bool = False, italic: bool = False,
         color: str | None = None, size: int | None = None, rtl: bool = False) -> str:
    """Run properties, in the element order the schema (and Word) insists on. Right-to-left runs
    take bold and italic from bCs/iCs, so both are set for them."""
    parts = []
    if style:
        parts.append(f'<w:rStyle w:val="{style}"/>')
    if bold:
        parts.append("<w:b/><w:bCs/>" if rtl else "<w:b/>")
    if italic:
        parts.append("<w:i/><w:iCs/>" if rtl else "<w:i/>")
    if color:
        parts.append(f'<w:color w:val="{color}"/>')
    if size:
        parts.append(f'<w:sz w:val="{size}"/><w:szCs w:val="{size}"/>')
    if rtl:
        parts.append("<w:rtl/>")
    return f"<w:rPr>{''.join(parts)}</w:rPr>" if parts else ""


def _run(text: str, rpr: str = "", preserve: bool = False) -> str:
    if preserve or text[:1].isspace() or text[-1:].isspace():
        return f'<w:r>{rpr}<w:t xml:space="preserve">{_escape(text)}</w:t></w:r>'
    return f"<w:r>{rpr}<w:t>{_escape(text)}</w:t></w:r>"


def runs(text: str | None, style: str | None = None, bold: bool = False, italic: bool = False,
         color: str | None = None, size: int | None = None, preserve: bool = False) -> str:
    """`text` as runs; stretches of right-to-left script get runs of their own, marked w:rtl,
    so Word orders and shapes them as Arabic or Hebrew while Latin text around them is not.
    `preserve`: keep every space (preformatted text)."""
    text = _clean(text or "")
    if not text:
        return ""
    if not _RTL.search(text):
        return _run(text, _rpr(style, bold, italic, color, size), preserve)
    out, position = [], 0
    for match in _RTL_SPAN.finditer(text):
        if match.start() > position:
            out.append(_run(text[position:match.start()],
                            _rpr(style, bold, italic, color, size), preserve))
        out.append(_run(match.group(), _rpr(style, bold, italic, color, size, rtl=True),
                        preserve))
        position = match.end()
    if position < len(text):
        out.append(_run(text[position:], _rpr(style, bold, italic, color, size), preserve))
    return "".join(out)


_BREAK = "<w:r><w:br/></w:r>"


def _field(instruction: str, shown: str) -> str:
    """A complex field (PAGE, NUMPAGES, TOC) with `shown` as its text until it is updated."""
    return ('<w:r><w:fldChar w:fldCharType="begin" w:dirty="true"/></w:r>'
            f'<w:r><w:instrText xml:space="preserve"> {instruction} </w:instrText></w:r>'
            '<w:r><w:fldChar w:fldCharType="separate"/></w:r>'
            f"{shown}"
            '<w:r><w:fldChar w:fldCharType="end"/></w:r>')


def _bookmark(number: int) -> str:
    # A leading underscore keeps it out of Word's list of bookmarks (like its own _Toc ones).
    return f"_Stakeholder{number}"


def _internal_link(content: str, bookmark: str | None) -> str:
    if not bookmark or not content:
        return content
    return f'<w:hyperlink w:anchor="{bookmark}" w:history="1">{content}</w:hyperlink>'


# --- paragraphs and tables --------------------------------------------------------------------

def ppr(style: str | None = None, *, keep_next: bool = False, page_break: bool = False,
        numbering: tuple[int, int] | None = None, border: str = "", bidi: bool = False,
        spacing: str = "", indent: tuple[int, int] | None = None, align: str = "") -> str:
    """Paragraph properties, in schema order (pStyle, keepNext, pageBreakBefore, numPr, pBdr,
    bidi, spacing, ind, jc): Word refuses a document whose properties are out of order."""
    parts = []
    if style:
        parts.append(f'<w:pStyle w:val="{style}"/>')
    if keep_next:
        parts.append("<w:keepNext/>")
    if page_break:
        parts.append("<w:pageBreakBefore/>")
    if numbering:
        num_id, level = numbering
        parts.append(f'<w:numPr><w:ilvl w:val="{level}"/><w:numId w:val="{num_id}"/></w:numPr>')
    if border:
        parts.append(f"<w:pBdr>{border}</w:pBdr>")
    if bidi:
        parts.append("<w:bidi/>")
    if spacing:
        parts.append(spacing)
    if indent:
        left, hanging = indent
        hang = f' w:hanging="{hanging}"' if hanging else ""
        parts.append(f'<w:ind w:left="{left}"{hang}/>')
    if align:
        parts.append(f'<w:jc w:val="{align}"/>')
    return f"<w:pPr>{''.join(parts)}</w:pPr>" if parts else ""


def paragraph(content: str, properties: str = "") -> str:
    return f"<w:p>{properties}{content}</w:p>"


class Cell(str):
    """Table cell content: runs (XML), as opposed to plain text to be escaped."""


def table(widths: Sequence[float], header: Sequence[str], rows: Iterable[Sequence[str | int]],
          *, numeric: frozenset[int] = frozenset(), bold_last: bool = False) -> str:
    """A grid table of fixed column widths (percent of the text width) whose header row repeats
    on every page. Built as text: one string per row instead of python-docx's cell objects."""
    twips = [int(TEXT_WIDTH * w / 100) for w in widths]
    grid = "".join(f'<w:gridCol w:w="{w}"/>' for w in twips)
    borders = "".join(f'<w:{side} w:val="single" w:sz="4" w:space="0" w:color="{BORDER}"/>'
                      for side in ("top", "left", "bottom", "right", "insideH", "insideV"))
    out = ['<w:tbl><w:tblPr><w:tblStyle w:val="TableGrid"/><w:tblW w:w="5000" w:type="pct"/>'
           f"<w:tblBorders>{borders}</w:tblBorders><w:tblLayout w:type=\"fixed\"/>"
           '<w:tblCellMar><w:top w:w="28" w:type="dxa"/><w:left w:w="85" w:type="dxa"/>'
           '<w:bottom w:w="28" w:type="dxa"/><w:right w:w="85" w:type="dxa"/></w:tblCellMar>'
           '<w:tblLook w:val="0420" w:firstRow="1" w:lastRow="0" w:firstColumn="0" '
           'w:lastColumn="0" w:noHBand="1" w:noVBand="1"/></w:tblPr>'
           f"<w:tblGrid>{grid}</w:tblGrid>"]
    out.append(_row(twips, [Cell(runs(h, bold=True)) for h in header], numeric, header=True))
    rows = list(rows)
    for n, row in enumerate(rows):
        last = bold_last and n == len(rows) - 1
        out.append(_row(twips, [c if isinstance(c, Cell) else Cell(runs(str(c), bold=last))
                                for c in row], numeric))
    out.append("</w:tbl>")
    return "".join(out)


def _row(twips: Sequence[int], cells: Sequence[str], numeric: frozenset[int], *,
         header: bool = False) -> str:
    row_pr = "<w:trPr><w:cantSplit/><w:tblHeader/></w:trPr>" if header else \
        "<w:trPr><w:cantSplit/></w:trPr>"
    fill = f'<w:shd w:val="clear" w:color="auto" w:fill="{HEAD_FILL}"/>' if header else ""
    out = [f"<w:tr>{row_pr}"]
    for n, (width, content) in enumerate(zip(twips, cells, strict=True)):
        properties = ppr("TableText", align="right" if n in numeric else "")
        out.append(f'<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/>{fill}</w:tcPr>'
                   f"{paragraph(content, properties)}</w:tc>")
    out.append("</w:tr>")
    return "".join(out)


# --- numbering and links ----------------------------------------------------------------------

class Numbering:
    """Two list definitions (bullets, numbers) added to numbering.xml, and a numbering instance
    per numbered list, so that every numbered list starts at 1 in Word as in LibreOffice."""

    def __init__(self, numbering) -> None:
        self._element = numbering
        abstract_ids = [int(e.get(qn("w:abstractNumId")))
                        for e in numbering.iterchildren(qn("w:abstractNum"))]
        num_ids = [int(e.get(qn("w:numId"))) for e in numbering.iterchildren(qn("w:num"))]
        self._bullet_abstract = max(abstract_ids, default=-1) + 1
        self._number_abstract = self._bullet_abstract + 1
        self._next_id = max(num_ids, default=0) + 1
        definitions = parse_xml(f"<w:numbering {_NS}>"
                                f"{_abstract(self._bullet_abstract, bullets=True)}"
                                f"{_abstract(self._number_abstract, bullets=False)}"
                                "</w:numbering>")
        # Schema order: every abstractNum before the first num.
        anchor = next(numbering.iterchildren(qn("w:num")), None)
        for definition in list(definitions):
            if anchor is None:
                numbering.append(definition)
            else:
                anchor.addprevious(definition)
        self.bullets = self._add(self._bullet_abstract, "")

    def _add(self, abstract_id: int, override: str) -> int:
        num_id = self._next_id
        self._next_id += 1
        self._element.append(parse_xml(
            f'<w:num {_NS} w:numId="{num_id}"><w:abstractNumId w:val="{abstract_id}"/>'
            f"{override}</w:num>"))
        return num_id

    def numbered(self, level: int) -> int:
        """A new numbered list at `level`, restarting at 1."""
        return self._add(self._number_abstract, f'<w:lvlOverride w:ilvl="{level}">'
                                                '<w:startOverride w:val="1"/></w:lvlOverride>')


_BULLETS = ("\u2022", "\u25e6", "\u25aa")


def _abstract(abstract_id: int, *, bullets: bool) -> str:
    levels = []
    for level in range(MAX_LEVEL + 1):
        if bullets:
            fmt, text = "bullet", _BULLETS[level % 3]
        else:
            fmt, text = "decimal", f"%{level + 1}."
        levels.append(
            f'<w:lvl w:ilvl="{level}"><w:start w:val="1"/><w:numFmt w:val="{fmt}"/>'
            f'<w:lvlText w:val="{text}"/><w:lvlJc w:val="left"/><w:pPr>'
            f'<w:ind w:left="{LIST_INDENT * (level + 1)}" w:hanging="{LIST_INDENT}"/></w:pPr>'
            f'<w:rPr><w:rFonts w:ascii="{FONT}" w:hAnsi="{FONT}"/></w:rPr></w:lvl>')
    # nsid: the list's own identity, which Word keeps when text is copied between documents.
    return (f'<w:abstractNum w:abstractNumId="{abstract_id}">'
            f'<w:nsid w:val="{0x5A3D0000 + abstract_id:08X}"/>'
            f'<w:multiLevelType w:val="hybridMultilevel"/>{"".join(levels)}</w:abstractNum>')


class Links:
    """External hyperlink relationships, one per distinct URL. Own ids, because python-docx's
    `relate_to` scans every relationship for each new link (quadratic for thousands)."""

    def __init__(self, part) -> None:
        self._part = part
        self._ids: dict[str, str] = {}

    def rid(self, url: str) -> str | None:
        # Word rejects a file whose link targets are not valid URIs: encode spaces and the like.
        target = quote(_clean(url.strip()), safe=":/?#[]@!$&'()*+,;=%~")
        if not target:
            return None
        if target not in self._ids:
            rid = f"rIdLink{len(self._ids) + 1}"
            self._part.rels.add_relationship(RT.HYPERLINK, target, rid, is_external=True)
            self._ids[target] = rid
        return self._ids[target]


# --- user HTML to Word ------------------------------------------------------------------------

# List paragraphs get a style of their own with contextual spacing: no space between the items
# of a list, the usual space after its last item.
_LIST_STYLES = {None: "ListParagraph", "Response": "ResponseList"}
_BLOCKS = frozenset({"p", "ul", "ol", "li", "blockquote", "pre", "h3", "h4", "hr", "div"})
# HTML's collapsible white space; not \s, which would also swallow no-break spaces.
_HTML_SPACE = re.compile("[ \t\n\r\f]+")


class HtmlToWord:
    """Cleaned HTML (the bleach allow-list) as Word paragraphs: lists become numbered
    paragraphs (w:numPr), links w:hyperlink, em/strong italic/bold runs, code a monospace font,
    blockquote an indent, br a line break.

    A target for lxml's HTML parser, which reads the markup in C and calls `start`, `data` and
    `end` here: Python's html.parser took most of the export's time for 15,000 items."""

    def __init__(self, numbering: Numbering, links: Links) -> None:
        self.numbering, self.links = numbering, links
        self._parser = etree.HTMLParser(target=self, remove_comments=True, no_network=True)
        self._reset([], None, 0)

    def _reset(self, out: list[str], style: str | None, indent: int) -> None:
        self.out, self.style, self.indent = out, style, indent
        self.runs: list[str] = []
        self.text: list[str] = []  #: text not yet made into a run (same formatting)
        self.bold = self.italic = self.code = self.pre = self.quote = 0
        self.heading = False
        self.lists: list[int] = []  #: numbering instance per open list
        self.numbered: list[bool] = []  #: whether the open item's numbered paragraph is out
        self.link: tuple[int, str] | None = None  #: (first run inside the link, relationship)
        self.rtl: bool | None = None  #: decided by the first letter of the paragraph
        self.line_start = True

    def convert(self, html: str, out: list[str], style: str | None, indent: int = 0) -> None:
        """Append the paragraphs for `html` to `out`, in paragraph style `style` whose left
        indent is `indent` (lists and quotes indent further)."""
        self._reset(out, style, indent)
        self._parser.feed(html)
        self._parser.close()

    # parser target

    def start(self, tag: str, attrib) -> None:
        self._text_to_runs(block_ends=tag in _BLOCKS or tag == "br")
        if tag in _BLOCKS:
            self._flush()
        if tag in ("ul", "ol"):
            self.lists.append(self.numbering.bullets if tag == "ul"
                              else self.numbering.numbered(min(len(self.lists), MAX_LEVEL)))
            self.numbered.append(True)
        elif tag == "li" and self.numbered:
            self.numbered[-1] = False
        elif tag == "blockquote":
            self.quote += 1
        elif tag == "pre":
            self.pre += 1
        elif tag in ("h3", "h4"):
            self.heading = True
            self.bold += 1
        elif tag == "hr":
            rule = f'<w:bottom w:val="single" w:sz="4" w:space="1" w:color="{BORDER}"/>'
            self.out.append(paragraph("", ppr(self.style, border=rule)))
        elif tag == "br":
            self.runs.append(_BREAK)
            self.line_start = True
        elif tag in ("strong", "b"):
            self.bold += 1
        elif tag in ("em", "i"):
            self.italic += 1
        elif tag == "code":
            self.code += 1
        elif tag == "a":
            href = attrib.get("href") or ""
            rid = self.links.rid(href) if href and not href.startswith("#") else None
            if rid and self.link is None:
                self.link = (len(self.runs), rid)

    def end(self, tag: str) -> None:
        self._text_to_runs(block_ends=tag in _BLOCKS)
        if tag in _BLOCKS:
            self._flush()
        if tag in ("ul", "ol") and self.lists:
            self.lists.pop()
            self.numbered.pop()
        elif tag == "blockquote":
            self.quote = max(0, self.quote - 1)
        elif tag == "pre":
            self.pre = max(0, self.pre - 1)
        elif tag in ("h3", "h4"):
            self.heading = False
            self.bold = max(0, self.bold - 1)
        elif tag in ("strong", "b"):
            self.bold = max(0, self.bold - 1)
        elif tag in ("em", "i"):
            self.italic = max(0, self.italic - 1)
        elif tag == "code":
            self.code = max(0, self.code - 1)
        elif tag == "a":
            self._close_link()

    def data(self, data: str) -> None:
        if self.pre:
            self.text.append(data)
            return
        # HTML white space: a run of spaces and newlines is one space, none at a line start.
        data = _HTML_SPACE.sub(" ", data)
        if self.line_start and not self.text:
            data = data.lstrip(" ")
        if data:
            self.text.append(data)

    def close(self) -> None:
        self._text_to_runs(block_ends=True)
        self._flush()

    # paragraphs

    def _text_to_runs(self, block_ends: bool = False) -> None:
        """The text gathered since the last tag, as runs in the formatting now in force; at the
        end of a line, without the space HTML would not show either."""
        if not self.text:
            return
        text = "".join(self.text)
        self.text = []
        if block_ends and not self.pre:
            text = text.rstrip(" ")
            if not text:
                return
        if self.rtl is None and _LETTER.search(text):
            self.rtl = starts_right_to_left(text)
        if self.pre:
            self._preformatted(text)
            return
        self.line_start = False
        style = "Hyperlink" if self.link else "HTMLCode" if self.code else None
        self.runs.append(runs(text, style, bool(self.bold), bool(self.italic)))

    def _preformatted(self, text: str) -> None:
        for n, line in enumerate(text.split("\n")):
            if n:
                self.runs.append(_BREAK)
            if line:
                self.runs.append(runs(line, "HTMLCode", bool(self.bold), bool(self.italic),
                                      preserve=True))

    def _close_link(self) -> None:
        if self.link is None:
            return
        start, rid = self.link
        self.link = None
        inside = "".join(self.runs[start:])
        del self.runs[start:]
        if inside:
            self.runs.append(f'<w:hyperlink r:id="{rid}" w:history="1">{inside}</w:hyperlink>')

    def _flush(self) -> None:
        self._close_link()
        while self.runs and self.runs[-1] == _BREAK:  # "<pre>…\n</pre>", a trailing <br>
            self.runs.pop()
        if self.runs:
            self.out.append(paragraph("".join(self.runs), self._properties()))
        self.runs = []
        self.rtl = None
        self.line_start = True

    def _properties(self) -> str:
        # Deeper nesting than Word's nine list levels (or a page width) stays at the deepest.
        left = self.indent + min(self.quote, MAX_LEVEL) * QUOTE_INDENT
        numbering, hanging, style = None, 0, self.style
        if self.lists:
            level = min(len(self.lists) - 1, MAX_LEVEL)
            left += LIST_INDENT * (level + 1)
            style = _LIST_STYLES.get(self.style, self.style)
            if not self.numbered[-1]:
                numbering, hanging = (self.lists[-1], level), LIST_INDENT
                self.numbered[-1] = True
        indent = (left, hanging) if left != self.indent else None
        return ppr(style, keep_next=self.heading, numbering=numbering, bidi=bool(self.rtl),
                   indent=indent)


# --- the document -----------------------------------------------------------------------------

class Writer:
    """Writes the body as WordprocessingML text, section by section, into `stream` (the
    document.xml entry of the package) as it goes: memory stays flat however long it gets."""

    def __init__(self, word, document: ParticipationDocument, words: dict,
                 stream: IO[bytes]) -> None:
        self.document, self.words, self.stream = document, words, stream
        self.out: list[str] = []
        self.numbering = Numbering(word.part.numbering_part.element)
        self.links = Links(word.part)
        self.converter = HtmlToWord(self.numbering, self.links)
        # Bookmarks on the stakeholder headings: the overview and the index link to them by
        # name (to the first, should two organisations share a name).
        self.bookmarks: dict[str, str] = {}
        for number, stakeholder in enumerate(document.contributors, 1):
            self.bookmarks.setdefault(stakeholder.name, _bookmark(number))

    def add(self, content: str, properties: str = "") -> None:
        self.out.append(paragraph(content, properties))

    def heading(self, level: int, text: str) -> None:
        self.add(runs(text), ppr(f"Heading{level}"))

    def html(self, fragment: str | None, style: str | None, indent: int = 0) -> None:
        if fragment:
            self.converter.convert(fragment, self.out, style, indent)

    def flush(self) -> None:
        self.stream.write("".join(self.out).encode("utf-8"))
        self.out.clear()

    def write(self) -> None:
        for part in (self.title_page, self.contents, self.process, self.overview,
                     self.by_stakeholder, self.index):
            part()
            self.flush()

    def kind(self, kind: str | None) -> str:
        return self.words["kinds"][kind or "individual"]

    # the parts, in order

    def title_page(self) -> None:
        doc, words = self.document, self.words
        self.add(runs(doc.municipality, bold=True, color=BLUE, size=28),
                 ppr(spacing='<w:spacing w:before="3400" w:after="240"/>'))
        self.add(runs(words["document"]), ppr("Title"))
        self.add(runs(doc.process_title), ppr("Subtitle"))
        self.add(runs(f"{words['generated']} {words_module.date(doc.generated_at)}"))
        if doc.draft_version:
            self.add(runs(words["draft_version"] % {"number": doc.draft_version}))
        self.add(runs(words["public"] if doc.public else words["internal"], bold=True,
                      color=None if doc.public else RED))

    def contents(self) -> None:
        words = self.words
        self.add(runs(words["contents"]), ppr("TOCHeading"))
        hint = runs(words["contents_hint"], italic=True, color=GREY)
        self.add(_field('TOC \\o "1-2" \\h \\z \\u', hint))

    def process(self) -> None:
        doc, words = self.document, self.words
        self.heading(1, f"1. {words['process']}")
        self.add(runs(words["process_intro"]))
        rows = [(words["rounds"][r.kind],
                 f"{words_module.date(r.opens_at)} – {words_module.date(r.closes_at)}",
                 words["audiences"].get(r.audience, r.audience), r.invited,
                 r.invitations_accepted, r.participants, r.items) for r in doc.rounds]
        self.out.append(table(
            # Numeric columns wide enough for "Uitnodigingen" in bold 8.5 pt, unbroken.
            (13, 15, 18, 13.5, 13.5, 13.5, 13.5),
            (words["round"], words["period"], words["audience"], words["invited"],
             words["accepted"], words["participants"], words["item_total"]),
            rows, numeric=frozenset({3, 4, 5, 6})))
        self.heading(2, words["participants_by_kind"])
        kinds = ("business", "education", "government", "civil_society", "other", "individual")
        rows = [(self.kind(k), *(r.participants_by_kind.get(k, 0) for r in doc.rounds))
                for k in kinds]
        rows.append((words["total"], *(r.participants for r in doc.rounds)))
        width = 20 if doc.rounds else 0
        self.out.append(table(
            (100 - width * len(doc.rounds), *(width for _ in doc.rounds)),
            (words["kind"], *(words["round_short"][r.kind] for r in doc.rounds)),
            rows, numeric=frozenset(range(1, len(doc.rounds) + 1)), bold_last=True))

    def overview(self) -> None:
        doc, words = self.document, self.words
        self.heading(1, f"2. {words['overview']}")
        self.add(runs(words["overview_intro"]))
        rows = [(Cell(_internal_link(runs(s.name), self.bookmarks.get(s.name))),
                 self.kind(s.kind), s.input_count, s.feedback_count,
                 words["yes"] if s.invited_to_read_along else words["no"],
                 words["yes"] if s.read_along else words["no"]) for s in doc.stakeholders]
        self.out.append(table(
            (33, 23, 10, 10, 13, 11),
            (words["stakeholder"], words["kind"], words["round_short"]["input"],
             words["round_short"]["feedback"], words["invited_to_read_along"],
             words["read_along"]),
            rows, numeric=frozenset({2, 3})))
        for title, column, topics in ((words["per_theme"], words["theme"], doc.themes),
                                      (words["per_section"], words["section"], doc.sections)):
            if not topics:
                continue
            self.heading(2, title)
            self.out.append(table(
                (60, 20, 20),
                (column, words["contributions"] if topics is doc.themes else words["reactions"],
                 words["stakeholders"]),
                [(t.name, t.items, len(t.stakeholders)) for t in topics],
                numeric=frozenset({1, 2})))

    def by_stakeholder(self) -> None:
        words = self.words
        self.heading(1, f"3. {words['by_stakeholder']}")
        contributors = self.document.contributors
        if not contributors:
            self.add(runs(words["no_items"]))
        for number, stakeholder in enumerate(contributors, 1):
            self.stakeholder(number, stakeholder)

    def stakeholder(self, number: int, stakeholder: Stakeholder) -> None:
        words = self.words
        bookmark = _bookmark(number)
        rule = f'<w:top w:val="single" w:sz="12" w:space="6" w:color="{BLUE}"/>'
        self.add(f'<w:bookmarkStart w:id="{number}" w:name="{bookmark}"/>'
                 f'{runs(stakeholder.name)}<w:bookmarkEnd w:id="{number}"/>',
                 ppr("Heading2", border=rule))
        meta = self.kind(stakeholder.kind)
        if stakeholder.read_along:
            meta += f" · {words['read_along']}"
        self.add(runs(meta), ppr("ItemDetails"))
        for item in stakeholder.items:
            self.item(item)

    def item(self, item: Item) -> None:
        words = self.words
        title = f"{words['round_short'][item.round]} · {item.topic}"
        if item.title:
            title += f": {item.title}"
        self.heading(3, title)
        meta = [runs(f"{words['given_at']} {words_module.datetime(item.created_at)}")]
        if item.offline_source:
            meta.append(runs(" · " + words["received_offline"] % {"source": item.offline_source}))
        if item.unverified_organisation:
            meta.append(runs(" · ") + runs(words["unverified_organisation"] % {
                "name": item.unverified_organisation}, bold=True, color=RED))
        if item.state != "published":
            meta.append(runs(" · ") + runs(words["states"].get(item.state, item.state),
                                           bold=True, color=RED))
        if item.hidden:
            meta.append(runs(" · ") + runs(words["hidden"], bold=True, color=RED))
        self.add("".join(meta), ppr("ItemDetails"))
        if item.in_reply_to:
            self.add(runs(f"{words['in_reply_to']}:", italic=True) + runs(" " + item.in_reply_to),
                     ppr("ReplyContext", bidi=starts_right_to_left(item.in_reply_to)))
        self.html(item.text_html, None)
        for label, reason in ((words["hidden_reason"], item.hidden_reason),
                              (words["rejection_reason"], item.rejection_reason)):
            if reason:
                self.add(runs(f"{label}:", italic=True) + runs(" " + reason),
                         ppr("ReplyContext", bidi=starts_right_to_left(reason)))
        self.response(item)
        self.team_replies(item)
        self.flush()

    def response(self, item: Item) -> None:
        words = self.words
        if not item.disposition:
            if not item.team_replies:
                self.add(runs(words["response"], bold=True) + runs(f": {words['no_response']}"),
                         ppr("Response"))
            return
        disposition = words["dispositions"].get(item.disposition, item.disposition)
        head = runs(words["response"], bold=True)
        if item.response_draft:
            head += runs(" (") + runs(words["draft_response"], bold=True, color=RED) + runs(")")
        self.add(head + runs(f" · {words['disposition']}: ")
                 + runs(disposition, bold=True), ppr("Response", keep_next=True))
        self.html(item.response_html, "Response", RESPONSE_INDENT)
        if item.response_sections:
            self.add(runs(f"{words['taken_up_in']}: {'; '.join(item.response_sections)}",
                          italic=True), ppr("Response"))

    def team_replies(self, item: Item) -> None:
        """The team's replies in the thread: the municipality answered, if not officially."""
        for reply in item.team_replies:
            self.add(runs(self.words["team_reply"], bold=True)
                     + runs(f" · {words_module.datetime(reply.created_at)}"),
                     ppr("Response", keep_next=True))
            self.html(reply.text_html, "Response", RESPONSE_INDENT)

    def index(self) -> None:
        doc, words = self.document, self.words
        self.heading(1, f"4. {words['index']}")
        for title, topics in ((words["index_by_theme"], doc.themes),
                              (words["index_by_section"], doc.sections)):
            if not topics:
                continue
            self.heading(2, title)
            for topic in topics:
                self.add(runs(topic.name, bold=True), ppr(keep_next=True, spacing=(
                    '<w:spacing w:before="120" w:after="0"/>')))
                names = runs(", ").join(_internal_link(runs(name), self.bookmarks.get(name))
                                        for name in topic.stakeholders)
                self.add(names, ppr(indent=(QUOTE_INDENT, 0)))


def to_docx(document: ParticipationDocument) -> bytes:
    """The document as DOCX bytes; call inside `force_locale(language)` for the words."""
    words = words_module.labels()
    word = docx.Document()
    language = "nl-NL" if str(get_locale()).startswith("nl") else "en-GB"
    _styles(word, language)
    _page(word, document, words)
    _settings(word)
    _properties(word, document, words)
    _without_thumbnail(word)
    body_part = word.part.partname.lstrip("/")
    before_body, after_body = _around_body(word)
    content_types = _saved_parts(word)["[Content_Types].xml"]

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as package:
        # [Content_Types].xml first, as Word writes it (file-type sniffers look for it there).
        package.writestr("[Content_Types].xml", content_types)
        entry = zipfile.ZipInfo(body_part, date_time=document.generated_at.timetuple()[:6])
        entry.compress_type = zipfile.ZIP_DEFLATED
        with package.open(entry, "w") as stream:
            stream.write(before_body)
            Writer(word, document, words, stream).write()
            stream.write(after_body)
        # The other parts afterwards: writing the body added link relationships and lists.
        for name, data in _saved_parts(word).items():
            if name not in (body_part, "[Content_Types].xml"):
                package.writestr(name, data)
    return out.getvalue()


def _around_body(word) -> tuple[bytes, bytes]:
    """document.xml as python-docx writes it, split where the body's content goes: before it
    the root with its namespace declarations, after it the section properties (page size,
    header and footer references)."""
    body = word.element.body
    for child in list(body):
        if child.tag != qn("w:sectPr"):
            body.remove(child)
    xml = word.part.blob
    split = xml.index(b"<w:body>") + len(b"<w:body>")
    return xml[:split], xml[split:]


def _saved_parts(word) -> dict[str, bytes]:
    """Every part of the package as python-docx saves it, by name, in its order."""
    buffer = io.BytesIO()
    word.save(buffer)
    with zipfile.ZipFile(buffer) as saved:
        return {name: saved.read(name) for name in saved.namelist()}


# --- package parts: styles, page, settings, properties ----------------------------------------

def _style(kind: str, style_id: str, name: str, properties: str = "", run: str = "", *,
           based_on: str | None = "Normal", next_style: str | None = None,
           extra: str = "", default: bool = False) -> str:
    based = f'<w:basedOn w:val="{based_on}"/>' if based_on else ""
    following = f'<w:next w:val="{next_style}"/>' if next_style else ""
    is_default = ' w:default="1"' if default else ""
    return (f'<w:style {_NS} w:type="{kind}"{is_default} w:styleId="{style_id}">'
            f'<w:name w:val="{name}"/>'
            f"{based}{following}{extra}<w:qFormat/>"
            f"{f'<w:pPr>{properties}</w:pPr>' if properties else ''}"
            f"{f'<w:rPr>{run}</w:rPr>' if run else ''}</w:style>")


def _heading(level: int, size: int, before: int, after: int, page_break: bool = False) -> str:
    # The built-in names ("heading 1") keep them Word's own headings: TOC, navigation pane.
    return _style("paragraph", f"Heading{level}", f"heading {level}",
                  "<w:keepNext/><w:keepLines/>" + ("<w:pageBreakBefore/>" if page_break else "")
                  + f'<w:spacing w:before="{before}" w:after="{after}"/>'
                  f'<w:outlineLvl w:val="{level - 1}"/>',
                  f'<w:b/><w:bCs/><w:color w:val="{BLUE}"/>'
                  f'<w:sz w:val="{size}"/><w:szCs w:val="{size}"/>',
                  next_style="Normal", extra='<w:uiPriority w:val="9"/>')


def _styles(word, language: str) -> None:
    """A sober house style: Arial 10 pt, headings in the municipality's dark blue. The styles
    used are defined here whole, so nothing of python-docx's template (Cambria, theme colours)
    leaks in."""
    fonts = f'<w:rFonts w:ascii="{FONT}" w:hAnsi="{FONT}" w:eastAsia="{FONT}" w:cs="{FONT}"/>'
    mono = f'<w:rFonts w:ascii="{MONO}" w:hAnsi="{MONO}" w:eastAsia="{MONO}" w:cs="{MONO}"/>'
    definitions = [
        _style("paragraph", "Normal", "Normal", "<w:widowControl/>", based_on=None,
               default=True),
        _heading(1, 32, 0, 200, page_break=True),
        _heading(2, 26, 320, 80),
        _heading(3, 21, 220, 40),
        _style("paragraph", "Title", "Title", '<w:spacing w:before="0" w:after="120"/>',
               f'<w:b/><w:bCs/><w:color w:val="{BLUE}"/><w:sz w:val="52"/><w:szCs w:val="52"/>',
               next_style="Subtitle"),
        _style("paragraph", "Subtitle", "Subtitle", '<w:spacing w:before="0" w:after="600"/>',
               '<w:color w:val="1B1B1B"/><w:sz w:val="32"/><w:szCs w:val="32"/>'),
        _style("paragraph", "TOCHeading", "TOC Heading",
               '<w:keepNext/><w:pageBreakBefore/><w:spacing w:before="0" w:after="200"/>',
               f'<w:b/><w:bCs/><w:color w:val="{BLUE}"/><w:sz w:val="32"/><w:szCs w:val="32"/>'),
        _style("paragraph", "Header", "header",
               '<w:tabs><w:tab w:val="right" w:pos="9866"/></w:tabs>'
               '<w:spacing w:after="0" w:line="240" w:lineRule="auto"/>',
               f'<w:color w:val="{GREY}"/><w:sz w:val="16"/><w:szCs w:val="16"/>'),
        _style("paragraph", "Footer", "footer",
               '<w:spacing w:after="0" w:line="240" w:lineRule="auto"/><w:jc w:val="right"/>',
               f'<w:color w:val="{GREY}"/><w:sz w:val="16"/><w:szCs w:val="16"/>'),
        _style("paragraph", "ItemDetails", "Item Details",
               '<w:keepNext/><w:spacing w:before="0" w:after="80"/>',
               f'<w:color w:val="{GREY}"/><w:sz w:val="18"/><w:szCs w:val="18"/>'),
        _style("paragraph", "ReplyContext", "Reply Context",
               '<w:pBdr><w:left w:val="single" w:sz="18" w:space="8" w:color="B1B4B6"/></w:pBdr>'
               '<w:spacing w:before="0" w:after="100"/><w:ind w:left="227"/>',
               f'<w:color w:val="{GREY}"/><w:sz w:val="19"/><w:szCs w:val="19"/>'),
        _style("paragraph", "Response", "Response",
               f'<w:pBdr><w:top w:val="single" w:sz="4" w:space="3" w:color="{RESPONSE_FILL}"/>'
               f'<w:left w:val="single" w:sz="24" w:space="6" w:color="{BLUE}"/>'
               f'<w:bottom w:val="single" w:sz="4" w:space="3" w:color="{RESPONSE_FILL}"/>'
               f'<w:right w:val="single" w:sz="4" w:space="6" w:color="{RESPONSE_FILL}"/>'
               f'</w:pBdr><w:shd w:val="clear" w:color="auto" w:fill="{RESPONSE_FILL}"/>'
               f'<w:spacing w:before="0" w:after="60"/>'
               f'<w:ind w:left="{RESPONSE_INDENT}" w:right="170"/>'),
        _style("paragraph", "ListParagraph", "List Paragraph",
               "<w:contextualSpacing/>"),
        _style("paragraph", "ResponseList", "Response List", "<w:contextualSpacing/>",
               based_on="Response"),
        _style("paragraph", "TableText", "Table Text",
               '<w:spacing w:before="0" w:after="0" w:line="240" w:lineRule="auto"/>',
               '<w:sz w:val="17"/><w:szCs w:val="17"/>'),
        _style("character", "Hyperlink", "Hyperlink", "",
               f'<w:color w:val="{LINK}"/><w:u w:val="single"/>',
               based_on="DefaultParagraphFont", extra='<w:uiPriority w:val="99"/>'),
        _style("character", "HTMLCode", "HTML Code", "",
               f'{mono}<w:sz w:val="18"/><w:szCs w:val="18"/>',
               based_on="DefaultParagraphFont"),
    ]
    styles = word.styles.element
    defaults = styles.find(qn("w:docDefaults"))
    defaults.getparent().replace(defaults, parse_xml(
        f"<w:docDefaults {_NS}><w:rPrDefault><w:rPr>{fonts}"
        f'<w:color w:val="1B1B1B"/><w:sz w:val="20"/><w:szCs w:val="20"/>'
        f'<w:lang w:val="{language}" w:eastAsia="{language}" w:bidi="ar-SA"/></w:rPr>'
        '</w:rPrDefault><w:pPrDefault><w:pPr><w:spacing w:after="100" w:line="264" '
        'w:lineRule="auto"/></w:pPr></w:pPrDefault></w:docDefaults>'))
    existing = {s.get(qn("w:styleId")): s for s in styles.iterchildren(qn("w:style"))}
    for definition in definitions:
        element = parse_xml(definition)
        old = existing.get(element.get(qn("w:styleId")))
        if old is not None:
            styles.replace(old, element)
        else:
            styles.append(element)


def _page(word, document: ParticipationDocument, words: dict) -> None:
    """A4; a running header and "Page X of Y" in the footer, both left off the title page."""
    section = word.sections[0]
    section.page_width, section.page_height = PAGE_WIDTH, PAGE_HEIGHT
    section.left_margin = section.right_margin = SIDE_MARGIN
    section.top_margin, section.bottom_margin = Mm(22), Mm(20)
    section.header_distance, section.footer_distance = Mm(10), Mm(10)
    section.different_first_page_header_footer = True
    section.first_page_header.is_linked_to_previous = False
    section.first_page_footer.is_linked_to_previous = False
    header = section.header.paragraphs[0]
    header.style = word.styles["Header"]
    header.add_run(_clean(f"{words['document']} – {document.process_title}"))
    footer = section.footer.paragraphs[0]._p
    footer.getparent().replace(footer, parse_xml(
        f'<w:p {_NS}>{ppr("Footer")}{runs(words["page"] + " ")}'
        f'{_field("PAGE", runs("1"))}{runs(" " + words["of"] + " ")}'
        f'{_field("NUMPAGES", runs("1"))}</w:p>'))


# What follows w:updateFields in CT_Settings (ECMA-376 §17.15.1.78): it must come before these.
_AFTER_UPDATE_FIELDS = (
    "w:hdrShapeDefaults", "w:footnotePr", "w:endnotePr", "w:compat", "w:docVars", "w:rsids",
    "m:mathPr", "w:attachedSchema", "w:themeFontLang", "w:clrSchemeMapping",
    "w:doNotIncludeSubdocsInStats", "w:doNotAutoCompressPictures", "w:forceUpgrade",
    "w:captions", "w:readModeInkLockDown", "w:smartTagType", "sl:schemaLibrary",
    "w:shapeDefaults", "w:doNotEmbedSmartTags", "w:decimalSymbol", "w:listSeparator")


def _settings(word) -> None:
    """w:updateFields: Word offers to update the table of contents (and page numbers) when the
    document is opened, so the reader never sees an empty contents page."""
    word.settings.element.insert_element_before(
        parse_xml(f'<w:updateFields {_NS} w:val="true"/>'), *_AFTER_UPDATE_FIELDS)


def _properties(word, document: ParticipationDocument, words: dict) -> None:
    """The file's own properties: nothing of python-docx's defaults, no person's name."""
    properties = word.core_properties
    properties.title = _clean(f"{words['document']} – {document.process_title}")
    properties.subject = _clean(document.process_title)
    properties.author = _clean(document.municipality)
    properties.last_modified_by = _clean(document.municipality)
    properties.comments = ""
    properties.keywords = ""
    properties.created = properties.modified = document.generated_at
    properties.revision = 1


def _without_thumbnail(word) -> None:
    """python-docx's template carries a preview picture of some other page: leave it out."""
    package = word.part.package
    for rid, relationship in list(package.rels.items()):
        if relationship.reltype == RT.THUMBNAIL:
            del package.rels[rid]
