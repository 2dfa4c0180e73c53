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
