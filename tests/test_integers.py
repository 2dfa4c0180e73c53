"""Ids and numbers from outside beyond what the database's integer columns hold (32-bit on
PostgreSQL, 64-bit on SQLite): an id in the address is "page not found", a number in the query
string counts as not given, a number in a form is an error next to the field. Never a 500."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from participation.comments.models import Comment
from participation.contributions.models import Contribution
from participation.core.mixins import ModerationState
from participation.drafts.models import Section
from participation.core.extensions import db
from participation.moderation.models import Response

from .factories import (csrf_token, field_errors, login, make_comment, make_contribution,
                        make_organisation, make_process, make_user, open_feedback_round,
                        publish_draft, submit)
from .test_round_one import give

#: Beyond PostgreSQL's INTEGER, beyond SQLite's (and Python's sqlite3 driver's) 64 bits, and
#: the smallest id no row can have.
OUT_OF_RANGE = (2**31, 2**63, 2**64, 10**30, 0)


@pytest.fixture
def process_with_input(app):
    """An open, post-moderated process with two published contributions from one participant."""
    with app.app_context():
        process = make_process()
        author = make_user(organisation=make_organisation("Drenth Logistiek BV"))
        first = make_contribution(process, process.themes[0], author, title="Ruimte voor opslag",
                                  body="Meer stageplekken nodig")
        make_contribution(process, process.themes[1], author, title="Werk in de regio")
        db.session.commit()
        return {"contribution_id": first.id,
                "themes": {t.title: t.id for t in process.themes}}


@pytest.fixture
def comment_id(app):
    """A process in round 2 with a published draft and one comment of the participant."""
    with app.app_context():
        process = make_process()
        open_feedback_round(process)
        moderator = make_user("mod@example.nl", role="moderator", name="Mod")
        author = make_user()
        version = publish_draft(process, moderator)
        section = next(s for s in version.sections if s.number == "2.2")
        comment = make_comment(section, author, "Een reactie van Pieter")
        db.session.commit()
        return comment.id


def _not_found(response) -> bool:
    return response.status_code == 404 and "Pagina niet gevonden" in response.get_data(as_text=True)


@pytest.mark.parametrize("number", OUT_OF_RANGE)
def test_a_contribution_id_out_of_range_is_not_found(client, process_with_input, number):
    assert client.get(f"/p/economie/input/{process_with_input['contribution_id']}"
                      ).status_code == 200
    assert _not_found(client.get(f"/p/economie/input/{number}"))
    login(client)
    assert _not_found(client.get(f"/p/economie/input/{number}/edit"))
    assert _not_found(client.get(f"/p/economie/input/{number}/withdraw"))


@pytest.mark.parametrize("number", OUT_OF_RANGE)
def test_comment_edit_and_withdraw_out_of_range_are_not_found(client, app, comment_id, number):
    login(client)
    assert client.get(f"/p/economie/comments/{comment_id}/edit").status_code == 200
    token = csrf_token(client.get(f"/p/economie/comments/{comment_id}/edit")
                       .get_data(as_text=True))
    for action in ("edit", "withdraw"):
        assert _not_found(client.get(f"/p/economie/comments/{number}/{action}"))
        response = client.post(f"/p/economie/comments/{number}/{action}",
                               data={"csrf_token": token, "body": "Overschreven"})
        assert _not_found(response)
    with app.app_context():
        comment = db.session.get(Comment, comment_id)
        assert comment.body_md == "Een reactie van Pieter" and comment.withdrawn_at is None


def test_query_numbers_out_of_range_count_as_not_given(client, process_with_input):
    every = client.get("/p/economie/input").get_data(as_text=True)
    assert "2 bijdragen" in every
    for name in ("theme", "page"):
        for value in ("99999999999999999999", str(2**31), str(2**63), "-1", "-" + "9" * 30):
            html = client.get(f"/p/economie/input?{name}={value}").get_data(as_text=True)
            assert "2 bijdragen" in html and "Ruimte voor opslag" in html, (name, value)
    theme = process_with_input["themes"]["Werklocaties"]
    assert "1 bijdrage" in client.get(f"/p/economie/input?theme={theme}").get_data(as_text=True)


def test_draft_version_and_thread_numbers_out_of_range(client, app, comment_id):
    assert "Een reactie van Pieter" in client.get(
        "/p/economie/draft/s/2.2?page=9223372036854775808&comment=18446744073709551616"
    ).get_data(as_text=True)
    # A version number no version can have reads the latest, as without one.
    assert client.get(f"/p/economie/draft?version={2**63}").status_code == 200


def test_a_search_with_a_nul_character_searches_without_it(client, process_with_input):
    html = client.get("/p/economie/input?q=%00stageplekken").get_data(as_text=True)
    assert "1 bijdrage" in html and "Ruimte voor opslag" in html


@pytest.mark.parametrize("number", [2**31, 2**63, 10**30, -1])
def test_a_theme_number_out_of_range_is_a_field_error(client, app, process_with_input, number):
    login(client)
    for _attempt in range(2):  # sent again after the error: the same answer, nothing stored
        response = give(client, number, title="Mijn titel", body="Mijn zorgvuldig getypte tekst")
        html = response.get_data(as_text=True)
        assert response.status_code == 200
        assert any(e.startswith("theme_id:") for e in field_errors(html))
        assert "Mijn zorgvuldig getypte tekst" in html
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Contribution)) == 2


def test_bulk_moderation_skips_items_out_of_range(client, app):
    with app.app_context():
        process = make_process(moderation="pre")
        make_user("mod@example.nl", role="moderator", name="Mod")
        author = make_user()
        item = make_contribution(process, process.themes[0], author, title="Wacht",
                                 state="pending")
        db.session.commit()
        item_id = item.id
    login(client, "mod@example.nl")
    html = client.get("/p/economie/moderation").get_data(as_text=True)
    assert f"contribution:{item_id}" in html
    items = [f"contribution:{2**63}", f"contribution:{2**31}", "contribution:\u00b2",
             f"contribution:{item_id}"]
    for _attempt in range(2):  # the second time the item is no longer pending: skipped
        response = client.post("/p/economie/moderation/bulk", data={
            "csrf_token": csrf_token(html), "action": "approve", "items": items})
        assert response.status_code == 302
    with app.app_context():
        assert db.session.get(Contribution, item_id).state is ModerationState.published


def test_moderation_response_with_a_section_out_of_range_is_a_field_error(client, app):
    with app.app_context():
        process = make_process()
        open_feedback_round(process)
        moderator = make_user("mod@example.nl", role="moderator", name="Mod")
        item = make_contribution(process, process.themes[0], make_user(),
                                 title="Te beantwoorden")
        publish_draft(process, moderator)
        db.session.commit()
        item_id = item.id
        lineage = db.session.scalar(sa.select(Section.lineage_id).where(Section.number == "2.2"))
    login(client, "mod@example.nl")
    page_url = f"/p/economie/moderation/contribution/{item_id}"
    for sections in ([str(2**63)], [str(lineage), str(2**31)]):
        response = submit(client, page_url + "/response",
                          {"disposition": "adopted", "body": "Ons antwoord",
                           "sections": sections}, page_url=page_url)
        html = response.get_data(as_text=True)
        assert response.status_code == 400
        assert any(e.startswith("sections:") for e in field_errors(html)), field_errors(html)
        assert "Ons antwoord" in html
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Response)) == 0
    assert _not_found(client.get(f"/p/economie/moderation/contribution/{2**31}"))


def test_draft_preview_choices_that_are_not_numbers_count_as_new_sections(client, app):
    """"²" passes str.isdigit() but is no number for int(): the choice is "new", not a 500."""
    from participation.drafts.models import DraftVersion
    from participation.drafts.parsing import parse_markdown
    from participation.drafts.services import add_version

    from .factories import DRAFT_MD

    with app.test_request_context():
        process = make_process()
        open_feedback_round(process)
        moderator = make_user("mod@example.nl", role="moderator", name="Mod")
        publish_draft(process, moderator)
        preview = add_version(process, parse_markdown(DRAFT_MD), source_kind="markdown",
                              source_name="v2.md", by=moderator)
        db.session.commit()
        preview_id, section_ids = preview.id, [s.id for s in preview.sections]
    login(client, "mod@example.nl")
    url = f"/p/economie/draft/preview/{preview_id}"
    token = csrf_token(client.get(url).get_data(as_text=True))
    choices = {f"match-{sid}": "\u00b2" for sid in section_ids}
    checked = client.post(url, data={"csrf_token": token, "action": "check",
                                     "warned": f"\u00b2,{2**63}", **choices})
    assert checked.status_code == 200
    published = client.post(url, data={"csrf_token": token, "action": "publish",
                                       "warned": f"\u00b2,{2**63}", **choices})
    assert published.status_code == 302
    with app.app_context():
        assert db.session.get(DraftVersion, preview_id).published_at is not None
        assert db.session.scalars(sa.select(Section.previous_id).where(
            Section.version_id == preview_id)).all() == [None] * len(section_ids)
