"""Round 1: processes, rounds and themes, and input from stakeholders, on the real views."""
from __future__ import annotations

import re
from datetime import timedelta, timezone

import pytest
import sqlalchemy as sa

from participation.contributions.models import Attachment, Contribution, ContributionRevision
from participation.accounts.models import User
from participation.core.extensions import db
from participation.core.mixins import ModerationState
from participation.processes.models import Process, RoundKind, Theme
from participation.processes.services import add_member
from participation.core.timeutil import AMSTERDAM, utcnow

from .factories import (count, csrf_token, field_errors, login, make_contribution,
                        make_organisation, make_process, make_user, pdf_bytes, submission_key,
                        submit, upload)

NEW = "/p/economie/input/new"


@pytest.fixture
def setup(app):
    """A post-moderated open process, and a participant of an organisation, logged in."""
    with app.app_context():
        process = make_process()
        org = make_organisation("Drenth Logistiek BV", "business", "logistiek")
        make_user(organisation=org)
        themes = {t.title: t.id for t in process.themes}
    return themes


@pytest.fixture
def participant(client, setup):
    login(client)
    return client


def give(client, theme_id, title="Ruimte voor logistiek", body="We hebben **ruimte** nodig.",
         paper=None, url=NEW, **extra):
    data = {"theme_id": str(theme_id), "title": title, "body": body, **extra}
    if paper is not None:
        data["paper"] = paper
    page = client.get(url)
    html = page.get_data(as_text=True)
    key = re.search(r'name="submission_key" type="hidden" value="([^"]*)"', html)
    data.setdefault("submission_key", key.group(1) if key else "")
    return client.post(url, data={"csrf_token": csrf_token(html), **data})


# --- giving input -------------------------------------------------------------------------

def test_input_with_a_pdf_is_published_attributed_and_listed(participant, setup, app):
    response = give(participant, setup["Werklocaties"], paper=upload(pdf_bytes(2)))
    assert response.status_code == 302
    detail = participant.get(response.headers["Location"]).get_data(as_text=True)
    assert "Ruimte voor logistiek" in detail and "<strong>ruimte</strong>" in detail
    assert "Drenth Logistiek BV" in detail and "positiepaper.pdf" in detail
    with app.app_context():
        item = db.session.scalar(sa.select(Contribution))
        assert item.state is ModerationState.published
        assert item.organisation_name == "Drenth Logistiek BV"
        assert item.attachment.pages == 2
        # A later rename of the organisation does not rewrite who said it.
        item.organisation.name = "Drenth Logistiek Groep"
        db.session.commit()
        item_id = item.id
    paper = participant.get(f"/p/economie/input/{item_id}/paper")
    assert paper.status_code == 200 and paper.mimetype == "application/pdf"
    assert paper.data.startswith(b"%PDF-")
    listing = app.test_client().get(f"/p/economie/input?theme={setup['Werklocaties']}")
    html = listing.get_data(as_text=True)
    assert "Ruimte voor logistiek" in html and "Drenth Logistiek BV" in html
    other_theme = app.test_client().get(f"/p/economie/input?theme={setup['Arbeidsmarkt']}")
    assert "Ruimte voor logistiek" not in other_theme.get_data(as_text=True)


def test_pre_moderation_keeps_input_pending_and_private(client, app):
    with app.app_context():
        process = make_process(moderation="pre")
        theme_id = process.themes[0].id
        make_user()
    login(client)
    response = give(client, theme_id, paper=upload(pdf_bytes()))
    assert response.status_code == 302
    item_url = response.headers["Location"]
    own = client.get("/p/economie/input").get_data(as_text=True)
    assert "Ruimte voor logistiek" in own and "Wacht op het projectteam" in own
    visitor = app.test_client()
    assert "Ruimte voor logistiek" not in visitor.get("/p/economie/input").get_data(as_text=True)
    assert visitor.get(item_url).status_code == 404
    assert visitor.get(item_url + "/paper").status_code == 404
    with app.app_context():
        assert db.session.scalar(sa.select(Contribution.state)) is ModerationState.pending


def test_edit_keeps_history_and_withdraw(participant, setup, app):
    item_url = give(participant, setup["Werklocaties"]).headers["Location"]
    edit = submit(participant, item_url + "/edit", {"title": "Ruimte voor groei",
                                                   "body": "Nieuwe tekst.",
                                                   "submission_key": "0" * 32})
    assert edit.status_code == 302
    page = participant.get(item_url).get_data(as_text=True)
    assert "Ruimte voor groei" in page and "Eerdere versies" in page
    with app.app_context():
        revision = db.session.scalar(sa.select(ContributionRevision))
        assert revision.title == "Ruimte voor logistiek"
        assert "ruimte" in revision.body_html
    assert submit(participant, item_url + "/withdraw", {}).status_code == 302
    with app.app_context():
        assert db.session.scalar(sa.select(Contribution.state)) is ModerationState.withdrawn
    assert "Ruimte voor groei" not in app.test_client().get("/p/economie/input").get_data(
        as_text=True)


def test_double_submit_makes_one_contribution(participant, setup, app):
    page = participant.get(NEW).get_data(as_text=True)
    key = submission_key(page)
    data = {"csrf_token": csrf_token(page), "submission_key": key, "title": "Dubbel",
            "theme_id": str(setup["Arbeidsmarkt"]), "body": "Twee keer geklikt."}
    first = participant.post(NEW, data=dict(data))
    second = participant.post(NEW, data=dict(data))
    assert first.status_code == second.status_code == 302
    assert first.headers["Location"] == second.headers["Location"]
    with app.app_context():
        assert count(Contribution) == 1


# --- refusals keep the text ---------------------------------------------------------------

def _assert_refused_with_text(response, message_part, app, title="Mijn titel",
                              body="Mijn zorgvuldig getypte tekst"):
    html = response.get_data(as_text=True)
    assert response.status_code == 403, response.status_code
    assert message_part in html, html[html.find("<main"):][:1500]
    assert f'value="{title}"' in html and body in html
    with app.app_context():
        assert count(Contribution) == 0 and count(Attachment) == 0


@pytest.mark.parametrize("opens, closes, message", [
    (-10, -1, "gesloten"), (2, 10, "nog niet open")])
def test_writing_outside_the_window_is_refused(client, app, opens, closes, message):
    with app.app_context():
        process = make_process(opens=opens, closes=closes)
        theme_id = process.themes[0].id
        make_user()
    login(client)
    page = client.get(NEW)
    assert message in page.get_data(as_text=True)  # said before typing, too
    response = client.post(NEW, data={
        "csrf_token": csrf_token(page.get_data(as_text=True)), "theme_id": theme_id,
        "submission_key": "a" * 32, "title": "Mijn titel", "body": "Mijn zorgvuldig getypte tekst"})
    _assert_refused_with_text(response, message, app)


def test_round_closing_while_typing_keeps_the_text(participant, setup, app):
    page = participant.get(NEW).get_data(as_text=True)
    with app.app_context():
        round_ = db.session.scalar(sa.select(Process)).round_of(RoundKind.input)
        round_.closes_at = utcnow() - timedelta(seconds=1)
        db.session.commit()
    response = participant.post(NEW, data={
        "csrf_token": csrf_token(page), "theme_id": setup["Werklocaties"],
        "submission_key": "b" * 32, "title": "Mijn titel", "body": "Mijn zorgvuldig getypte tekst"})
    _assert_refused_with_text(response, "gesloten", app)


def test_outside_the_audience_is_refused_and_members_may_write(client, app):
    with app.app_context():
        process = make_process(audience="invited")
        theme_id = process.themes[0].id
        user_id = make_user().id
    login(client)
    page = client.get(NEW).get_data(as_text=True)
    response = client.post(NEW, data={
        "csrf_token": csrf_token(page), "theme_id": theme_id, "submission_key": "c" * 32,
        "title": "Mijn titel", "body": "Mijn zorgvuldig getypte tekst"})
    _assert_refused_with_text(response, "uitgenodigde", app)
    with app.app_context():
        add_member(db.session.scalar(sa.select(Process)), db.session.get(User, user_id),
                   source="invitation")
        db.session.commit()
    assert give(client, theme_id).status_code == 302  # once a member, the same person may


def test_retired_theme_is_refused(participant, setup, app):
    page = participant.get(NEW).get_data(as_text=True)
    with app.app_context():
        theme = db.session.get(Theme, setup["Energietransitie"])
        theme.retired_at = utcnow()
        db.session.commit()
    assert "Energietransitie" not in participant.get(NEW).get_data(as_text=True).split(
        'id="theme_id"')[1].split("</select>")[0]
    response = participant.post(NEW, data={
        "csrf_token": csrf_token(page), "theme_id": setup["Energietransitie"],
        "submission_key": "d" * 32, "title": "Mijn titel", "body": "Mijn zorgvuldig getypte tekst"})
    _assert_refused_with_text(response, "thema", app)


def test_someone_elses_contribution_cannot_be_changed(client, setup, app):
    with app.app_context():
        process = db.session.scalar(sa.select(Process))
        owner = make_user("eigenaar@example.nl", name="Eigenaar")
        item = make_contribution(process, process.themes[0], owner, title="Origineel")
        db.session.commit()
        url = f"/p/economie/input/{item.id}"
    login(client)
    page = client.get(url + "/edit").get_data(as_text=True)
    response = client.post(url + "/edit", data={
        "csrf_token": csrf_token(page), "submission_key": "0" * 32,
        "title": "Mijn titel", "body": "Mijn zorgvuldig getypte tekst"})
    html = response.get_data(as_text=True)
    assert response.status_code == 403 and "alleen uw eigen inbreng" in html
    assert 'value="Mijn titel"' in html and "Mijn zorgvuldig getypte tekst" in html
    assert client.post(url + "/withdraw", data={"csrf_token": csrf_token(page)}).status_code == 403
    with app.app_context():
        item = db.session.scalar(sa.select(Contribution))
        assert item.title == "Origineel" and item.state is ModerationState.published
        assert count(ContributionRevision) == 0


def test_logged_out_while_typing_keeps_the_text(client, setup, app):
    page = client.get("/account/login").get_data(as_text=True)
    response = client.post(NEW, data={
        "csrf_token": csrf_token(page), "theme_id": setup["Werklocaties"],
        "submission_key": "e" * 32, "title": "Mijn titel", "body": "Mijn zorgvuldig getypte tekst"})
    _assert_refused_with_text(response, "Log in", app)


# --- bad input ----------------------------------------------------------------------------

def test_html_and_script_become_harmless(participant, setup, app):
    body = ('<script>alert(1)</script> <img src=x onerror=alert(2)> '
            '[klik](javascript:alert(3)) *nadruk* [site](https://example.org)')
    response = give(participant, setup["Werklocaties"], title="<b>Titel</b><script>x</script>",
                    body=body)
    assert response.status_code == 302
    with app.app_context():
        item = db.session.scalar(sa.select(Contribution))
        assert item.title == "Titelx"
        assert "<script" not in item.body_html and "onerror=" not in item.body_html.replace(
            "&lt;", "<").split("<img")[0]
        assert "javascript:" not in item.body_html
        assert "<em>nadruk</em>" in item.body_html
        assert '<a href="https://example.org" rel="nofollow noopener">site</a>' in item.body_html
    html = participant.get(response.headers["Location"]).get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)" in html


@pytest.mark.parametrize("data, name, message", [
    (b"Dit is gewoon tekst, geen PDF.", "paper.pdf", "geen PDF"),
    (b"", "leeg.pdf", "leeg"),
    (None, "nul-paginas.pdf", "geen pagina"),
    (b"%PDF-1.7\n garbage without structure", "kapot.pdf", "niet worden geopend"),
    (b"GIF89a" + b"\x00" * 100, "plaatje.pdf", "geen PDF"),
])
def test_files_that_are_not_usable_pdfs_are_refused(participant, setup, app, data, name, message):
    if data is None:
        data = pdf_bytes(0)
    response = give(participant, setup["Werklocaties"], title="Mijn titel",
                    body="Mijn zorgvuldig getypte tekst", paper=upload(data, name))
    html = response.get_data(as_text=True)
    errors = field_errors(html)
    assert any(e.startswith("paper:") and message in e for e in errors), errors
    assert 'value="Mijn titel"' in html and "Mijn zorgvuldig getypte tekst" in html
    with app.app_context():
        assert count(Contribution) == 0 and count(Attachment) == 0


def test_pdf_over_ten_megabytes_is_refused_and_a_huge_request_gets_413(participant, setup, app):
    big = pdf_bytes() + b"%" + b"x" * (10 * 1024 * 1024)
    response = give(participant, setup["Werklocaties"], title="Mijn titel",
                    body="Mijn zorgvuldig getypte tekst", paper=upload(big))
    errors = field_errors(response.get_data(as_text=True))
    assert any(e.startswith("paper:") and "10 MB" in e for e in errors), errors
    huge = give(participant, setup["Werklocaties"], paper=upload(b"%PDF-" + b"x" * (13 << 20)))
    assert huge.status_code == 413 and "10 MB" in huge.get_data(as_text=True)
    with app.app_context():
        assert count(Contribution) == 0 and count(Attachment) == 0


def test_overlong_title_nul_bytes_and_broken_encoding(participant, setup, app):
    response = give(participant, setup["Werklocaties"], title="T" * 10_000, body="Tekst")
    assert any(e.startswith("title: Gebruik maximaal 200 tekens") for e in field_errors(
        response.get_data(as_text=True)))
    response = give(participant, setup["Werklocaties"], title="Titel", body="Voor\x00na")
    errors = field_errors(response.get_data(as_text=True))
    assert any(e.startswith("body:") and "NUL" in e for e in errors), errors
    assert "Voorna" in response.get_data(as_text=True)
    # Bytes that are not UTF-8, sent as a browser with a broken encoding would.
    page = participant.get(NEW).get_data(as_text=True)
    fields = {"csrf_token": csrf_token(page), "submission_key": "f" * 32,
              "theme_id": str(setup["Werklocaties"]), "title": "Titel"}
    raw = b"".join(f'--XX\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
                   for k, v in fields.items())
    raw += b'--XX\r\nContent-Disposition: form-data; name="body"\r\n\r\ncaf\xe9\xff\r\n--XX--\r\n'
    response = participant.post(NEW, data=raw, content_type="multipart/form-data; boundary=XX")
    errors = field_errors(response.get_data(as_text=True))
    assert any(e.startswith("body:") and "niet worden gelezen" in e for e in errors), errors
    empty = give(participant, setup["Werklocaties"], title="", body="   ")
    errors = field_errors(empty.get_data(as_text=True))
    assert {e.split(":")[0] for e in errors} >= {"title", "body"}
    with app.app_context():
        assert count(Contribution) == 0


def test_theme_of_another_process_is_refused(participant, setup, app):
    with app.app_context():
        other = make_process("ander")
        foreign_theme = other.themes[0].id
    response = give(participant, foreign_theme, title="Mijn titel",
                    body="Mijn zorgvuldig getypte tekst")
    assert any(e.startswith("theme_id:") for e in field_errors(response.get_data(as_text=True)))
    with app.app_context():
        assert count(Contribution) == 0


# --- reading --------------------------------------------------------------------------------

def test_reading_filters_search_and_pagination(client, app):
    with app.app_context():
        process = make_process()
        school = make_organisation("Drenthe College", "education", "onderwijs")
        firm = make_organisation("Bos Bouw", "business", "bouw")
        student = make_user("s@example.nl", organisation=school)
        builder = make_user("b@example.nl", organisation=firm)
        resident = make_user("r@example.nl", name="Henk")
        t1, t2 = process.themes[0], process.themes[1]
        for n in range(25):
            make_contribution(process, t1, builder, title=f"Bouw {n:02d}", body="Over bouwgrond")
        make_contribution(process, t2, student, title="Stages", body="Meer stageplekken nodig")
        make_contribution(process, t2, resident, title="Als inwoner", body="Bereikbaarheid")
        make_contribution(process, t2, student, title="Verborgen", state="pending")
        db.session.commit()
        t1_id, t2_id = t1.id, t2.id
    page = client.get("/p/economie/input").get_data(as_text=True)
    assert "27 bijdragen" in page and f"{process_title_count(page, t1_id)}" == "25"
    assert "Pagina 1 van 2" in page and "Verborgen" not in page
    page2 = client.get("/p/economie/input?page=2").get_data(as_text=True)
    assert len(re.findall(r'class="card contribution"', page2)) == 7
    education = client.get("/p/economie/input?kind=education").get_data(as_text=True)
    assert "Stages" in education and "Bouw 00" not in education and "Als inwoner" not in education
    residents = client.get("/p/economie/input?kind=individual").get_data(as_text=True)
    assert "Als inwoner" in residents and "Stages" not in residents
    assert "Henk" not in residents  # residents are not named
    found = client.get("/p/economie/input?q=STAGEPLEKKEN").get_data(as_text=True)
    assert "1 bijdrage" in found and "Stages" in found
    assert "0 bijdragen" in client.get("/p/economie/input?q=100%25").get_data(as_text=True)
    themed = client.get(f"/p/economie/input?theme={t2_id}").get_data(as_text=True)
    assert "2 bijdragen" in themed
    assert client.get("/p/economie/input?page=99&kind=nonsense&theme=abc").status_code == 200


def process_title_count(html: str, theme_id: int) -> str:
    match = re.search(rf'theme={theme_id}[^"]*">[^<]*\((\d+)\)', html)
    return match.group(1) if match else "?"


def test_invite_only_process_is_hidden_from_outsiders(client, app):
    with app.app_context():
        process = make_process("besloten", public=False)
        member = make_user("lid@example.nl")
        make_user()
        add_member(process, member)
        db.session.commit()
    visitor = app.test_client()
    assert "Traject besloten" not in visitor.get("/").get_data(as_text=True)
    assert visitor.get("/p/besloten").status_code == 302  # to the login page
    login(client)
    assert client.get("/p/besloten").status_code == 403
    assert client.get("/p/besloten/input").status_code == 403
    insider = app.test_client()
    login(insider, "lid@example.nl")
    assert insider.get("/p/besloten").status_code == 200
    assert "Traject besloten" in insider.get("/").get_data(as_text=True)


def test_process_page_says_what_a_visitor_can_do_now(client, app):
    with app.app_context():
        closes = make_process().round_of(RoundKind.input).closes_at
        make_process("later", opens=5, closes=20)
    # Times are shown as Amsterdam time, with the zone that holds on that day.
    zone = closes.replace(tzinfo=timezone.utc).astimezone(AMSTERDAM).tzname()
    open_page = client.get("/p/economie").get_data(as_text=True)
    assert "Log in om inbreng te geven" in open_page
    assert re.search(rf"Open tot [^<]*\b{zone}\b", open_page), zone
    later = client.get("/p/later").get_data(as_text=True)
    assert "Ronde 1 opent op" in later


# --- the team -----------------------------------------------------------------------------

def test_team_manages_themes(client, app):
    with app.app_context():
        process = make_process()
        make_user("mod@example.nl", role="moderator")
        make_user()
        ids = [t.id for t in process.themes]
    stranger = app.test_client()
    login(stranger)
    assert stranger.get("/p/economie/themes").status_code == 403
    login(client, "mod@example.nl")
    response = submit(client, "/p/economie/themes/new", {"title": "", "description": ""})
    assert any(e.startswith("title:") for e in field_errors(response.get_data(as_text=True)))
    assert submit(client, "/p/economie/themes/new", {"title": "Digitalisering",
                                                     "description": "Data"}).status_code == 302
    submit(client, f"/p/economie/themes/{ids[2]}/up", {}, page_url="/p/economie/themes")
    submit(client, f"/p/economie/themes/{ids[0]}/retire", {}, page_url="/p/economie/themes")
    submit(client, f"/p/economie/themes/{ids[1]}/edit", {"title": "Arbeidsmarkt en onderwijs",
                                                         "description": ""})
    with app.app_context():
        themes = db.session.scalars(sa.select(Theme).order_by(Theme.position)).all()
        assert [t.title for t in themes] == ["Werklocaties", "Energietransitie",
                                             "Arbeidsmarkt en onderwijs", "Digitalisering"]
        assert themes[0].is_retired and not themes[1].is_retired
    submit(client, f"/p/economie/themes/{ids[0]}/restore", {}, page_url="/p/economie/themes")
    with app.app_context():
        assert not db.session.get(Theme, ids[0]).is_retired


def test_team_records_offline_input_marked_as_such(client, app):
    with app.app_context():
        process = make_process(opens=-30, closes=-1)  # the round has closed: still recordable
        org = make_organisation("Provincie Drenthe", "government", "overheid")
        make_user("mod@example.nl", role="moderator")
        theme_id, org_id = process.themes[0].id, org.id
    login(client, "mod@example.nl")
    url = "/p/economie/input/offline"
    missing = submit(client, url, {"organisation_id": "0", "individual_name": "", "source": "",
                                   "theme_id": theme_id, "title": "Brief", "body": "Tekst"})
    errors = field_errors(missing.get_data(as_text=True))
    assert {e.split(":")[0] for e in errors} >= {"individual_name", "source"}
    page = client.get(url).get_data(as_text=True)
    key = submission_key(page)
    response = client.post(url, data={
        "csrf_token": csrf_token(page), "submission_key": key, "organisation_id": org_id,
        "source": "Brief van 3 maart", "theme_id": theme_id, "title": "Reactie provincie",
        "body": "De provincie steunt de agenda.", "paper": upload(pdf_bytes())})
    assert response.status_code == 302
    listing = app.test_client().get("/p/economie/input").get_data(as_text=True)
    assert "Reactie provincie" in listing and "Offline ontvangen" in listing
    detail = app.test_client().get(response.headers["Location"]).get_data(as_text=True)
    assert "Brief van 3 maart" in detail and "Provincie Drenthe" in detail
    with app.app_context():
        item = db.session.scalar(sa.select(Contribution))
        assert item.author_id is None and item.entered_by.email == "mod@example.nl"
        assert item.state is ModerationState.published


# --- query counts ---------------------------------------------------------------------------

def _bulk(app, n):
    with app.app_context():
        process = db.session.scalar(sa.select(Process))
        org = make_organisation(f"Org {n}", "business", "x")
        author = make_user(f"bulk{n}@example.nl", organisation=org)
        for i in range(n):
            make_contribution(process, process.themes[i % 3], author, title=f"Item {i}")
        db.session.commit()


def test_pages_use_a_fixed_number_of_queries(client, app, count_queries):
    with app.app_context():
        process = make_process()
        user = make_user()
        own = make_contribution(process, process.themes[0], user, title="Eigen inbreng")
        db.session.commit()
        own_url = f"/p/economie/input/{own.id}"
    login(client)
    submit(client, own_url + "/edit", {"title": "Versie 2", "body": "Nieuw",
                                       "submission_key": "0" * 32})
    _bulk(app, 10)
    urls = ["/", "/p/economie", "/p/economie/input", "/p/economie/input?kind=business&q=Item",
            "/p/economie/input?page=2", NEW, own_url, own_url + "/edit"]

    def measure():
        counts = {}
        for url in urls:
            with count_queries() as counter:
                assert client.get(url).status_code == 200, url
            counts[url] = counter.count
        return counts
    small = measure()
    _bulk(app, 1000)
    large = measure()
    assert small == large
    assert max(large.values()) <= 12, large


def test_demo_loads_both_processes_idempotently(app):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["demo"]).exit_code == 0
    with app.app_context():
        processes = {p.slug: p for p in db.session.scalars(sa.select(Process))}
        assen = processes["economische-agenda-2026-2030"]
        small = processes["levendige-binnenstad"]
        assert assen.round_of(RoundKind.input).state().value == "closed"
        assert assen.round_of(RoundKind.feedback).state().value == "open"
        assert small.round_of(RoundKind.input).state().value == "open"
        assert len(assen.themes) == 7
        contributions = count(Contribution)
        assert contributions >= 24
        offline = db.session.scalar(sa.select(sa.func.count(Contribution.id)).where(
            Contribution.offline_source.is_not(None)))
        assert offline >= 1
    assert runner.invoke(args=["demo"]).exit_code == 0
    with app.app_context():
        assert count(Contribution) == contributions and count(Process) == 2


@pytest.mark.postgresql
def test_a_double_send_saved_elsewhere_first_leaves_no_stray_file(participant, setup, app,
                                                                  tmp_path, monkeypatch):
    """Two workers answer the same send at once: the other one's row is committed between this
    one's duplicate check and its insert. This one must answer with the saved item and must not
    leave its copy of the PDF in the upload folder."""
    from participation.core import uploads

    monkeypatch.setitem(app.config, "UPLOAD_FOLDER", str(tmp_path / "uploads"))
    key = "d" * 32
    with app.app_context():
        author = db.session.scalar(sa.select(User))
        theme = db.session.get(Theme, setup["Werklocaties"])
        round_id = theme.process.round_of(RoundKind.input).id
        author_id, theme_id = author.id, theme.id

    done = []

    def the_other_worker(session, _context, _instances):
        # Runs once, just before this request's insert, on a connection of its own.
        if done or not any(isinstance(o, Contribution) for o in session.new):
            return
        done.append(True)
        with db.engine.begin() as other:
            other.execute(sa.insert(Contribution).values(
                round_id=round_id, theme_id=theme_id, author_id=author_id, title="Eerst",
                body_md="Eerst.", body_html="<p>Eerst.</p>", state="published",
                submission_key=key, created_at=utcnow(), updated_at=utcnow()))

    try:
        with app.app_context():
            uploads.upload_folder().mkdir(parents=True, exist_ok=True)
        sa.event.listen(db.session, "before_flush", the_other_worker)
        response = give(participant, setup["Werklocaties"], paper=upload(pdf_bytes(1)),
                        submission_key=key)
    finally:
        sa.event.remove(db.session, "before_flush", the_other_worker)
    assert done and response.status_code == 302
    with app.app_context():
        assert count(Contribution) == 1 and count(Attachment) == 0
        assert list((tmp_path / "uploads").iterdir()) == []
