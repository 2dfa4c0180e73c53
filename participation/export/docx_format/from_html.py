"""User HTML to Word: the cleaned HTML of contributions, comments and responses (the bleach
allow-list, see `core.sanitize.markdown_to_html`) as WordprocessingML paragraphs with real Word
structure: numbered and bulleted lists, hyperlinks, emphasis."""
from __future__ import annotations

import re

from lxml import etree

from .package import Links, Numbering
from .wordml import (BORDER, BREAK, LETTER, LIST_INDENT, MAX_LEVEL, QUOTE_INDENT, paragraph, ppr,
                     runs, starts_right_to_left)

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
            self.runs.append(BREAK)
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
        if self.rtl is None and LETTER.search(text):
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
                self.runs.append(BREAK)
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
        while self.runs and self.runs[-1] == BREAK:  # "<pre>…\n</pre>", a trailing <br>
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
