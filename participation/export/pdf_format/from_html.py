"""User HTML as data for the Typst template: the cleaned HTML of contributions, comments and
responses (the bleach allow-list, `core.sanitize.ALLOWED_TAGS`) as a small JSON tree.

A node is a string (text, shown as text: Typst never reads it as markup) or a list whose first
member names it: `["p", ...children]`, `["a", href, ...children]`, `["pre", text]`,
`["code", text]`, `["br"]`, `["hr"]`; also ul, ol, li, blockquote, strong, em, h3, h4. A text
whose first letter is right-to-left comes wrapped in `["rtl", ...blocks]` (the preview's
`dir="auto"`)."""
from __future__ import annotations

import re

from lxml import etree

from ..docx_format.wordml import starts_right_to_left

Node = str | list

#: The tags kept; any other (html, body, a tag the cleaner will never let through) gives its
#: children to its parent.
_KEPT = frozenset({"p", "ul", "ol", "li", "blockquote", "pre", "h3", "h4", "hr", "br", "a",
                   "strong", "b", "em", "i", "code"})
_SAME = {"b": "strong", "i": "em"}
#: Elements that hold blocks: white space between their children is not text.
_CONTAINERS = frozenset({"root", "ul", "ol", "li", "blockquote"})
_EMPTY_OK = frozenset({"br", "hr"})
# HTML's collapsible white space; not \s, which would also swallow no-break spaces.
_HTML_SPACE = re.compile("[ \t\n\r\f]+")


class HtmlToTree:
    """A target for lxml's HTML parser, which reads the markup in C and calls `start`, `data`
    and `end` here (as docx_format.from_html does for Word): one parser for every text of the
    document."""

    def __init__(self) -> None:
        self._parser = etree.HTMLParser(target=self, remove_comments=True, no_network=True)
        self._stack: list[list] = []

    def convert(self, html: str | None) -> list[Node]:
        """The blocks of `html` (an empty list for no text)."""
        if not html or not html.strip():
            return []
        self._stack = [["root"]]
        self._parser.feed(html)
        self._parser.close()
        root = self._stack[0]
        blocks = _tidy(root)[1:]
        if blocks and starts_right_to_left(_plain(blocks)):
            return [["rtl", *blocks]]
        return blocks

    # parser target

    def start(self, tag: str, attrib) -> None:
        if tag not in _KEPT:
            return
        tag = _SAME.get(tag, tag)
        node: list = [tag, attrib.get("href") or ""] if tag == "a" else [tag]
        self._stack.append(node)

    def end(self, tag: str) -> None:
        if tag not in _KEPT or len(self._stack) < 2:
            return
        node = self._stack.pop()
        if node[0] in ("pre", "code"):
            # Text as it was typed: one string, its lines kept (code inside pre included).
            node = [node[0], _plain(node[1:], keep_space=True)]
        if node[0] == "a" and not node[1]:
            self._stack[-1].extend(node[2:])  # a link without an address: its text stays
            return
        self._stack[-1].append(node)

    def data(self, data: str) -> None:
        parent = self._stack[-1]
        if parent and isinstance(parent[-1], str) and len(parent) > 1 + (parent[0] == "a"):
            parent[-1] += data
        else:
            parent.append(data)

    def close(self) -> None:
        while len(self._stack) > 1:
            self.end(self._stack[-1][0])


def _tidy(node: list) -> list:
    """HTML's white-space rules: runs of spaces become one; none between blocks, none at the
    start or end of a line; nothing left of an element that shows nothing."""
    tag = node[0]
    head = 2 if tag == "a" else 1
    if tag in ("pre", "code"):
        return node
    children: list = []
    for child in node[head:]:
        if isinstance(child, str):
            text = _HTML_SPACE.sub(" ", child)
            if tag in _CONTAINERS and not text.strip(" "):
                continue
            if children and isinstance(children[-1], str):
                children[-1] += text
            else:
                children.append(text)
        else:
            child = _tidy(child)
            if len(child) > (2 if child[0] == "a" else 1) or child[0] in _EMPTY_OK \
                    or child[0] in ("pre", "code"):
                children.append(child)
    if tag not in ("a", "strong", "em"):
        _strip_line_ends(children)
    return [*node[:head], *[c for c in children if c != ""]]


def _strip_line_ends(children: list) -> None:
    """No space at the start of a block, before or after a line break, or at its end."""
    for n, child in enumerate(children):
        if not isinstance(child, str):
            continue
        before = children[n - 1] if n else None
        after = children[n + 1] if n + 1 < len(children) else None
        if n == 0 or before == ["br"] or _is_block(before):
            child = child.lstrip(" ")
        if after is None or after == ["br"] or _is_block(after):
            child = child.rstrip(" ")
        children[n] = child
    # A space at the end of a last emphasised word ("<em>a </em>") would end the line too.
    if children and isinstance(children[-1], list) and children[-1][0] in ("strong", "em"):
        inner = children[-1]
        if isinstance(inner[-1], str):
            inner[-1] = inner[-1].rstrip(" ")


def _is_block(node) -> bool:
    return isinstance(node, list) and node[0] in ("p", "ul", "ol", "li", "blockquote", "pre",
                                                  "h3", "h4", "hr")


def _plain(nodes, keep_space: bool = False) -> str:
    """The text of some nodes, for a direction to be decided on or a code block."""
    out: list[str] = []

    def walk(items) -> None:
        for item in items:
            if isinstance(item, str):
                out.append(item)
            elif item[0] == "br":
                out.append("\n")
            else:
                walk(item[2:] if item[0] == "a" else item[1:])
    walk(nodes)
    text = "".join(out)
    return text if keep_space else " ".join(text.split())
