"""Fuzzing every form: Hypothesis posts arbitrary text, numbers, ids and files to every POST
route of the URL map, as a person allowed to use it, with a valid CSRF token. Whatever comes in:
no 500, no traceback in the answer, and a refused post leaves every table as it was (no
partial rows). The number of examples per form comes from FUZZ_EXAMPLES (default 20)."""
from __future__ import annotations

import io
import os
import re
from urllib.parse import urlencode

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.routing import IntegerConverter

from participation.core.extensions import db

from .factories import csrf_token, login
from .test_access import ACCESS, ADMIN, OWNER, PUBLIC, STAFF, TEAM, USER, _url, world  # noqa: F401

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "20"))
#: Who posts to a route of each access level (see tests/test_access.py).
POSTER = {PUBLIC: "owner@example.nl", USER: "owner@example.nl", OWNER: "owner@example.nl",
          STAFF: "staff@example.nl", TEAM: "mod@example.nl", ADMIN: "admin@example.nl"}
#: Routes whose success would stop the test from going on (the session ends).
SKIP = {"accounts.logout", "static"}
#: Field names tried on every route besides those its form shows (routes without a GET form).
COMMON_FIELDS = ("body", "title", "reason", "note", "action", "ids", "disposition", "name",
                 "email", "role", "theme_id", "kind", "locale", "next", "format", "version",
                 "language", "publish", "parent_id", "sections", "organisation_name")

TRICKY = st.sampled_from([
    "", " ", "0", "-1", "1.5", "999999999999999999999", "1e309", "NaN", "None", "null", "true",
    "[]", "{}", "../../etc/passwd", "%00", "\x00", "\ud7ff", "\ufffd", "\u202e", "😀" * 50,
    "<script>alert(1)</script>", "' OR 1=1 --", "=HYPERLINK(\"x\")", "a" * 70_000,
    "https://example.org", "javascript:alert(1)", "mailto:x@example.org", "x@example.nl"])
TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=400)
NUMBER = st.integers(min_value=-2**63, max_value=2**63).map(str)
VALUE = st.one_of(TEXT, NUMBER, TRICKY)


def _post_routes():
    from participation import create_app

    app = create_app({"TESTING": True, "SECRET_KEY": "x",
                      "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    return sorted({(rule.endpoint, rule.rule) for rule in app.url_map.iter_rules()
                   if "POST" in (rule.methods or set()) and rule.endpoint not in SKIP})


def _form_fields(html: str) -> tuple[dict[str, str], set[str]]:
    """The POST form's fields with their values (hidden ones matter), and the file fields."""
    forms = re.findall(r'<form[^>]*method="post"[^>]*>(.*?)</form>', html, re.S | re.I)
    fields: dict[str, str] = {}
    files: set[str] = set()
    for form in forms:
        if 'name="csrf_token"' not in form or "logout" in form:
            continue
        for tag in re.findall(r"<(?:input|textarea|select)\b[^>]*>", form):
            name = re.search(r'name="([^"]+)"', tag)
            if not name:
                continue
            value = re.search(r'value="([^"]*)"', tag)
            if 'type="file"' in tag:
                files.add(name.group(1))
            else:
                fields.setdefault(name.group(1), value.group(1) if value else "")
    return fields, files


def _counts(app) -> dict[str, int]:
    """Rows per table, in one statement (it runs twice per example)."""
    tables = [t for t in db.metadata.sorted_tables if t.name != "outbox_message"]
    with app.app_context():
        row = db.session.execute(sa.select(*(
            sa.select(sa.func.count()).select_from(t).scalar_subquery().label(t.name)
            for t in tables))).one()
        return dict(zip([t.name for t in tables], row, strict=True))


@pytest.fixture
def fuzz_world(app, world):  # noqa: F811
    """The access test's world plus a process whose round 1 is open, for round-1 forms."""
    from participation.accounts.models import User

    from .factories import make_contribution, make_process

    with app.test_request_context():
        process = make_process("open-input")
        owner = db.session.scalar(sa.select(User).where(User.email == "owner@example.nl"))
        item = make_contribution(process, process.themes[0], owner, title="Open")
        db.session.commit()
        return {**world, "open": {**world, "slug": process.slug,
                                  "theme_id": process.themes[0].id,
                                  "contribution_id": item.id, "item_id": item.id}}


@pytest.mark.parametrize("endpoint,rule", _post_routes())
def test_every_form_survives_arbitrary_input(app, fuzz_world, endpoint, rule):
    values = fuzz_world["open"] if endpoint.startswith("contributions.") else fuzz_world
    target = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint and r.rule == rule)
    url = _url(target, values)
    client = app.test_client()
    login(client, POSTER[ACCESS[endpoint]])
    page = client.get(url) if "GET" in (target.methods or set()) else None
    html = page.get_data(as_text=True) if page is not None and page.status_code == 200 else ""
    token = csrf_token(html or client.get("/").get_data(as_text=True))
    shown, file_fields = _form_fields(html)
    names = sorted(set(shown) | set(COMMON_FIELDS) - {"csrf_token"})
    outcomes: dict[int, int] = {}

    @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    @given(data=st.data())
    def post(data):
        form: dict = {"csrf_token": token}
        for name in names:
            choice = data.draw(st.sampled_from(["keep", "fuzz", "drop", "many"]), label=name)
            if choice == "keep" and name in shown:
                form[name] = shown[name]
            elif choice == "fuzz":
                form[name] = data.draw(VALUE, label=name)
            elif choice == "many":
                form[name] = data.draw(st.lists(VALUE, max_size=4), label=name)
        for name in file_fields:
            content = data.draw(st.one_of(st.binary(max_size=3000),
                                          st.just(b"%PDF-1.4\n%%EOF")), label=name)
            filename = data.draw(st.sampled_from(["a.pdf", "../../x.pdf", "", "é😀.PDF",
                                                  "a.exe"]), label=name + " name")
            form[name] = (io.BytesIO(content), filename)
        before = _counts(app)
        response = client.post(url, data=form, content_type="multipart/form-data")
        body = response.get_data().decode("utf-8", "replace")  # exports are binary
        outcomes[response.status_code] = outcomes.get(response.status_code, 0) + 1
        assert response.status_code < 500, (response.status_code, form)
        assert "Traceback" not in body
        if response.status_code >= 400:
            assert _counts(app) == before, ("rows changed on a refused post", form)

    post()
    assert sum(outcomes.values()) >= min(EXAMPLES, 5)


# --- every GET route, with ids and numbers beyond the database's integer range ------------

#: Ids in the path: the edges of 32- and 64-bit integers (PostgreSQL's INTEGER is 32-bit,
#: SQLite's 64-bit; Python's are unbounded).
EDGE_IDS = (-2**63, -1, 0, 1, 2**31 - 1, 2**31, 2**63 - 1, 2**63, 2**64)
#: Query-string values: the same edges, longer numbers, and what is not a number at all.
EDGE_VALUES = (*map(str, EDGE_IDS), "9" * 30, "-" + "9" * 30, "1" * 5000, "1.5", "1e309",
               "abc", "", " 7", "\u0663", "\x00", "NaN")
#: Query names tried on every route besides those a route turned out to read.
QUERY_NAMES = ("page", "theme", "comment", "section", "q", "version")


class _ReadArguments(ImmutableMultiDict):
    """request.args that notes which names a view reads: the test then tries each of them."""

    read: set[str] = set()

    def get(self, key, default=None, type=None):  # noqa: A002 (Werkzeug's signature)
        self.read.add(key)
        return super().get(key, default, type)

    def __getitem__(self, key):
        self.read.add(key)
        return super().__getitem__(key)

    def getlist(self, key, type=None):  # noqa: A002
        self.read.add(key)
        return super().getlist(key, type)


def _int_names(rule) -> list[str]:
    """The route's integer path arguments (ids)."""
    return [name for name, conv in rule._converters.items() if isinstance(conv, IntegerConverter)]


def _get_routes(app) -> list:
    return sorted((rule for rule in app.url_map.iter_rules()
                   if "GET" in (rule.methods or set()) and rule.endpoint != "static"),
                  key=lambda rule: rule.rule)


@pytest.mark.postgresql(reason="PostgreSQL's INTEGER refuses ids from 2**31, SQLite's only "
                                "from 2**63: every value that breaks SQLite breaks PostgreSQL")
def test_every_page_survives_ids_and_numbers_out_of_range(app, fuzz_world):
    """Every GET route, as a visitor, a participant and the team (an admin on admin pages):
    each integer path argument set to each edge id, and each query name the page reads (and
    the common ones) set to each edge value. No answer is a 5xx."""
    from flask import Request

    class Recording(Request):
        parameter_storage_class = _ReadArguments

    clients = {"visitor": app.test_client(), "participant": app.test_client(),
               "moderator": app.test_client(), "admin": app.test_client()}
    for role, email in (("participant", "owner@example.nl"), ("moderator", "mod@example.nl"),
                        ("admin", "admin@example.nl")):
        login(clients[role], email)
    routes = _get_routes(app)
    problems: list[str] = []
    calls = id_routes = 0

    def get(client, url, role):
        nonlocal calls
        calls += 1
        response = client.get(url)
        if response.status_code >= 500:
            problems.append(f"{response.status_code} GET {url!r} as {role}")
        return response

    app.request_class, usual = Recording, app.request_class
    try:
        for rule in routes:
            values = fuzz_world["open"] if rule.endpoint.startswith("contributions.") \
                else fuzz_world
            ints = _int_names(rule)
            id_routes += bool(ints)
            team = "admin" if ACCESS[rule.endpoint] == ADMIN else "moderator"
            for role in ("visitor", "participant", team):
                client = clients[role]
                for edge in EDGE_IDS if ints else ():
                    get(client, _url(rule, {**values, **dict.fromkeys(ints, edge)}), role)
                url = _url(rule, values)
                _ReadArguments.read = set()
                plain = get(client, url, role)
                read = sorted(_ReadArguments.read)
                if not read and plain.status_code in (302, 403, 404):
                    continue  # refused before the query string was read: it cannot matter
                for name in read:
                    for edge in EDGE_VALUES:
                        get(client, url + "?" + urlencode({name: edge}), role)
                names = sorted(set(read) | set(QUERY_NAMES))
                for edge in EDGE_VALUES:  # all at once, and the common names on every page
                    get(client, url + "?" + urlencode(dict.fromkeys(names, edge)), role)
    finally:
        app.request_class = usual
    assert problems == [], "\n".join(problems)
    assert id_routes >= 10
    print(f"\nfuzz GET: {len(routes)} routes ({id_routes} with ids), {calls} calls, "
          f"0 answers ≥ 500")


def test_every_form_with_an_id_in_its_address_refuses_ids_out_of_range(app, fuzz_world):
    """POST routes with an integer in the path, as the team with a valid CSRF token, at each
    edge id: no 5xx, and no row changes."""
    client = app.test_client()
    login(client, "admin@example.nl")
    token = csrf_token(client.get("/").get_data(as_text=True))
    routes = [rule for rule in app.url_map.iter_rules()
              if "POST" in (rule.methods or set()) and _int_names(rule)]
    before = _counts(app)
    problems = []
    for rule in routes:
        ints = _int_names(rule)
        values = fuzz_world["open"] if rule.endpoint.startswith("contributions.") else fuzz_world
        for edge in EDGE_IDS:
            if 1 <= edge < 2**31:
                continue  # ids a row can have: the route's own tests post to those
            url = _url(rule, {**values, **dict.fromkeys(ints, edge)})
            response = client.post(url, data={"csrf_token": token, "body": "Tekst",
                                              "reason": "Reden", "role": "staff"})
            if response.status_code >= 500:
                problems.append(f"{response.status_code} POST {url}")
    assert problems == [], "\n".join(problems)
    assert _counts(app) == before
    assert len(routes) >= 10
    print(f"\nfuzz POST ids: {len(routes)} routes × {len(EDGE_IDS) - 2} ids out of range, "
          "0 answers ≥ 500")
