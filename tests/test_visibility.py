"""One rule of what everyone reads (ModeratedMixin.is_shown): the same in Python and in SQL, and
the participation document lists exactly what the export page counts (the PDF limit), for every
state of a contribution or comment, hidden or not."""
from __future__ import annotations


import pytest
import sqlalchemy as sa

from participation.comments.models import Comment
from participation.contributions.models import Contribution
from participation.core.extensions import db
from participation.core.mixins import ModerationState
from participation.export import services
from participation.export.builder import build
from participation.processes.models import Process

from .factories import (make_comment, make_contribution, make_process, make_user,
                        open_feedback_round, publish_draft)

#: Every state a contribution or comment can be in, hidden by the team or not.
CASES = [(state, hidden) for state in ModerationState for hidden in (False, True)]


def _item(kind: str, state: ModerationState, hidden: bool, *, process, author, team, section):
    if kind == "contribution":
        item = make_contribution(process, process.themes[0], author, state=state.value,
                                 title=f"{state.value} {hidden}")
    else:
        item = make_comment(section, team if kind == "team reply" else author,
                            body=f"{kind} {state.value} {hidden}", state=state.value,
                            by_team=kind == "team reply")
    if hidden:
        item.hide(team, "Persoonsgegevens")
    return item


def _world(cases) -> dict:
    """A process with a contribution, a comment and a team reply in each of `cases`."""
    process = make_process("zichtbaar")
    team = make_user("team@example.nl", role="moderator", name="Moderator")
    author = make_user("auteur@example.nl", name="Auteur")
    other = make_user("lezer@example.nl", name="Lezer")
    version = publish_draft(process, team)
    open_feedback_round(process)
    section = version.sections[1]
    for state, hidden in cases:
        for kind in ("contribution", "comment", "team reply"):
            _item(kind, state, hidden, process=process, author=author, team=team,
                  section=section)
    db.session.commit()
    return {"process_id": process.id, "author_id": author.id, "other_id": other.id}


def _listed(document) -> int:
    return sum(len(s.items) for s in document.stakeholders)


@pytest.mark.parametrize("state,hidden", CASES, ids=[f"{s.value}-{'hidden' if h else 'shown'}"
                                                     for s, h in CASES])
def test_the_document_lists_what_the_export_page_counts(app_ctx, state, hidden):
    world = _world([(state, hidden)])
    process = db.session.get(Process, world["process_id"])
    for public in (True, False):
        document = build(process, public=public)
        assert _listed(document) == document.item_count
        assert services.item_count(process, public=public) == document.item_count
    # What each version holds, so that agreeing on nothing would not pass: the public version
    # only what everyone reads; the internal one all but withdrawn input; never the team's own
    # replies (they are printed under what they answer, not counted as input).
    public_items = build(process, public=True).item_count
    internal_items = build(process, public=False).item_count
    shown = state is ModerationState.published and not hidden
    assert public_items == (2 if shown else 0)
    assert internal_items == (0 if state is ModerationState.withdrawn else 2)


@pytest.mark.parametrize("model", [Contribution, Comment])
def test_is_shown_is_the_same_in_python_and_in_sql(app_ctx, model):
    world = _world(CASES)
    in_sql = dict(db.session.execute(sa.select(model.id, model.is_shown)).all())
    hidden_in_sql = dict(db.session.execute(sa.select(model.id, model.is_hidden)).all())
    items = list(db.session.scalars(sa.select(model)))
    assert len(items) == len(CASES) * (1 if model is Contribution else 2)
    for item in items:
        assert item.is_shown is bool(in_sql[item.id])
        assert item.is_shown is (item.state is ModerationState.published
                                 and item.hidden_at is None)
        assert item.is_hidden is bool(hidden_in_sql[item.id]) is (item.hidden_at is not None)
    filtered = set(db.session.scalars(sa.select(model.id).where(model.is_shown)))
    assert filtered == {item.id for item in items if item.is_shown}
    assert filtered  # published and not hidden is among the cases

    for reader in (None, world["author_id"], world["other_id"]):
        to_reader = dict(db.session.execute(
            sa.select(model.id, model.is_shown_to(reader))).all())
        for item in items:
            own_pending = (reader is not None and item.author_id == reader
                           and item.state is ModerationState.pending and item.hidden_at is None)
            assert item.is_shown_to(reader) is (item.is_shown or own_pending)
            assert item.is_shown_to(reader) is bool(to_reader[item.id])


def test_hide_and_unhide(app_ctx):
    world = _world([(ModerationState.published, False)])
    item = db.session.scalar(sa.select(Contribution))
    team = make_user("tweede@example.nl", role="moderator", name="Tweede")
    assert item.is_shown and not item.is_hidden
    item.hide(team, "Scheldwoorden")
    db.session.commit()
    assert (item.is_hidden, item.is_shown) == (True, False)
    assert (item.hidden_by_id, item.hidden_reason) == (team.id, "Scheldwoorden")
    assert item.hidden_at is not None
    assert item.is_shown_to(world["author_id"]) is False
    item.unhide()
    db.session.commit()
    assert (item.hidden_at, item.hidden_by_id, item.hidden_reason) == (None, None, None)
    assert item.is_shown and db.session.scalar(
        sa.select(sa.func.count()).select_from(Contribution).where(Contribution.is_shown)) == 1
