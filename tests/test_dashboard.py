"""The team's dashboard: the numbers on a small known data set, who may see it, and a query
count that does not grow with the input."""
from __future__ import annotations

import re
import uuid
from datetime import datetime, timedelta
from html import unescape

import pytest
import sqlalchemy as sa

from participation.dashboard import services
from participation.core.extensions import db
from participation.models import (Comment, Contribution, Disposition, ModerationState,
                                  OrganisationKind, Process, Response, RoundKind,
                                  Section, TargetType, User)

from .factories import (DRAFT_MD, login, make_comment, make_contribution, make_organisation,
                        make_process, make_user, open_feedback_round, publish_draft)

URL = "/p/economie/dashboard"

#: Version 2 keeps "Aanleiding" and the ambitions, drops "Uitvoering", adds "Monitoring".
DRAFT_V2 = DRAFT_MD.replace("# Uitvoering\n\nHet projectteam voert de agenda uit.\n",
                            "# Monitoring\n\nWe meten elk jaar.\n")


def utc(text: str) -> datetime:
    """A naive UTC moment, as the database stores it."""
    return datetime.fromisoformat(text)


def respond(item, disposition: str, *, published: bool) -> Response:
    target = TargetType.contribution if isinstance(item, Contribution) else TargetType.comment
    process_id = db.session.scalar(sa.select(Process.id).where(Process.slug == "economie"))
    response = Response(process_id=process_id, target_type=target, target_id=item.id,
                        disposition=Disposition(disposition), body_md="Dank.",
                        body_html="<p>Dank.</p>",
                        published_at=utc("2026-05-01T10:00:00") if published else None)
    db.session.add(response)
    return response


def build_known_data() -> None:
    """The small data set whose numbers the tests know (call inside an app context).

    Round 1: Alice (business A) twice, Bob (business B) pending, Carol (education C) rejected,
    Dave (individual) hidden, Erin (individual) withdrawn, and offline input for C.
    Round 2: Alice and Bob on "Aanleiding", Dave hidden, Erin on the dropped "Uitvoering",
    Carol withdrawn, and a comment by the project team.
    """
    firm_a = make_organisation("Bakkerij Testdorp", "business")
    firm_b = make_organisation("Garage Testdorp", "business")
    school = make_organisation("School Testdorp", "education")
    alice = make_user("alice@example.nl", organisation=firm_a, name="Alice")
    bob = make_user("bob@example.nl", organisation=firm_b, name="Bob")
    carol = make_user("carol@example.nl", organisation=school, name="Carol")
    dave = make_user("dave@example.nl", name="Dave")
    erin = make_user("erin@example.nl", name="Erin")
    team = make_user("team@example.nl", role="moderator", name="Team", locale="en")

    process = make_process("economie")
    work, labour, energy = process.themes
    # Amsterdam is UTC+1 in March: 22:30 UTC is 23:30 on the 2nd, 23:30 UTC is 00:30 on the 3rd.
    alice_1 = make_contribution(process, work, alice, created_at=utc("2026-03-02T22:30:00"))
    alice_2 = make_contribution(process, labour, alice, created_at=utc("2026-03-02T23:30:00"))
    make_contribution(process, work, bob, state="pending", created_at=utc("2026-03-03T10:00:00"))
    make_contribution(process, work, carol, state="rejected",
                      created_at=utc("2026-03-04T23:10:00"))
    dave_1 = make_contribution(process, energy, dave, created_at=utc("2026-03-03T22:59:00"))
    dave_1.hidden_at = utc("2026-03-04T08:00:00")
    make_contribution(process, labour, erin, state="withdrawn",
                      created_at=utc("2026-03-04T10:00:00"))
    offline = make_contribution(process, energy, None, organisation=school,
                                created_at=utc("2026-03-05T12:00:00"))
    db.session.flush()

    open_feedback_round(process)
    v1 = publish_draft(process, team)
    v1_sections = {s.heading: s for s in v1.sections}
    v2 = publish_draft(process, team, DRAFT_V2)
    v2_sections = {s.heading: s for s in v2.sections}
    # Amsterdam is UTC+2 in April: 21:30 UTC is 23:30 on the 10th, 22:30 UTC 00:30 on the 11th.
    alice_c = make_comment(v1_sections["Aanleiding"], alice,
                           created_at=utc("2026-04-10T21:30:00"))
    make_comment(v2_sections["Aanleiding"], bob, state="pending",
                 created_at=utc("2026-04-10T22:30:00"))
    dave_c = make_comment(v2_sections["Werklocaties"], dave,
                          created_at=utc("2026-04-11T12:00:00"))
    dave_c.hidden_at = utc("2026-04-11T13:00:00")
    erin_c = make_comment(v1_sections["Uitvoering"], erin, created_at=utc("2026-04-11T13:00:00"))
    make_comment(v2_sections["Energie"], carol, state="withdrawn",
                 created_at=utc("2026-04-12T09:00:00"))
    make_comment(v2_sections["Aanleiding"], team, by_team=True, parent=alice_c,
                 created_at=utc("2026-04-12T09:00:00"))

    respond(alice_1, "adopted", published=True)
    respond(alice_2, "noted", published=False)
    respond(dave_1, "not_adopted", published=True)  # hidden: not counted
    respond(erin_c, "partly", published=True)
    assert offline.author_id is None
    db.session.commit()


def test_numbers_on_a_known_data_set(app_ctx):
    build_known_data()
    process = db.session.scalar(sa.select(Process).where(Process.slug == "economie"))
    numbers = services.dashboard(process)

    by_kind = {row.kind: row.participants for row in numbers.by_kind}
    assert list(by_kind) == [*OrganisationKind, None]
    assert by_kind[OrganisationKind.business] == services.Participants(
        people_input=2, organisations_input=2, people_feedback=2, organisations_feedback=2)
    # Carol's input was rejected and her comment withdrawn; the offline input counts for C.
    assert by_kind[OrganisationKind.education] == services.Participants(
        people_input=0, organisations_input=1, people_feedback=0, organisations_feedback=0)
    assert by_kind[None] == services.Participants(people_input=1, people_feedback=2)
    assert by_kind[OrganisationKind.government] == services.Participants()
    assert numbers.participants == services.Participants(
        people_input=3, organisations_input=3, people_feedback=4, organisations_feedback=2)

    themes = {t.title: t.counts for t in numbers.themes}
    assert list(themes) == ["Werklocaties", "Arbeidsmarkt", "Energietransitie"]
    assert themes["Werklocaties"] == services.StateCounts(published=1, pending=1, rejected=1)
    assert themes["Arbeidsmarkt"] == services.StateCounts(published=1)
    assert themes["Energietransitie"] == services.StateCounts(published=1, hidden=1)
    assert numbers.contribution_states == services.StateCounts(
        published=3, hidden=1, pending=1, rejected=1)
    assert numbers.contribution_states.total == 6

    assert numbers.draft_number == 2
    sections = [(s.number, s.heading, s.counts) for s in numbers.sections]
    assert sections[0] == ("1", "Aanleiding", services.StateCounts(published=1, pending=1))
    by_heading = {heading: counts for _, heading, counts in sections}
    assert by_heading["Werklocaties"] == services.StateCounts(hidden=1)
    assert by_heading["Energie"] == services.StateCounts()
    assert by_heading["Monitoring"] == services.StateCounts()
    assert "Uitvoering" not in by_heading
    assert numbers.sections[-1].lineage_id is None  # the dropped section's comments
    assert numbers.sections[-1].counts == services.StateCounts(published=1)
    assert numbers.comment_states == services.StateCounts(published=2, hidden=1, pending=1)

    assert [(d.day.isoformat(), d.count) for d in numbers.contribution_days] == [
        ("2026-03-02", 1), ("2026-03-03", 3), ("2026-03-04", 0), ("2026-03-05", 2)]
    assert [(d.day.isoformat(), d.count) for d in numbers.comment_days] == [
        ("2026-04-10", 1), ("2026-04-11", 3)]

    contributions = numbers.contribution_responses
    assert contributions.published == {**{d: 0 for d in Disposition}, Disposition.adopted: 1}
    assert (contributions.draft, contributions.unanswered, contributions.total) == (1, 1, 3)
    comments = numbers.comment_responses
    assert comments.published == {**{d: 0 for d in Disposition}, Disposition.partly: 1}
    assert (comments.draft, comments.unanswered, comments.total) == (0, 1, 2)


def table(html: str, caption: str) -> dict[str, list[str]]:
    """The rows of the table with this caption, as {row header: [cells]}, text only."""
    match = re.search(r"<table[^>]*>\s*<caption[^>]*>" + re.escape(caption)
                      + r"</caption>(.*?)</table>", html, re.S)
    assert match, f"no table {caption!r}"
    rows = {}
    for row in re.findall(r"<tr>(.*?)</tr>", match.group(1), re.S):
        cells = [re.sub(r"<span aria-hidden=\"true\">–</span>|<[^>]+>", "", cell).strip()
                 for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
        rows[unescape(cells[0])] = cells[1:]
    return rows


def test_the_page_shows_every_block_as_chart_and_table(client, app):
    with app.app_context():
        build_known_data()
    login(client, "team@example.nl")
    response = client.get(URL)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "<h1>Dashboard</h1>" in html
    assert "style=" not in html and "<style" not in html  # the CSP allows no inline styles

    who = table(html, "Table: People and organisations that took part")
    assert who["Businesses"] == ["2", "2", "2", "2"]
    assert who["Education and knowledge institutions"] == ["0", "1", "0", "0"]
    assert who["Individuals (no organisation)"] == ["1", "not applicable", "2", "not applicable"]
    assert who["Total (each counted once)"] == ["3", "3", "4", "2"]
    states = table(html, "Table: Input and comments by state")
    assert states["Contributions (round 1)"] == ["3", "1", "1", "1", "6"]
    assert states["Comments (round 2)"] == ["2", "1", "1", "0", "4"]
    themes = table(html, "Table: Contributions per theme")
    assert themes["Werklocaties"] == ["1", "0", "1", "1", "3"]
    sections = table(html, "Table: Comments per section")
    assert sections["1 Aanleiding"] == ["1", "0", "1", "0", "2"]
    assert sections["Sections no longer in this version"] == ["1", "0", "0", "0", "1"]
    assert "Sections of draft version 2" in html
    days = table(html, "Table: Contributions per day")
    assert days == {"Date": ["Contributions"], "2 March 2026": ["1"], "3 March 2026": ["3"],
                    "4 March 2026": ["0"], "5 March 2026": ["2"]}
    assert table(html, "Table: Comments per day") == {
        "Date": ["Comments"], "10 April 2026": ["1"], "11 April 2026": ["3"]}
    responses = table(html, "Table: Responses of the municipality")
    assert responses["Adopted"] == ["1", "0", "1"]
    assert responses["Partly adopted"] == ["0", "1", "1"]
    assert responses["Only a draft response"] == ["1", "0", "1"]
    assert responses["No response yet"] == ["1", "1", "2"]
    assert responses["Total"] == ["3", "2", "5"]
    assert "2 of 5 have a published response" in html

    charts = re.findall(r"<svg [^>]*>", html)
    assert len(charts) == 7
    for chart in charts:
        assert 'role="img"' in chart and 'width="100%"' in chart and "viewBox=" in chart
        title_id, desc_id = re.search(r'aria-labelledby="([^"]+)"', chart).group(1).split()
        assert f'<title id="{title_id}">' in html and f'<desc id="{desc_id}">' in html
    # Every bar carries its number (and series) in text, not in colour only.
    assert '>People, round 1: 2</text>' in html
    assert '>Contributions: 1</text>' in html


def test_chart_labels_are_escaped(app_ctx):
    from participation.dashboard.svg import bar_chart

    chart = str(bar_chart("c", "A <title>", "A & desc", [("<script>x</script>", 3)]))
    assert "<script>" not in chart and "&lt;script&gt;" in chart
    assert "A &lt;title&gt;" in chart and "A &amp; desc" in chart


def test_empty_process_shows_what_is_missing(client, app):
    with app.app_context():
        make_process("economie")
        make_user("staff@example.nl", role="staff", locale="en")
    login(client, "staff@example.nl")
    html = client.get(URL).get_data(as_text=True)
    assert "No draft has been published yet." in html
    assert "No contributions yet." in html and "No comments yet." in html
    assert "0 of 0 have a published response" in html


@pytest.mark.parametrize("role, status", [
    (None, 302), ("participant", 403), ("moderator", 200), ("staff", 200), ("admin", 200)])
def test_only_the_team_sees_the_dashboard(client, app, role, status):
    with app.app_context():
        make_process("economie")
        if role:
            make_user("someone@example.nl", role=role, locale="en")
    if role:
        login(client, "someone@example.nl")
    response = client.get(URL)
    assert response.status_code == status
    if role is None:
        assert "/account/login" in response.headers["Location"]
    page = client.get("/p/economie").get_data(as_text=True)
    assert (URL in page) == (status == 200)


def test_unknown_process_is_not_found(client, app):
    with app.app_context():
        make_user("team@example.nl", role="moderator", locale="en")
    login(client, "team@example.nl")
    assert client.get("/p/nothing-here/dashboard").status_code == 404


# --- the query count ----------------------------------------------------------------------

def bulk_input(n: int) -> None:
    """`n` contributions and `n` comments, about a third with a response, in bulk INSERTs."""
    process = db.session.scalar(sa.select(Process).where(Process.slug == "economie"))
    input_round = process.round_of(RoundKind.input)
    feedback_round = process.round_of(RoundKind.feedback)
    authors = db.session.scalars(sa.select(User).order_by(User.id)).all()
    sections = db.session.scalars(sa.select(Section).where(Section.lineage_id.is_not(None))).all()
    start = utc("2026-03-01T00:00:00")
    c_states = list(ModerationState)
    m_states = list(ModerationState)

    def owner(i):
        author = authors[i % len(authors)]
        org = author.organisation
        return {"author_id": author.id, "organisation_id": org.id if org else None,
                "organisation_name": org.name if org else None,
                "organisation_kind": org.kind if org else None}

    first_new = {model: db.session.scalar(sa.select(sa.func.max(model.id))) or 0
                 for model in (Contribution, Comment)}
    db.session.execute(sa.insert(Contribution), [
        {"round_id": input_round.id, "theme_id": process.themes[i % 3].id, **owner(i),
         "title": f"Inbreng {i}", "body_md": "Tekst.", "body_html": "<p>Tekst.</p>",
         "state": c_states[i % 4], "submission_key": uuid.uuid4().hex,
         "created_at": start + timedelta(minutes=37 * i), "updated_at": start,
         "hidden_at": start if i % 7 == 0 else None} for i in range(n)])
    db.session.execute(sa.insert(Comment), [
        {"round_id": feedback_round.id, "lineage_id": sections[i % len(sections)].lineage_id,
         "section_id": sections[i % len(sections)].id, **owner(i), "by_team": i % 11 == 0,
         "body_md": "Reactie.", "body_html": "<p>Reactie.</p>", "state": m_states[i % 4],
         "submission_key": uuid.uuid4().hex, "created_at": start + timedelta(minutes=41 * i),
         "updated_at": start, "hidden_at": start if i % 5 == 0 else None} for i in range(n)])
    responses = []
    for model, target in ((Contribution, TargetType.contribution), (Comment, TargetType.comment)):
        ids = db.session.scalars(sa.select(model.id).where(model.id > first_new[model])).all()
        responses += [{"process_id": process.id, "target_type": target, "target_id": item_id,
                       "disposition": list(Disposition)[i % 5], "body_md": "Dank.",
                       "body_html": "<p>Dank.</p>", "published_at": start if i % 2 else None,
                       "created_at": start, "updated_at": start}
                      for i, item_id in enumerate(ids) if i % 3 == 0]
    db.session.execute(sa.insert(Response), responses)
    db.session.commit()


def test_query_count_does_not_grow_with_the_input(client, app, count_queries):
    with app.app_context():
        team = make_user("team@example.nl", role="moderator", locale="en")
        organisations = [make_organisation(f"Organisatie {kind.value}", kind.value)
                         for kind in OrganisationKind]
        for i, organisation in enumerate([*organisations, None, None]):
            make_user(f"stakeholder{i}@example.nl", organisation=organisation)
        process = make_process("economie")
        open_feedback_round(process)
        publish_draft(process, team)
        publish_draft(process, team, DRAFT_V2)
    login(client, "team@example.nl")

    def queries() -> int:
        with count_queries() as counter:
            assert client.get(URL).status_code == 200
        return counter.count

    with app.app_context():
        bulk_input(5)  # 10 items
    few = queries()
    with app.app_context():
        bulk_input(2_495)  # 5,000 items in all
        assert db.session.scalar(sa.select(sa.func.count(Contribution.id))) + db.session.scalar(
            sa.select(sa.func.count(Comment.id))) == 5_000
    many = queries()
    assert few == many
    assert many <= 16
