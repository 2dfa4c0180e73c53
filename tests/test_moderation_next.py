"""After a response the team goes on to the next item without a published response, in the
list it came from; after the last one, back to that list."""
from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
import sqlalchemy as sa

from participation.accounts.models import User
from participation.core.extensions import db
from participation.core.timeutil import utcnow
from participation.moderation.models import Disposition, Response, TargetType
from participation.moderation.services import get_item, save_response
from participation.processes.models import Process

from .factories import (login, make_comment, make_contribution, make_process, make_user,
                        open_feedback_round, publish_draft, submit)


@pytest.fixture
def line(app):
    """Published items a minute apart, oldest first: three contributions on the first theme,
    one on the second, one comment; two moderators."""
    with app.app_context():
        process = make_process()
        open_feedback_round(process)
        make_user("mod@example.nl", role="moderator", name="Mod", locale="en")
        make_user("mod2@example.nl", role="moderator", name="Mod Twee")
        resident = make_user("inwoner@example.nl", name="Ans")
        moderator = db.session.scalar(sa.select(User).where(User.email == "mod@example.nl"))
        section = {s.number: s for s in publish_draft(process, moderator).sections}["2.2"]
        start = utcnow() - timedelta(hours=1)
        themes = [process.themes[0]] * 3 + [process.themes[1]]
        items = [make_contribution(process, theme, resident, title=f"Inbreng {n}",
                                   created_at=start + timedelta(minutes=n))
                 for n, theme in enumerate(themes)]
        comment = make_comment(section, resident, "Een reactie.",
                               created_at=start + timedelta(minutes=10))
        db.session.commit()
        return {"contributions": [c.id for c in items], "comment": comment.id,
                "themes": [process.themes[0].id, process.themes[1].id]}


def _answer(client, kind: str, item_id: int, action="publish", query=""):
    page_url = f"/p/economie/moderation/{kind}/{item_id}{query}"
    response = submit(client, f"/p/economie/moderation/{kind}/{item_id}/response{query}", {
        "disposition": "noted", "body": "Dank voor uw inbreng.", "action": action},
        page_url=page_url)
    assert response.status_code == 302, response.status_code
    return response.headers["Location"]


def _answer_as_colleague(app, kind: TargetType, item_id: int, *, publish: bool) -> None:
    with app.test_request_context():  # publishing mails the author a link
        process = db.session.scalar(sa.select(Process))
        colleague = db.session.scalar(sa.select(User).where(User.email == "mod2@example.nl"))
        save_response(process, kind, get_item(process, kind, item_id), colleague,
                      disposition=Disposition.adopted, body_md="Antwoord van een collega.",
                      lineage_ids=[], publish=publish)
        db.session.commit()


def test_a_published_response_leads_to_the_next_unanswered_item(client, app, line):
    login(client, "mod@example.nl")
    first, second = line["contributions"][:2]
    location = _answer(client, "contribution", first)
    assert urlsplit(location).path == f"/p/economie/moderation/contribution/{second}"
    page = client.get(location).get_data(as_text=True)
    assert "The response has been published" in page
    # A way back to the list and to the item just answered.
    assert '<a href="/p/economie/moderation">Back to the list</a>' in page
    assert (f'<a href="/p/economie/moderation/contribution/{first}">Back to the item you just '
            'answered</a>') in page
    with app.app_context():
        assert db.session.scalar(sa.select(Response.published_at).where(
            Response.target_id == first)) is not None


def test_a_draft_also_goes_on_and_stays_unanswered(client, app, line):
    login(client, "mod@example.nl")
    first, second = line["contributions"][:2]
    assert urlsplit(_answer(client, "contribution", first, action="save")).path == \
        f"/p/economie/moderation/contribution/{second}"
    # The draft is no answer yet: it is still in the list of items without one.
    unanswered = client.get("/p/economie/moderation?state=unanswered").get_data(as_text=True)
    assert f'value="contribution:{first}"' in unanswered


def test_an_item_a_colleague_answered_meanwhile_is_passed_by(client, app, line):
    login(client, "mod@example.nl")
    first, second, third, _ = line["contributions"]
    _answer_as_colleague(app, TargetType.contribution, second, publish=True)
    location = _answer(client, "contribution", first)
    assert urlsplit(location).path == f"/p/economie/moderation/contribution/{third}"


def test_a_colleagues_draft_does_not_count_as_an_answer(client, app, line):
    login(client, "mod@example.nl")
    first, second = line["contributions"][:2]
    _answer_as_colleague(app, TargetType.contribution, second, publish=False)
    assert urlsplit(_answer(client, "contribution", first)).path == \
        f"/p/economie/moderation/contribution/{second}"


def test_after_the_last_item_the_team_is_back_at_the_list_with_a_message(client, app, line):
    login(client, "mod@example.nl")
    location = _answer(client, "comment", line["comment"], query="?state=unanswered")
    assert urlsplit(location).path == "/p/economie/moderation"
    assert parse_qs(urlsplit(location).query) == {"state": ["unanswered"]}
    page = client.get(location).get_data(as_text=True)
    assert "That was the last item without a published response in this list." in page
    # The list still shows the items before it that wait for an answer.
    assert f'value="contribution:{line["contributions"][0]}"' in page
    assert f'value="comment:{line["comment"]}"' not in page


def test_the_next_item_is_taken_from_the_theme_the_list_showed(client, app, line):
    """From the list of the first theme: after its last contribution, back to that list, not
    on to the other theme's contribution or the comment."""
    login(client, "mod@example.nl")
    first, second, third, _ = line["contributions"]
    query = f"?state=unanswered&theme={line['themes'][0]}"
    queue = client.get("/p/economie/moderation" + query).get_data(as_text=True)
    # The list's links carry the filter to the item, and its form carries it on.
    assert f"/p/economie/moderation/contribution/{first}?state=unanswered&amp;theme=" in queue
    location = _answer(client, "contribution", second, query=query)
    assert urlsplit(location).path == f"/p/economie/moderation/contribution/{third}"
    assert parse_qs(urlsplit(location).query)["theme"] == [str(line["themes"][0])]
    location = _answer(client, "contribution", third, query=query)
    assert urlsplit(location).path == "/p/economie/moderation"
    assert parse_qs(urlsplit(location).query)["theme"] == [str(line["themes"][0])]
