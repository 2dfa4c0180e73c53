"""The analysis of input (issue 17): groups of the same concern and near-duplicates, measured on
the labelled Dutch set (tests/data), without network; and the `analyse` command on the
database (SQLite and PostgreSQL), which reads only what everyone may read, in a fixed number of
queries."""
from __future__ import annotations

import json
import socket

import pytest
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics import adjusted_rand_score

from participation.analysis.grouping import (Item, _char_ngrams, analyse, group_labels,
                                             near_duplicates)
from participation.analysis.services import round_items
from participation.core.extensions import db
from participation.core.timeutil import utcnow
from participation.processes.models import RoundKind

from . import analysis_set
from .factories import (make_comment, make_contribution, make_process, make_user,
                        open_feedback_round, publish_draft)


@pytest.fixture(scope="module")
def labelled():
    return analysis_set.load()


@pytest.fixture
def no_network(monkeypatch):
    """Any socket the code opens fails: the analysis must need none (no model, no download)."""
    def refuse(*args, **kwargs):
        raise AssertionError("the analysis opened a network connection")
    monkeypatch.setattr(socket, "socket", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)


@pytest.fixture(scope="module")
def unseen():
    return analysis_set.load("unseen")


@pytest.mark.parametrize("name", ["nl", "unseen"])
@pytest.mark.once
def test_the_set_is_what_the_bench_says(name):
    labelled = analysis_set.load(name)
    concerns = {x.concern for x in labelled}
    assert len(labelled) >= 150 and len(concerns) >= 10
    # Concerns cut across themes: every one of them is raised under two themes or more.
    for concern in concerns:
        assert len({x.theme for x in labelled if x.concern == concern}) >= 2, concern
    assert len(analysis_set.duplicate_pairs(labelled)) >= 30
    assert len({x.item.id for x in labelled}) == len(labelled)


@pytest.mark.once
def test_groups_follow_the_concerns_without_being_told_how_many(labelled, no_network):
    labels = group_labels([x.item for x in labelled])
    assert adjusted_rand_score([x.concern for x in labelled], labels) >= 0.6
    assert 6 <= len(set(labels)) <= 30


@pytest.mark.once
def test_input_never_tuned_on_is_grouped_too(unseen, no_network):
    """The unseen set (other concerns, other words) was written before the last tuning and
    never used for it: the figure that says how the analysis does on a real round."""
    labels = group_labels([x.item for x in unseen])
    assert adjusted_rand_score([x.concern for x in unseen], labels) >= 0.6
    # The same input, the same groups: Louvain's random order is seeded.
    assert list(group_labels([x.item for x in unseen])) == list(labels)
    found = {frozenset(pair) for pair in near_duplicates([x.item for x in unseen])}
    truth = analysis_set.duplicate_pairs(unseen)
    assert len(found & truth) / len(found) >= 0.9 and len(found & truth) / len(truth) >= 0.9


@pytest.mark.once
def test_near_duplicates_are_the_networks_copies(labelled, no_network):
    found = {frozenset(pair) for pair in near_duplicates([x.item for x in labelled])}
    truth = analysis_set.duplicate_pairs(labelled)
    right = len(found & truth)
    assert right / len(found) >= 0.9  # precision
    assert right / len(truth) >= 0.9  # recall


@pytest.mark.once
def test_a_group_is_named_by_its_own_words(labelled, no_network):
    analysis = analyse([x.item for x in labelled])
    concern_of = {x.item.id: x.concern for x in labelled}
    assert sum(len(g.items) for g in analysis.groups) == len(labelled)
    by_concern = {}
    for group in analysis.groups:
        concerns = [concern_of[item.id] for item in group.items]
        main = max(set(concerns), key=concerns.count)
        if concerns.count(main) > len(by_concern.get(main, ((), ()))[1]):
            by_concern[main] = (group, [c for c in concerns if c == main])
    phrases = " ".join(by_concern["netcongestie"][0].key_phrases).lower()
    assert "net" in phrases or "stroom" in phrases, phrases
    assert "parkeren" in by_concern["parkeren"][0].key_phrases
    for group, _ in by_concern.values():
        assert group.label and group.label.split(", ")[0] == group.key_phrases[0]


@pytest.mark.once
def test_no_items_no_groups_and_one_item_one_group(no_network):
    assert analyse([]).groups == [] and analyse([]).near_duplicates == []
    single = analyse([Item(7, "contribution", "Parkeren", "Gratis parkeren op zaterdag.")])
    assert [[item.id for item in group.items] for group in single.groups] == [[7]]
    # Nothing but stop words: still one group per item, no error.
    empty = analyse([Item(1, "comment", "", "Ik ook."), Item(2, "comment", "", "En wij!"),
                     Item(3, "comment", "", "ja")])
    assert sorted(item.id for g in empty.groups for item in g.items) == [1, 2, 3]


# --- the command on the database --------------------------------------------------------------

def _round_one(app_ctx, labelled, count: int):
    process = make_process("economie")
    theme = process.themes[0]
    author = make_user("inbreng@example.nl")
    made = []
    for x in labelled[:count]:
        made.append(make_contribution(process, theme, author, title=x.item.title or "Inbreng",
                                      body=x.item.text))
    db.session.commit()
    return process, theme, author, made


def test_the_command_writes_the_shape_of_the_issue_with_only_shown_items(app_ctx, labelled,
                                                                          tmp_path, no_network_but_db):
    process, theme, author, made = _round_one(app_ctx, labelled, 40)
    hidden = make_contribution(process, theme, author, title="Verborgen",
                               body=labelled[0].item.text)
    hidden.hidden_at = utcnow()
    pending = make_contribution(process, theme, author, title="Nog niet beoordeeld",
                                body=labelled[1].item.text, state="pending")
    db.session.commit()
    output = tmp_path / "analyse.json"
    result = app_ctx.test_cli_runner().invoke(
        args=["analyse", "economie", "--round", "input", "--output", str(output)])
    assert result.exit_code == 0, result.output
    data = json.loads(output.read_text(encoding="utf-8"))
    assert set(data) == {"groups", "near_duplicates"}
    ids = []
    for group in data["groups"]:
        assert set(group) == {"label", "key_phrases", "items"}
        assert isinstance(group["label"], str) and group["label"]
        assert all(isinstance(p, str) for p in group["key_phrases"])
        for item in group["items"]:
            assert set(item) == {"id", "kind", "title"} and item["kind"] == "contribution"
            assert isinstance(item["id"], int) and isinstance(item["title"], str)
            ids.append(item["id"])
    assert sorted(ids) == sorted(c.id for c in made)  # not the hidden one, not the pending one
    assert hidden.id not in ids and pending.id not in ids
    shown = set(ids)
    for pair in data["near_duplicates"]:
        assert len(pair) == 2 and pair[0] < pair[1] and set(pair) <= shown
    # The first 40 items hold the netcongestie network's four letters: their pairs are found.
    letters = sorted(c.id for c, x in zip(made, labelled, strict=False)
                     if x.network == "netcongestie-brief")
    assert [letters[0], letters[1]] in data["near_duplicates"]
    assert "40 items" in result.output


def test_the_command_reads_round_two_comments_but_not_the_teams(app_ctx, tmp_path,
                                                                 no_network_but_db):
    process = make_process("economie")
    team = make_user("team@assen.example", role="moderator")
    reader = make_user("lezer@example.nl")
    version = publish_draft(process, team)
    open_feedback_round(process)
    section = version.sections[-1]
    texts = ["Netcongestie remt de groei van bedrijven op Messchenveld.",
             "Er is geen stroomaansluiting voor onze nieuwe hal, de netbeheerder zegt nee.",
             "Parkeren in de binnenstad is te duur voor bezoekers.",
             "De parkeertarieven in het centrum moeten omlaag."]
    comments = [make_comment(section, reader, body=text) for text in texts]
    answer = make_comment(section, team, body="Dank voor uw reactie over netcongestie.",
                          parent=comments[0], by_team=True)
    db.session.commit()
    output = tmp_path / "feedback.json"
    result = app_ctx.test_cli_runner().invoke(
        args=["analyse", "economie", "--round", "feedback", "--section", str(section.id),
              "--output", str(output)])
    assert result.exit_code == 0, result.output
    data = json.loads(output.read_text(encoding="utf-8"))
    items = [item for group in data["groups"] for item in group["items"]]
    assert sorted(item["id"] for item in items) == sorted(c.id for c in comments)
    assert answer.id not in {item["id"] for item in items}
    assert {item["kind"] for item in items} == {"comment"}
    # A comment has no title: the start of its text stands for it.
    assert {item["title"] for item in items} == set(texts)


def test_the_command_refuses_an_unknown_process_and_a_theme_of_another(app_ctx, tmp_path):
    make_process("economie")
    other = make_process("wonen")
    runner = app_ctx.test_cli_runner()
    output = str(tmp_path / "x.json")
    unknown = runner.invoke(args=["analyse", "bestaat-niet", "--output", output])
    assert unknown.exit_code != 0 and "bestaat-niet" in unknown.output
    foreign = runner.invoke(args=["analyse", "economie", "--theme", str(other.themes[0].id),
                                  "--output", output])
    assert foreign.exit_code != 0 and "theme" in foreign.output


def test_loading_a_round_takes_one_query_however_many_items(app_ctx, labelled, count_queries):
    process, theme, _, _ = _round_one(app_ctx, labelled, 60)
    theme_id, _ = theme.id, process.id  # loaded again after the commit, before counting
    with count_queries() as few:
        assert len(round_items(process, RoundKind.input, theme_id=theme_id)) == 60
    _round_one_more(process, theme, labelled[60:160])
    theme_id, _ = theme.id, process.id
    with count_queries() as many:
        assert len(round_items(process, RoundKind.input, theme_id=theme_id)) == 160
    assert few.count == many.count == 1


def _round_one_more(process, theme, more):
    author = make_user("meer@example.nl")
    for x in more:
        make_contribution(process, theme, author, title=x.item.title or "Inbreng", body=x.item.text)
    db.session.commit()


@pytest.fixture
def no_network_but_db(monkeypatch):
    """Connections only to this machine (the PostgreSQL server of the test run, on 127.0.0.1)
    or a local socket file: the command sends nothing elsewhere."""
    connect = socket.socket.connect

    def local_only(self, address):
        host = address[0] if isinstance(address, tuple) else address
        if self.family == socket.AF_UNIX or host in ("127.0.0.1", "::1", "localhost"):
            return connect(self, address)
        raise AssertionError(f"the command connected to {address!r}")
    monkeypatch.setattr(socket.socket, "connect", local_only)


@pytest.mark.once
def test_character_ngrams_are_scikit_learns(labelled):
    """The n-grams made once per word (grouping._char_ngrams, for speed) are char_wb's."""
    texts = [f"{x.item.title} {x.item.text}".lower() for x in labelled] + ["a", "ab  c\nde"]
    for ngrams in ((3, 5), (4, 6)):
        theirs = TfidfVectorizer(analyzer="char_wb", ngram_range=ngrams).build_analyzer()
        ours = _char_ngrams(ngrams)
        assert [sorted(ours(t)) for t in texts] == [sorted(theirs(t)) for t in texts]
