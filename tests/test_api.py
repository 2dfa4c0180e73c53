"""The open-data API (/api/v1): valid OpenAPI 3, fuzzed from its own document (schemathesis),
the same published items as the public participation document and nothing more, ETags, CORS,
the API-Version header, paging, filters, problem+json errors, the rate limit, and a query
count that does not grow with the data."""
from __future__ import annotations

import json
import re

import pytest
import schemathesis
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode

from participation.accounts.models import User
from participation.comments.models import Comment
from participation.contributions.models import Contribution
from participation.core.config import Defaults
from participation.core.extensions import db
from participation.core.mixins import ModerationState
from participation.drafts.services import latest_published
from participation.moderation.models import Disposition, TargetType
from participation.processes.models import Process, Round

from .factories import make_contribution, make_process, make_user

SLUG = "economische-agenda-2026-2030"
BASE = f"/api/v1/processes/{SLUG}"
EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+")


# --- the world ------------------------------------------------------------------------------

def _seed(app) -> dict:
    """The demo, with items of every state the public document leaves out, published responses
    (one naming two sections, one to a comment), a draft response, and an invite-only process."""
    from participation.moderation.services import hide, reject, save_response

    assert app.test_cli_runner().invoke(args=["demo"]).exit_code == 0
    with app.test_request_context():
        process = db.session.scalar(sa.select(Process).where(Process.slug == SLUG))
        moderator = db.session.scalar(sa.select(User).where(User.role == "moderator"))
        contributions = list(db.session.scalars(
            sa.select(Contribution).join(Round, Round.id == Contribution.round_id)
            .where(Contribution.state == ModerationState.published,
                   Round.process_id == process.id)
            .order_by(Contribution.id)))
        comments = list(db.session.scalars(
            sa.select(Comment).join(Round, Round.id == Comment.round_id)
            .where(Comment.state == ModerationState.published, Comment.by_team.is_(False),
                   Comment.parent_id.is_(None), Round.process_id == process.id)
            .order_by(Comment.id)))
        assert len(contributions) >= 8 and len(comments) >= 3
        lineages = [s.lineage_id for s in latest_published(process).sections]
        hidden, pending, rejected, withdrawn = contributions[:4]
        hide(process, TargetType.contribution, hidden, moderator, "Persoonsgegevens")
        pending.state = ModerationState.pending
        rejected.state = ModerationState.pending
        reject(process, TargetType.contribution, rejected, moderator, "Buiten het onderwerp")
        withdrawn.state = ModerationState.withdrawn
        hide(process, TargetType.comment, comments[0], moderator, "Beledigend")
        answered, partly, drafted = contributions[4:7]
        save_response(process, TargetType.contribution, answered, moderator,
                      disposition=Disposition.adopted, body_md="We nemen dit over.",
                      lineage_ids=lineages[1:3], publish=True)
        save_response(process, TargetType.contribution, partly, moderator,
                      disposition=Disposition.partly, body_md="We nemen dit deels mee.",
                      lineage_ids=[lineages[2]], publish=True)
        save_response(process, TargetType.contribution, drafted, moderator,
                      disposition=Disposition.noted, body_md="Concept van het team.",
                      lineage_ids=[], publish=False)
        save_response(process, TargetType.comment, comments[1], moderator,
                      disposition=Disposition.already, body_md="Staat al in de agenda.",
                      lineage_ids=[lineages[0]], publish=True)
        # A response to an item the team hid afterwards: not published with it.
        save_response(process, TargetType.comment, comments[0], moderator,
                      disposition=Disposition.adopted, body_md="Antwoord op verborgen reactie.",
                      lineage_ids=[], publish=True)
        db.session.commit()
        secret = make_process("besloten", public=False)
        insider = make_user("insider@example.nl", name="Ingrid Binnen")
        make_contribution(secret, secret.themes[0], insider, title="Besloten inbreng")
        db.session.commit()
        return {"left_out": {hidden.id, pending.id, rejected.id, withdrawn.id},
                "hidden_comment": comments[0].id, "answered": answered.id, "partly": partly.id,
                "drafted": drafted.id, "answered_comment": comments[1].id,
                "lineages": lineages, "themes": [t.id for t in process.themes]}


@pytest.fixture
def world(app):
    return _seed(app)


def _all(client, url: str, key: str) -> list[dict]:
    """Every row of a paged collection, following its next links."""
    rows, page = [], client.get(url)
    while True:
        assert page.status_code == 200, page.get_data(as_text=True)
        body = page.get_json()
        rows += body[key]
        if "next" not in body["_links"]:
            return rows
        page = client.get(body["_links"]["next"]["href"])


# --- the OpenAPI document and schemathesis --------------------------------------------------

def test_openapi_document_is_valid_openapi_3(client):
    from openapi_spec_validator import validate

    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    spec = response.get_json()
    validate(spec)  # raises on any error
    assert spec["openapi"].startswith("3.")
    assert spec["servers"] == [{"url": "http://localhost/api/v1"}]
    assert spec["info"]["version"] == response.headers["API-Version"]


#: Generated requests per operation and mode (positive: what the document allows; negative:
#: what it does not, which must be refused with a 4xx).
EXAMPLES = 30


def test_every_answer_matches_the_openapi_document(app, world):
    """schemathesis, from /api/v1/openapi.json against the app: generated requests to every
    operation, valid and invalid; no 5xx, and every answer (status, content type, headers,
    body) as the document declares it; invalid requests refused with a 4xx.
    (schemathesis' pytest plugin cannot reach this test's seeded app through a fixture on
    pytest 9, so its Python API runs the cases here.)"""
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    ids = {"contributions": world["answered"], "comments": world["answered_comment"]}
    cases: dict[str, int] = {}
    operations = [result.ok() for result in schema.get_all_operations()]
    for operation in operations:
        # Without parameters nothing can be sent wrong: no negative cases.
        modes = (GenerationMode.POSITIVE, GenerationMode.NEGATIVE) if \
            operation.definition.raw.get("parameters") else (GenerationMode.POSITIVE,)
        for mode in modes:
            _fuzz(operation, mode, ids, cases)
    print(f"schemathesis: {sum(cases.values())} cases over {len(cases)} operations")
    assert len(operations) == 12 and set(cases) == {o.label for o in operations}


def _fuzz(operation, mode: GenerationMode, ids: dict[str, int], cases: dict[str, int]) -> None:
    """EXAMPLES generated requests to `operation`, each checked against the document. Three
    in four positive requests name the demo process and, for an item, two in three one of its
    published ids, so they reach the data; the rest keep what schemathesis made (404s)."""
    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    def check(case):
        seen = cases[operation.label] = cases.get(operation.label, 0) + 1
        params = case.path_parameters or {}
        # Negative cases keep what was made wrong.
        if mode is GenerationMode.POSITIVE and "slug" in params and seen % 4:
            params["slug"] = SLUG
            if "id" in params and seen % 3:
                params["id"] = ids.get(operation.path.split("/")[3], params["id"])
        # The WSGI transport does not decompress what Flask-Compress sends.
        case.call_and_validate(headers={"Accept-Encoding": "identity"})
    check()


# --- the same as the public document --------------------------------------------------------

def test_published_items_equal_the_public_documents(client, app, world):
    from participation.export.services import document

    contributions = _all(client, f"{BASE}/contributions?per_page=100", "contributions")
    comments = _all(client, f"{BASE}/comments?per_page=100", "comments")
    responses = _all(client, f"{BASE}/responses?per_page=100", "responses")
    with app.test_request_context():
        process = db.session.scalar(sa.select(Process).where(Process.slug == SLUG))
        content = document(process, public=True, language="nl")
        expected = {(item.kind, item.id): (stakeholder.name, item) for stakeholder, item
                    in content.items()}
    got = {("contribution", c["id"]): c for c in contributions}
    got |= {("comment", c["id"]): c for c in comments}
    assert set(got) == set(expected)
    for key, (name, item) in expected.items():
        row = got[key]
        assert row["stakeholder"]["name"] == name
        assert row["text"] == item.text_md and row["text_html"] == item.text_html
        if item.kind == "contribution":
            assert (row["title"], row["theme"]["title"]) == (item.title, item.topic)
        else:
            assert row["section"]["name"] == item.topic
            assert [r["text"] for r in row["team_replies"]] == [
                r.text_md for r in item.team_replies]
            assert (row["in_reply_to"] or {}).get("summary") == item.in_reply_to
        answer = row["response"]
        assert (answer and answer["disposition"]) == item.disposition
        if answer:
            assert answer["text"] == item.response_md
            assert [s["name"] for s in answer["sections"]] == item.response_sections
    answered = {(i.kind, i.id): i for _n, i in expected.values() if i.disposition}
    assert {(r["target"]["type"], r["target"]["id"]) for r in responses} == set(answered)
    assert len(responses) == 3
    residents = [c["stakeholder"]["name"] for c in got.values()
                 if c["stakeholder"]["kind"] == "individual"]
    assert residents and all(re.fullmatch(r"Inwoner \d+", n) for n in residents)


def test_a_response_names_its_sections_by_their_ids(client, world):
    row = client.get(f"{BASE}/contributions/{world['answered']}").get_json()
    sections = {s["id"]: s for s in _all(client, f"{BASE}/sections?per_page=100", "sections")}
    assert row["response"]["disposition"] == "adopted"
    linked = [s["id"] for s in row["response"]["sections"]]
    assert sorted(linked) == sorted(world["lineages"][1:3])
    for ref in row["response"]["sections"]:
        assert ref["name"] == sections[ref["id"]]["name"]


def test_hidden_pending_rejected_withdrawn_and_drafts_never_appear(client, world):
    contributions = _all(client, f"{BASE}/contributions?per_page=100", "contributions")
    ids = {c["id"] for c in contributions}
    assert ids and not ids & world["left_out"]
    for item_id in world["left_out"]:
        answer = client.get(f"{BASE}/contributions/{item_id}")
        assert answer.status_code == 404 and answer.mimetype == "application/problem+json"
    comments = {c["id"] for c in _all(client, f"{BASE}/comments?per_page=100", "comments")}
    assert world["answered_comment"] in comments and world["hidden_comment"] not in comments
    assert client.get(f"{BASE}/comments/{world['hidden_comment']}").status_code == 404
    drafted = client.get(f"{BASE}/contributions/{world['drafted']}").get_json()
    assert drafted["response"] is None
    texts = json.dumps(_all(client, f"{BASE}/responses?per_page=100", "responses"))
    assert "Concept van het team" not in texts and "verborgen reactie" not in texts


def test_invite_only_processes_are_not_open_data(client, world):
    slugs = [p["slug"] for p in _all(client, "/api/v1/processes", "processes")]
    assert SLUG in slugs and "besloten" not in slugs
    for path in ("", "/contributions", "/themes"):
        answer = client.get(f"/api/v1/processes/besloten{path}")
        assert answer.status_code == 404, path


def test_no_email_address_or_resident_name_in_any_answer(client, app, world):
    text = client.get("/api/v1/").get_data(as_text=True)
    text += client.get("/api/v1/openapi.json").get_data(as_text=True)
    for process in _all(client, "/api/v1/processes", "processes"):
        text += json.dumps(process, ensure_ascii=False)
        for name, link in process["_links"].items():
            if name != "self":
                text += json.dumps(_all(client, link["href"] + "?per_page=100", name),
                                   ensure_ascii=False)
    assert "Inwoner 1" in text  # the residents are there, by number
    assert not EMAIL.search(text), EMAIL.search(text)
    with app.app_context():
        names = list(db.session.scalars(sa.select(User.name).where(User.name != "")))
    assert len(names) > 5
    for name in names:
        assert name not in text, name


# --- HTTP: ETag, CORS, version, errors ------------------------------------------------------

def test_an_unchanged_answer_is_304_and_a_change_makes_a_new_etag(client, app, world):
    url = f"{BASE}/contributions?per_page=5"
    first = client.get(url)
    etag = first.headers["ETag"]
    assert etag and first.headers["Cache-Control"] == "public, no-cache"
    again = client.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    assert again.headers["ETag"] == etag and again.headers["API-Version"] == "1.0.0"
    with app.test_request_context():
        from participation.moderation.services import hide

        process = db.session.scalar(sa.select(Process).where(Process.slug == SLUG))
        moderator = db.session.scalar(sa.select(User).where(User.role == "moderator"))
        shown = first.get_json()["contributions"][0]["id"]
        hide(process, TargetType.contribution, db.session.get(Contribution, shown), moderator,
             "Later verborgen")
        db.session.commit()
    changed = client.get(url, headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag
    assert shown not in [c["id"] for c in changed.get_json()["contributions"]]


def test_every_answer_has_api_version_and_cors_and_no_cookie(client, world):
    for url, status in (("/api/v1/", 200), (f"{BASE}/themes", 200), ("/api/v1/nothing", 404),
                        (f"{BASE}/contributions?per_page=0", 400),
                        ("/api/v1/processes/geen-traject/comments", 404)):
        answer = client.get(url, headers={"Origin": "https://data.example"})
        assert answer.status_code == status, url
        assert answer.headers["API-Version"] == "1.0.0"
        assert answer.headers["Access-Control-Allow-Origin"] == "*"
        assert "Access-Control-Allow-Credentials" not in answer.headers
        assert "Set-Cookie" not in answer.headers, url
        if status != 200:
            assert answer.mimetype == "application/problem+json"
            assert answer.get_json()["status"] == status
    # A page elsewhere asking with If-None-Match sends a preflight first.
    preflight = client.options(f"{BASE}/contributions", headers={
        "Origin": "https://data.example", "Access-Control-Request-Method": "GET",
        "Access-Control-Request-Headers": "if-none-match"})
    assert preflight.status_code == 200
    assert "If-None-Match" in preflight.headers["Access-Control-Allow-Headers"]
    assert "GET" in preflight.headers["Access-Control-Allow-Methods"]
    assert "ETag" in preflight.headers["Access-Control-Expose-Headers"]


def test_other_methods_are_refused_as_problems(client, world):
    for method in ("post", "put", "delete", "patch"):
        answer = getattr(client, method)(f"{BASE}/contributions")
        assert answer.status_code == 405, method
        assert answer.mimetype == "application/problem+json"
        assert "GET" in answer.headers["Allow"]
        assert answer.headers["API-Version"] == "1.0.0"


def test_wrong_parameters_are_named_in_the_problem(client, world):
    answer = client.get(f"{BASE}/contributions?per_page=101&theme=abc&disposition=maybe")
    assert answer.status_code == 400
    problem = answer.get_json()
    assert problem["status"] == 400 and problem["instance"] == f"{BASE}/contributions"
    assert {p["name"] for p in problem["invalid-params"]} == {"per_page", "theme", "disposition"}
    unknown = client.get(f"{BASE}/contributions?themes=3").get_json()
    assert [p["name"] for p in unknown["invalid-params"]] == ["themes"]


# --- paging and filters ---------------------------------------------------------------------

def test_pages_follow_each_other_and_cover_the_list(client, world):
    whole = client.get(f"{BASE}/contributions?per_page=100").get_json()
    paged = _all(client, f"{BASE}/contributions?per_page=3", "contributions")
    assert [c["id"] for c in paged] == [c["id"] for c in whole["contributions"]]
    second = client.get(f"{BASE}/contributions?per_page=3&page=2")
    body = second.get_json()
    assert (body["page"], body["per_page"], body["total"]) == (2, 3, whole["total"])
    assert body["pages"] == -(-whole["total"] // 3)
    assert body["_links"]["prev"]["href"].endswith("per_page=3&page=1")
    assert body["_links"]["next"]["href"].endswith("per_page=3&page=3")
    assert 'rel="next"' in second.headers["Link"]
    past = client.get(f"{BASE}/contributions?per_page=3&page=999").get_json()
    assert past["contributions"] == [] and "next" not in past["_links"]
    assert client.get(f"{BASE}/contributions").get_json()["per_page"] == 20


def test_filters_by_theme_section_disposition_and_round(client, world):
    everything = _all(client, f"{BASE}/contributions?per_page=100", "contributions")
    theme = everything[0]["theme"]["id"]
    by_theme = _all(client, f"{BASE}/contributions?theme={theme}&per_page=2", "contributions")
    assert by_theme and [c["id"] for c in by_theme] == [
        c["id"] for c in everything if c["theme"]["id"] == theme]
    adopted = _all(client, f"{BASE}/contributions?disposition=adopted", "contributions")
    assert [c["id"] for c in adopted] == [world["answered"]]

    comments = _all(client, f"{BASE}/comments?per_page=100", "comments")
    section = comments[0]["section"]["id"]
    in_section = _all(client, f"{BASE}/comments?section={section}&per_page=100", "comments")
    assert in_section and {c["section"]["id"] for c in in_section} == {section}
    assert len(in_section) == sum(1 for c in comments if c["section"]["id"] == section)

    responses = f"{BASE}/responses?per_page=100"
    feedback = _all(client, responses + "&round=feedback", "responses")
    assert [(r["target"]["type"], r["target"]["id"]) for r in feedback] == [
        ("comment", world["answered_comment"])]
    landed = _all(client, responses + f"&section={world['lineages'][2]}", "responses")
    assert {r["target"]["id"] for r in landed} == {world["answered"], world["partly"]}
    partly = _all(client, responses + "&disposition=partly", "responses")
    assert [r["target"]["id"] for r in partly] == [world["partly"]]
    assert _all(client, responses + f"&theme={theme}&round=feedback", "responses") == []


# --- the query count ------------------------------------------------------------------------

def test_a_page_takes_the_same_queries_at_10_and_100_items(client, app, count_queries):
    from participation.moderation.services import save_response

    with app.test_request_context():
        make_process(SLUG)
        make_user("team@example.nl", role="moderator", name="Team Lid")
        for i in range(5):
            make_user(f"p{i}@example.nl", name=f"Persoon {i}")

    def add(n: int, start: int) -> None:
        """`n` contributions, every other one with a published response."""
        with app.test_request_context():
            process = db.session.scalar(sa.select(Process).where(Process.slug == SLUG))
            moderator = db.session.scalar(sa.select(User).where(User.role == "moderator"))
            authors = list(db.session.scalars(sa.select(User).where(User.role == "participant")))
            for i in range(start, start + n):
                item = make_contribution(process, process.themes[i % 3], authors[i % 5],
                                         title=f"Inbreng {i}")
                db.session.flush()
                if i % 2:
                    save_response(process, TargetType.contribution, item, moderator,
                                  disposition=Disposition.noted, body_md="Dank.",
                                  lineage_ids=[], publish=True)
            db.session.commit()
    add(10, 0)

    def queries() -> dict[str, int]:
        counts = {}
        for path in ("contributions?per_page=100", "responses?per_page=100", "comments",
                     "themes"):
            with count_queries() as counter:
                assert client.get(f"{BASE}/{path}").status_code == 200
            counts[path] = counter.count
        return counts

    small = queries()
    add(90, 10)
    large = queries()
    assert client.get(f"{BASE}/contributions?per_page=100").get_json()["total"] == 100
    assert small == large


def test_a_crawl_builds_the_document_once_and_a_change_shows_after_the_cache_time(
        client, app, world, count_queries, monkeypatch):
    """With API_CACHE_SECONDS, the second page of a crawl costs the process lookup only, and
    a change shows once the kept items have expired (0: at once)."""
    monkeypatch.setitem(app.config, "API_CACHE_SECONDS", 3600)
    first = client.get(f"{BASE}/contributions?per_page=1")
    with count_queries() as counter:
        second = client.get(f"{BASE}/contributions?per_page=1&page=2")
    assert first.status_code == second.status_code == 200
    assert counter.count <= 2  # the process (and nothing of the document)
    before = first.get_json()["total"]
    with app.test_request_context():
        process = db.session.scalar(sa.select(Process).where(Process.slug == SLUG))
        author = db.session.scalar(sa.select(User).where(User.role == "participant"))
        make_contribution(process, process.themes[0], author, title="Nieuw na de crawl")
        db.session.commit()
    assert client.get(f"{BASE}/contributions").get_json()["total"] == before  # kept
    monkeypatch.setitem(app.config, "API_CACHE_SECONDS", 0)
    assert client.get(f"{BASE}/contributions").get_json()["total"] == before + 1


# --- the rate limit -------------------------------------------------------------------------

def test_over_the_rate_limit_a_problem_with_retry_after(app, database_url, smtp_server):
    from participation import create_app

    from .conftest import test_config

    limited = create_app({**test_config(database_url, smtp_server.port),
                          "RATELIMIT_ENABLED": True, "RATELIMIT_STORAGE_URI": "memory://",
                          "RATE_LIMITS": {**Defaults.RATE_LIMITS, "api": "3/minute"}})
    client = limited.test_client()
    for _ in range(3):
        assert client.get("/api/v1/processes").status_code == 200
    answer = client.get("/api/v1/processes")
    assert answer.status_code == 429
    assert answer.mimetype == "application/problem+json"
    assert 0 < int(answer.headers["Retry-After"]) <= 60
    assert answer.headers["API-Version"] == "1.0.0"
    assert answer.headers["Access-Control-Allow-Origin"] == "*"
    # The site's own pages are not counted by the API's limit.
    assert client.get("/").status_code == 200
