"""URLs: where to send people after a form (only ever back into this site), and many links
to one page that differ in one path part."""
from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlsplit

from flask import current_app, url_for
from werkzeug.routing import UnicodeConverter


def safe_next(target: str | None, default: str) -> str:
    """`target` if it is a path on this site, else `default` (no open redirects)."""
    if not target:
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") \
            or "\\" in target:
        return default
    return target


_SLOT = "3f0c9e2aslot"  # a value no URL of this site holds, made only of unreserved characters


def url_for_each(endpoint: str, key: str, **values) -> Callable[[object], str]:
    """`url_for(endpoint, **values, key=value)` for many values of one path part (a section
    per link on the draft's page): the URL is built once, and each value put in its place as
    the route's converter would write it. A page of forty sections built forty URLs through
    the whole routing map. Where `key` is not a plain path part, each URL is built in full."""
    rules = list(current_app.url_map.iter_rules(endpoint))
    if len(rules) != 1 or f"<{key}>" not in rules[0].rule:  # the default converter only
        return lambda value: url_for(endpoint, **values, **{key: value})
    converter = UnicodeConverter(current_app.url_map)
    head, slot, tail = url_for(endpoint, **values, **{key: _SLOT}).partition(_SLOT)
    if not slot or _SLOT in tail:
        return lambda value: url_for(endpoint, **values, **{key: value})
    return lambda value: head + converter.to_url(value) + tail
