"""WordprocessingML primitives: runs, paragraphs, tables and fields as XML text, and the house
style's colours and measures.

These are called for every run and paragraph of every item (hundreds of thousands for a large
process), so they stay plain string formatting with escaping: a Jinja render per run costs some
40 times the f-string (45 against 1 microseconds, measured), seconds more for a large export. The
long, fixed XML of the package lives in templates (see package.py).
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from functools import lru_cache

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


def twips(mm: float) -> int:
    """Millimetres in twips (twentieths of a point), Word's unit for page sizes and indents."""
    return round(mm * 1440 / 25.4)


PAGE_WIDTH, PAGE_HEIGHT = twips(210), twips(297)  # A4
SIDE_MARGIN = twips(18)
TEXT_WIDTH = PAGE_WIDTH - 2 * SIDE_MARGIN  # 9866 twips
LIST_INDENT = 360  # twips per list level
MAX_LEVEL = 8  # Word's lists have levels 0-8
QUOTE_INDENT = 567
RESPONSE_INDENT = 170


# --- text -------------------------------------------------------------------------------------

# Characters XML 1.0 cannot hold (control characters, lone surrogates, U+FFFE/F): dropped, so
# that one odd character pasted into a contribution never breaks the whole export.
_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_RTL_CHARS = "\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc\U00010800-\U00010fff\U0001e800-\U0001efff"
_RTL = re.compile(f"[{_RTL_CHARS}]")
# A stretch of right-to-left words with the spaces, digits and punctuation between them.
_RTL_SPAN = re.compile(rf"[{_RTL_CHARS}]+(?:[\W\d_]*[{_RTL_CHARS}]+)*")
LETTER = re.compile(r"[^\W\d_]")


def clean(text: str) -> str:
    return _INVALID_XML.sub("", text)


def escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _attribute(text: str) -> str:
    """`text` for an attribute value in double quotes."""
    return escape(clean(text)).replace('"', "&quot;")


def starts_right_to_left(text: str) -> bool:
    """Whether the first letter is Arabic, Hebrew or another right-to-left script."""
    match = LETTER.search(text)
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


def run(text: str, rpr: str = "", preserve: bool = False) -> str:
    """One run of `text` (already clean) with run properties `rpr`."""
    if preserve or text[:1].isspace() or text[-1:].isspace():
        return f'<w:r>{rpr}<w:t xml:space="preserve">{escape(text)}</w:t></w:r>'
    return f"<w:r>{rpr}<w:t>{escape(text)}</w:t></w:r>"


def runs(text: str | None, style: str | None = None, bold: bool = False, italic: bool = False,
         color: str | None = None, size: int | None = None, preserve: bool = False) -> str:
    """`text` as runs; stretches of right-to-left script get runs of their own, marked w:rtl,
    so Word orders and shapes them as Arabic or Hebrew while Latin text around them is not.
    `preserve`: keep every space (preformatted text)."""
    text = clean(text or "")
    if not text:
        return ""
    if not _RTL.search(text):
        return run(text, _rpr(style, bold, italic, color, size), preserve)
    out, position = [], 0
    for match in _RTL_SPAN.finditer(text):
        if match.start() > position:
            out.append(run(text[position:match.start()],
                           _rpr(style, bold, italic, color, size), preserve))
        out.append(run(match.group(), _rpr(style, bold, italic, color, size, rtl=True),
                       preserve))
        position = match.end()
    if position < len(text):
        out.append(run(text[position:], _rpr(style, bold, italic, color, size), preserve))
    return "".join(out)


BREAK = "<w:r><w:br/></w:r>"


def field_begin(instruction: str) -> str:
    """The start of a complex field, up to where its shown result begins. Marked dirty: Word
    updates it (it asks first) when the document is opened."""
    return ('<w:r><w:fldChar w:fldCharType="begin" w:dirty="true"/></w:r>'
            f'<w:r><w:instrText xml:space="preserve"> {instruction} </w:instrText></w:r>'
            '<w:r><w:fldChar w:fldCharType="separate"/></w:r>')


FIELD_END = '<w:r><w:fldChar w:fldCharType="end"/></w:r>'


def field(instruction: str, shown: str) -> str:
    """A complex field (PAGE, NUMPAGES) with `shown` as its text until it is updated."""
    return f"{field_begin(instruction)}{shown}{FIELD_END}"


def bookmark(number: int, name: str, content: str) -> str:
    """`content` (runs) inside the bookmark `name`; `number` is unique in the document."""
    return (f'<w:bookmarkStart w:id="{number}" w:name="{name}"/>{content}'
            f'<w:bookmarkEnd w:id="{number}"/>')


def internal_link(content: str, bookmark: str | None) -> str:
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
          *, caption: str, numeric: frozenset[int] = frozenset(),
          bold_last: bool = False) -> str:
    """A grid table of fixed column widths (percent of the text width) whose header row repeats
    on every page, named by `caption` (Word's alternative text title, what a screen reader
    announces; the HTML's aria-label). Built as text: one string per row instead of
    python-docx's cell objects."""
    columns = [int(TEXT_WIDTH * w / 100) for w in widths]
    grid = "".join(f'<w:gridCol w:w="{w}"/>' for w in columns)
    borders = "".join(f'<w:{side} w:val="single" w:sz="4" w:space="0" w:color="{BORDER}"/>'
                      for side in ("top", "left", "bottom", "right", "insideH", "insideV"))
    out = ['<w:tbl><w:tblPr><w:tblStyle w:val="TableGrid"/><w:tblW w:w="5000" w:type="pct"/>'
           f"<w:tblBorders>{borders}</w:tblBorders><w:tblLayout w:type=\"fixed\"/>"
           '<w:tblCellMar><w:top w:w="28" w:type="dxa"/><w:left w:w="85" w:type="dxa"/>'
           '<w:bottom w:w="28" w:type="dxa"/><w:right w:w="85" w:type="dxa"/></w:tblCellMar>'
           '<w:tblLook w:val="0420" w:firstRow="1" w:lastRow="0" w:firstColumn="0" '
           'w:lastColumn="0" w:noHBand="1" w:noVBand="1"/>'
           f'<w:tblCaption w:val="{_attribute(caption)}"/></w:tblPr>'
           f"<w:tblGrid>{grid}</w:tblGrid>"]
    out.append(_row(columns, [Cell(runs(h, bold=True)) for h in header], numeric, header=True))
    rows = list(rows)
    for n, row in enumerate(rows):
        last = bold_last and n == len(rows) - 1
        out.append(_row(columns, [c if isinstance(c, Cell) else Cell(runs(str(c), bold=last))
                                for c in row], numeric))
    out.append("</w:tbl>")
    return "".join(out)


def _row(columns: Sequence[int], cells: Sequence[str], numeric: frozenset[int], *,
         header: bool = False) -> str:
    row_pr = "<w:trPr><w:cantSplit/><w:tblHeader/></w:trPr>" if header else \
        "<w:trPr><w:cantSplit/></w:trPr>"
    fill = f'<w:shd w:val="clear" w:color="auto" w:fill="{HEAD_FILL}"/>' if header else ""
    out = [f"<w:tr>{row_pr}"]
    for n, (width, content) in enumerate(zip(columns, cells, strict=True)):
        properties = ppr("TableText", align="right" if n in numeric else "")
        out.append(f'<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/>{fill}</w:tcPr>'
                   f"{paragraph(content, properties)}</w:tc>")
    out.append("</w:tr>")
    return "".join(out)
