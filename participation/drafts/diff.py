"""Word-level differences between two versions of a section's text, as escaped HTML."""
from __future__ import annotations

import difflib
import re

from markupsafe import escape

_TOKEN = re.compile(r"\s+|[^\s]+")


def _html(tokens: list[str]) -> str:
    return str(escape("".join(tokens))).replace("\n", "<br>\n")


def word_diff_html(old: str, new: str) -> str:
    """Unchanged text escaped, removed words in <del>, added words in <ins> (a replacement is both)."""
    a = _TOKEN.findall(old.replace("\r\n", "\n").replace("\r", "\n"))
    b = _TOKEN.findall(new.replace("\r\n", "\n").replace("\r", "\n"))
    opcodes = difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes()
    merged: list[tuple[str, int, int, int, int]] = []
    for index, (tag, i1, i2, j1, j2) in enumerate(opcodes):
        # A lone space kept between two changes would split "one two" -> "three four" into
        # alternating del/ins pairs; it reads better as one change.
        between_changes = (tag == "equal" and not "".join(a[i1:i2]).strip()
                           and index + 1 < len(opcodes) and opcodes[index + 1][0] != "equal")
        if merged and merged[-1][0] != "equal" and (tag != "equal" or between_changes):
            merged[-1] = ("replace", merged[-1][1], i2, merged[-1][3], j2)
        else:
            merged.append((tag, i1, i2, j1, j2))
    out = []
    for tag, i1, i2, j1, j2 in merged:
        if tag == "equal":
            out.append(_html(a[i1:i2]))
            continue
        if i2 > i1:
            out.append(f"<del>{_html(a[i1:i2])}</del>")
        if j2 > j1:
            out.append(f"<ins>{_html(b[j1:j2])}</ins>")
    return "".join(out)


def has_changes(old: str, new: str) -> bool:
    """Whether the texts differ other than in whitespace."""
    return " ".join(old.split()) != " ".join(new.split())
