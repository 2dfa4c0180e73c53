"""The open-data API's routes under /api/v1, read-only, by the NL API Design Rules: the major
version in the path, the full version in an API-Version header on every answer, paging links,
ETags, CORS for GET, errors as application/problem+json, a rate limit per address.

Only GET (with HEAD and OPTIONS) is routed, so nothing here changes state and no CSRF check
applies: any other method is answered 405 before a view runs.
"""
from __future__ import annotations

from flask import Blueprint, Flask, abort, current_app, g, jsonify, request, url_for
from flask_babel import gettext as _
from werkzeug.exceptions import BadRequest

from ..core.errors import answer_with_problems
from ..core.limiter import CountedAction, LimitReached, client_address
from . import services
from .spec import PER_PAGE_DEFAULT, PER_PAGE_MAX, VERSION, openapi

PREFIX = "/api/v1"
bp = Blueprint("api", __name__, url_prefix=PREFIX)

#: Its figure is RATE_LIMITS["api"], counted per address (every request, errors too).
api_limit = CountedAction("api")

#: Request headers a page on another site may send (If-None-Match asks for a preflight), and
#: response headers its scripts may read.
CORS_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "GET, HEAD, OPTIONS",
    "Access-Control-Allow-Headers": "Accept, Accept-Language, If-None-Match",
    "Access-Control-Expose-Headers": "API-Version, ETag, Link, Retry-After",
    "Access-Control-Max-Age": "86400",
}


def register(app: Flask) -> None:
    """The blueprint, and the hooks that hold for every request under /api/v1, also those
    that match no route (a 404 still carries API-Version and CORS)."""
    app.register_blueprint(bp)
    answer_with_problems(app, PREFIX)
    app.before_request(_before_api_request)
    app.after_request(_after_api_request)


def _under_api() -> bool:
    return request.path == PREFIX or request.path.startswith(PREFIX + "/")


def _before_api_request() -> None:
    if not _under_api():
        return
    # No session: the language of the error texts comes from Accept-Language (Dutch by
    # default); the published texts are the Dutch document's in any case.
    g.request_locale = (request.accept_languages.best_match(current_app.config["LANGUAGES"])
                        or current_app.config["BABEL_DEFAULT_LOCALE"])
    subject = client_address()
    if not api_limit.allows(subject):
        raise LimitReached(max(1, api_limit.wait_seconds(subject)))
    api_limit.hit(subject)


def _after_api_request(response):
    if not _under_api():
        return response
    response.headers["API-Version"] = VERSION
    response.headers.update(CORS_HEADERS)
    if (request.method in ("GET", "HEAD") and response.status_code == 200
            and response.mimetype == "application/json" and not response.is_streamed):
        # Public data, kept by anyone but asked again each time; unchanged, a 304.
        response.cache_control.public = True
        response.cache_control.no_cache = True
        response.add_etag()
        response = response.make_conditional(request)
    return response


# --- the arguments --------------------------------------------------------------------------

class Arguments:
    """The query parameters of one request, checked as the OpenAPI document declares them;
    every wrong one is named in the 400 answer (invalid-params). A parameter the operation
    does not know is wrong too: `?themes=3` must not quietly answer with every theme."""

    def __init__(self, *filters: str, paged: bool = True):
        self.invalid: list[dict] = []
        self.filters = filters
        known = {*filters, *(("page", "per_page") if paged else ())}
        for name in request.args:
            if name not in known:
                self.invalid.append({"name": name, "reason": _("Not a parameter of this "
                                                               "operation.")})
        # Read first, so a wrong page is named with the wrong filters.
        self.page_number = self.integer("page", default=1)
        self.per_page = self.integer("per_page", default=PER_PAGE_DEFAULT, maximum=PER_PAGE_MAX)

    def integer(self, name: str, *, default: int | None = None, maximum: int = 2 ** 62):
        raw = request.args.get(name)
        if raw is None:
            return default
        # The length first: int() of thousands of digits is slow, and refused past 4300.
        if (len(raw) > len(str(maximum)) or not raw.isascii() or not raw.isdigit()
                or not 1 <= int(raw) <= maximum):
            self.invalid.append({"name": name, "reason": _(
                "A whole number from 1 to %(maximum)d.", maximum=maximum)})
            return default
        return int(raw)

    def choice(self, name: str, choices: tuple[str, ...]) -> str | None:
        raw = request.args.get(name)
        if raw is not None and raw not in choices:
            self.invalid.append({"name": name, "reason": _(
                "One of: %(choices)s.", choices=", ".join(choices))})
            return None
        return raw

    def checked(self) -> None:
        if self.invalid:
            error = BadRequest()
            error.data = {"invalid-params": self.invalid}
            raise error


# --- answers --------------------------------------------------------------------------------

def _link(endpoint: str, **values) -> dict:
    return {"href": url_for(endpoint, _external=True, **values)}


def _paged(key: str, rows: list, arguments: Arguments):
    """One page of `rows` as {"_links", "page", "per_page", "total", "pages", key: [...]},
    with the same links in a Link header; the links keep the request's filters."""
    arguments.checked()
    number, per_page = arguments.page_number, arguments.per_page
    page = services.page_of(rows, number, per_page)
    kept = {name: request.args[name] for name in arguments.filters if name in request.args}
    kept["per_page"] = per_page

    def at(n: int) -> dict:
        return _link(request.endpoint, **request.view_args, **kept, page=n)

    links = {"self": at(number), "first": at(1), "last": at(page.pages)}
    if 1 < number <= page.pages + 1:
        links["prev"] = at(number - 1)
    if number < page.pages:
        links["next"] = at(number + 1)
    response = jsonify({"_links": links, "page": number, "per_page": per_page,
                        "total": page.total, "pages": page.pages, key: page.rows})
    response.headers["Link"] = ", ".join(f'<{link["href"]}>; rel="{rel}"'
                                         for rel, link in links.items())
    return response


def _process(slug: str):
    process = services.public_process(slug)
    if process is None:
        abort(404)
    return process


def _process_links(slug: str) -> dict:
    links = {"self": _link("api.process", slug=slug)}
    for name in ("rounds", "themes", "sections", "contributions", "comments", "responses"):
        links[name] = _link(f"api.{name}", slug=slug)
    return links


def _one(rows: list[dict], item_id: int):
    Arguments(paged=False).checked()
    found = next((row for row in rows if row["id"] == item_id), None)
    if found is None:
        abort(404)
    return jsonify(found)


# --- the routes -----------------------------------------------------------------------------

@bp.get("")
@bp.get("/")
def index():
    Arguments(paged=False).checked()
    return jsonify({"version": VERSION, "_links": {
        "self": _link("api.index"), "openapi": _link("api.openapi_document"),
        "processes": _link("api.processes")}})


@bp.get("/openapi.json")
def openapi_document():
    return jsonify(openapi(url_for("api.index", _external=True).rstrip("/")))


@bp.get("/processes")
def processes():
    arguments = Arguments()
    found = services.public_processes()
    versions = services.latest_draft_versions(p.id for p in found)
    rows = [{**services.process_data(p, versions), "_links": _process_links(p.slug)}
            for p in found]
    return _paged("processes", rows, arguments)


@bp.get("/processes/<slug>")
def process(slug: str):
    Arguments(paged=False).checked()
    found = _process(slug)
    versions = services.latest_draft_versions([found.id])
    return jsonify({**services.process_data(found, versions), "_links": _process_links(slug)})


@bp.get("/processes/<slug>/rounds")
def rounds(slug: str):
    return _paged("rounds", services.rounds(_process(slug)), Arguments())


@bp.get("/processes/<slug>/themes")
def themes(slug: str):
    return _paged("themes", services.themes(_process(slug)), Arguments())


@bp.get("/processes/<slug>/sections")
def sections(slug: str):
    return _paged("sections", services.sections(_process(slug)), Arguments())


@bp.get("/processes/<slug>/contributions")
def contributions(slug: str):
    arguments = Arguments("theme", "disposition")
    theme = arguments.integer("theme")
    disposition = arguments.choice("disposition", services.DISPOSITIONS)
    arguments.checked()
    rows = services.filtered(services.published(_process(slug)).contributions, theme=theme,
                             disposition=disposition)
    return _paged("contributions", rows, arguments)


@bp.get("/processes/<slug>/contributions/<int:item_id>")
def contribution(slug: str, item_id: int):
    return _one(services.published(_process(slug)).contributions, item_id)


@bp.get("/processes/<slug>/comments")
def comments(slug: str):
    arguments = Arguments("section", "disposition")
    section = arguments.integer("section")
    disposition = arguments.choice("disposition", services.DISPOSITIONS)
    arguments.checked()
    rows = services.filtered(services.published(_process(slug)).comments, section=section,
                             disposition=disposition)
    return _paged("comments", rows, arguments)


@bp.get("/processes/<slug>/comments/<int:item_id>")
def comment(slug: str, item_id: int):
    return _one(services.published(_process(slug)).comments, item_id)


@bp.get("/processes/<slug>/responses")
def responses(slug: str):
    arguments = Arguments("round", "theme", "section", "disposition")
    round_kind = arguments.choice("round", services.ROUND_KINDS)
    theme = arguments.integer("theme")
    section = arguments.integer("section")
    disposition = arguments.choice("disposition", services.DISPOSITIONS)
    arguments.checked()
    rows = services.filtered(services.published(_process(slug)).responses, theme=theme,
                             linked_section=section, disposition=disposition,
                             round_kind=round_kind)
    return _paged("responses", rows, arguments)


@bp.get("/processes/<slug>/responses/<int:item_id>")
def response(slug: str, item_id: int):
    return _one(services.published(_process(slug)).responses, item_id)
