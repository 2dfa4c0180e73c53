"""Text search helpers shared by the pages that search."""
from __future__ import annotations


def escape_like(text: str) -> str:
    """`text` for a LIKE pattern with escape "\\": its % and _ are meant literally."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
