"""Cleaning of user text, done once on save (templates escape plain text on output)."""
from __future__ import annotations

import html
import re
import threading
import unicodedata

import bleach
from bleach.linkifier import Linker, build_url_re

CONTROL_CHARACTER = _CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
#: A numeric character reference, as Markdown passes it on ("&#1;", "&#x0D;", "&#0000106").
_NUMERIC_REFERENCE = re.compile(r"&#(?:[xX]([0-9a-fA-F]+)|([0-9]+));?")
#: Characters an address may not hold as they are (WHATWG URL); written percent-encoded.
_UNSAFE_IN_URL = re.compile(r"[\x00-\x20\x7f-\x9f\"<>\\^`{|}]")


_CONTROL_BUT_NUL = re.compile(r"[\x01-\x08\x0b\x0c\x0e-\x1f\x7f]")


def without_control_characters(value: str, *, but_nul: bool = False) -> str:
    """The text without C0 control characters other than tab and line ends: nobody types
    them, they are invisible, and an HTML page may not contain them. `but_nul`: a NUL stays,
    for the form to say it removed it (core.forms)."""
    return (_CONTROL_BUT_NUL if but_nul else _CONTROL).sub("", value)


def plain_text(value: str | None) -> str:
    """A one-line name as the person meant it: no markup, no control characters, single spaces.

    bleach drops any tags; the entities it produces are turned back into characters because the
    value is stored as text and escaped by Jinja wherever it is shown ("Bakker & Zn" stays so).
    """
    if not value:
        return ""
    value = unicodedata.normalize("NFC", value)
    value = _CONTROL.sub("", value)
    # Without "<" there is no tag and without "&" no entity: bleach would give the text back
    # as it is, and it costs a parse per call (an import cleans tens of thousands of names).
    if "<" in value or "&" in value:
        value = html.unescape(bleach.clean(value, tags=set(), attributes={}, strip=True))
    return " ".join(value.split())


# What people may use in their text: paragraphs, lists, links, emphasis (and a little more that
# Markdown makes from ordinary typing). Everything else is removed, attributes included.
ALLOWED_TAGS = frozenset({"p", "br", "ul", "ol", "li", "a", "em", "strong", "blockquote", "code",
                          "pre", "h3", "h4", "hr"})
ALLOWED_ATTRIBUTES = {"a": ["href", "title"]}
ALLOWED_PROTOCOLS = frozenset({"http", "https", "mailto"})

#: Plain addresses in the text become links only for these schemes. bleach's default list also
#: has data:, feed:, ssh: and more, and linkify runs after the cleaner, so without this
#: "data:example.com/..." became a data: link that the protocol allow-list never saw.
LINKIFY_PROTOCOLS = frozenset({"http", "https"})
_URL_RE = build_url_re(protocols=LINKIFY_PROTOCOLS)

# bleach's Cleaner and Linker keep parser state between calls and are not thread-safe (bleach's
# own warning), while the web server renders in threads: each thread gets its own pair.
_local = threading.local()


def _link_attributes(attrs: dict, new: bool = False) -> dict | None:
    """Every link gets rel=nofollow; a link whose address is not an allowed scheme is dropped
    (its text stays), whatever made it, so linkify can never add what the cleaner refused."""
    href = attrs.get((None, "href"))
    if href is None or not _allowed_href(href):
        return None  # an <a> without an address is no link: its text stays
    # The value arrives as the cleaner wrote it (entities for < > " &): decoded, then every
    # character an address may not hold is percent-encoded, as a browser would send it.
    attrs[(None, "href")] = _UNSAFE_IN_URL.sub(lambda m: "%{:02X}".format(ord(m.group())),
                                               html.unescape(href))
    attrs[(None, "rel")] = "nofollow noopener"
    return attrs


_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*):")
_IGNORED_IN_SCHEME = re.compile(r"[\x00-\x20\x7f]")


def _allowed_href(href: str) -> bool:
    """Relative addresses and the allowed schemes; browsers drop whitespace and control
    characters inside a scheme, so they are dropped here before looking."""
    match = _SCHEME.match(_IGNORED_IN_SCHEME.sub("", html.unescape(href)))
    return match is None or match.group(1).lower() in ALLOWED_PROTOCOLS


def _tools() -> tuple[bleach.sanitizer.Cleaner, Linker]:
    tools = getattr(_local, "tools", None)
    if tools is None:
        cleaner = bleach.sanitizer.Cleaner(tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES,
                                           protocols=ALLOWED_PROTOCOLS, strip=True,
                                           strip_comments=True)
        linker = Linker(callbacks=[_link_attributes], skip_tags={"pre", "code"},
                        parse_email=False, url_re=_URL_RE)
        tools = _local.tools = (cleaner, linker)
    return tools


def _markdown():
    """This thread's Markdown converter, made once (reset before each text): making one
    loads its extensions and builds its parsers, which cost more than converting a comment."""
    md = getattr(_local, "markdown", None)
    if md is None:
        import markdown  # here: a process that converts no text need not import it

        md = markdown.Markdown(extensions=["sane_lists"], output_format="html")
        md.preprocessors.deregister("html_block")
        md.inlinePatterns.deregister("html")
        _local.markdown = md
    return md


def markdown_to_html(text: str) -> str:
    """Markdown as typed by a participant, to HTML that is safe to show as it is.

    Raw HTML in the input is escaped by Markdown first, so `<script>` stays visible as text;
    bleach then keeps only the allowed tags and link protocols, and links get rel=nofollow.
    Headings in the text are lowered to h3/h4 so they never compete with the page's own.
    """
    source = unicodedata.normalize("NFC", _CONTROL.sub("", text or ""))
    html = _markdown().reset().convert(source)
    html = re.sub(r"<(/?)h[12]>", r"<\1h3>", html)
    html = re.sub(r"<(/?)h[56]>", r"<\1h4>", html)
    cleaner, linker = _tools()
    return _NUMERIC_REFERENCE.sub(_printable_reference, linker.linkify(cleaner.clean(html)))


def _printable_reference(match: re.Match) -> str:
    """A reference to a character a page may not contain (a control character, a carriage
    return, a surrogate, beyond Unicode) is dropped; any other stays as it was written."""
    hex_digits, decimal = match.groups()
    code = int(hex_digits, 16) if hex_digits else int(decimal)
    if code in (0x09, 0x0A) or (0x20 <= code < 0x7F) or (0xA0 <= code < 0xD800) or \
            (0xE000 <= code <= 0x10FFFF and (code & 0xFFFE) != 0xFFFE
             and not 0xFDD0 <= code <= 0xFDEF):
        return match.group()
    return ""
