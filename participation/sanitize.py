"""Cleaning of user text, done once on save (templates escape plain text on output)."""
from __future__ import annotations

import html
import re
import unicodedata

import bleach

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def plain_text(value: str | None) -> str:
    """A one-line name as the person meant it: no markup, no control characters, single spaces.

    bleach drops any tags; the entities it produces are turned back into characters because the
    value is stored as text and escaped by Jinja wherever it is shown ("Bakker & Zn" stays so).
    """
    if not value:
        return ""
    value = unicodedata.normalize("NFC", value)
    value = _CONTROL.sub("", value)
    value = html.unescape(bleach.clean(value, tags=set(), attributes={}, strip=True))
    return " ".join(value.split())


# What people may use in their text: paragraphs, lists, links, emphasis (and a little more that
# Markdown makes from ordinary typing). Everything else is removed, attributes included.
ALLOWED_TAGS = frozenset({"p", "br", "ul", "ol", "li", "a", "em", "strong", "blockquote", "code",
                          "pre", "h3", "h4", "hr"})
ALLOWED_ATTRIBUTES = {"a": ["href", "title"]}
ALLOWED_PROTOCOLS = frozenset({"http", "https", "mailto"})

_cleaner = bleach.sanitizer.Cleaner(tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES,
                                    protocols=ALLOWED_PROTOCOLS, strip=True, strip_comments=True)


def _link_attributes(attrs, new=False):
    attrs[(None, "rel")] = "nofollow noopener"
    return attrs


def markdown_to_html(text: str) -> str:
    """Markdown as typed by a participant, to HTML that is safe to show as it is.

    Raw HTML in the input is escaped by Markdown first, so `<script>` stays visible as text;
    bleach then keeps only the allowed tags and link protocols, and links get rel=nofollow.
    Headings in the text are lowered to h3/h4 so they never compete with the page's own.
    """
    import markdown

    source = unicodedata.normalize("NFC", _CONTROL.sub("", text or ""))
    md = markdown.Markdown(extensions=["sane_lists"], output_format="html")
    md.preprocessors.deregister("html_block")
    md.inlinePatterns.deregister("html")
    html = md.convert(source)
    html = re.sub(r"<(/?)h[12]>", r"<\1h3>", html)
    html = re.sub(r"<(/?)h[56]>", r"<\1h4>", html)
    cleaned = _cleaner.clean(html)
    return bleach.linkify(cleaned, callbacks=[_link_attributes], skip_tags={"pre", "code"},
                          parse_email=False)
