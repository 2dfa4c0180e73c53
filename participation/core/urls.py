"""URLs: where to send people after a form (only ever back into this site), many links to one
page that differ in one path part, and the layout's links that are the same on every page."""
from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlsplit

from flask import current_app, request, url_for
from werkzeug.routing import IntegerConverter, UnicodeConverter


def safe_next(target: str | None, default: str) -> str:
    """`target` if it is a path on this site, else `default` (no open redirects)."""
    if not target:
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") \
            or "\\" in target:
        return default
    return target


#: Values no URL of this site holds, for the default converter (unreserved characters only)
#: and for int.
_SLOTS = {UnicodeConverter: "3f0c9e2aslot", IntegerConverter: 918273645546372819}


def url_for_each(endpoint: str, key: str, **values) -> Callable[[object], str]:
    """`url_for(endpoint, **values, key=value)` for many values of one path part (a section
    or a contribution per link on a list's page): the URL is built once, and each value put
    in its place as the route's converter would write it. A page of forty sections built
    forty URLs through the whole routing map. Where `key` is not a plain path part (a string
    or an int), each URL is built in full."""
    rules = list(current_app.url_map.iter_rules(endpoint))
    kind = None
    if len(rules) == 1:
        kind = (UnicodeConverter if f"<{key}>" in rules[0].rule
                else IntegerConverter if f"<int:{key}>" in rules[0].rule else None)
    if kind is None:
        return lambda value: url_for(endpoint, **values, **{key: value})
    converter, slot = kind(current_app.url_map), _SLOTS[kind]
    head, found, tail = url_for(endpoint, **values, **{key: slot}).partition(str(slot))
    if not found or str(slot) in tail:
        return lambda value: url_for(endpoint, **values, **{key: value})
    return lambda value: head + converter.to_url(value) + tail


def fixed_url(endpoint: str, filename: str | None = None) -> str:
    """`url_for(endpoint)` (or a static file's, fingerprinted) for a link that is the same on
    every page, as the layout's are: built once per app and root path, not through the routing
    map on every page (ten such links were a fixed cost of each)."""
    built = current_app.extensions.setdefault("fixed_urls", {})
    key = (request.script_root, endpoint, filename)
    url = built.get(key)
    if url is None:
        url = built[key] = (url_for(endpoint, filename=filename) if filename is not None
                            else url_for(endpoint))
    return url
