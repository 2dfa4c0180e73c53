"""Text search helpers shared by the pages that search."""
from __future__ import annotations

from flask import request


def escape_like(text: str) -> str:
    """`text` for a LIKE pattern with escape "\\": its % and _ are meant literally."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def search_text(name: str = "q", limit: int = 200) -> str:
    """The query string's `name` as text to search for: at most `limit` characters and no NUL,
    which PostgreSQL cannot hold in text (a 500 before it reached a comparison)."""
    return request.args.get(name, "").replace("\x00", "")[:limit]
