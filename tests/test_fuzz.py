"""Fuzzing every form: Hypothesis posts arbitrary text, numbers, ids and files to every POST
route of the URL map, as a person allowed to use it, with a valid CSRF token. Whatever comes in:
no 500, no traceback in the answer, and a refused post leaves every table as it was (no
partial rows). The number of examples per form comes from FUZZ_EXAMPLES (default 20)."""
from __future__ import annotations

import io
import os
import re

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from participation.extensions import db

from .conftest import csrf_token, login
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
    with app.app_context():
        return {table.name: db.session.scalar(sa.select(sa.func.count()).select_from(table))
                for table in db.metadata.sorted_tables if table.name != "outbox_message"}


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
