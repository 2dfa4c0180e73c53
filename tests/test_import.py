"""Offline input from a spreadsheet (issue 17): CSV with either separator, with or without BOM
or in Windows-1252, and XLSX made here with openpyxl; Dutch and English column names; bad rows
reported with their line and nothing stored; the same file twice; two imports at once; the
page (preview, then store) and `flask input import`."""
from __future__ import annotations

import csv
import io
import re
import threading
import traceback
from datetime import date, datetime

import pytest
import sqlalchemy as sa

from participation.audit.models import AuditEvent
from participation.contributions.models import Contribution
from participation.core.extensions import db
from participation.core.timeutil import utc_to_amsterdam
from participation.processes.models import Process

from .test_rate_limits import limited  # noqa: F401  (the fixture)
from .factories import (count, csrf_token, login, make_contribution, make_organisation,
                        make_process, make_user, submit)

DUTCH = ["organisatie", "soort organisatie", "thema", "titel", "tekst", "datum ontvangen"]
ENGLISH = ["Organisation", "Kind", "Theme", "Title", "Text", "Date received"]
ROWS = [
    ["Bakkerij Bolk", "", "werklocaties", "Ruimte voor de bakkerij",
     "Wij willen groeien op het bedrijventerrein;\nmet meer ruimte.", "12-11-2026"],
    ["Zorggroep Noord", "maatschappelijke organisatie", "Arbeidsmarkt", "Personeel vinden",
     "Wij zoeken café-medewerkers, zegt men, à €12 per uur.", "2026-11-13"],
    ["", "", "Energietransitie", "Zonnepanelen op daken", "Meer zon op de daken.", ""],
]


def csv_bytes(header, rows, *, separator=";", encoding="utf-8-sig") -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=separator, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


def xlsx_bytes(header, rows) -> bytes:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.fixture
def world(app):
    with app.app_context():
        process = make_process(opens=-30, closes=-1)  # closed: the team still records input
        bolk = make_organisation("Bakkerij Bolk", "business", "food")
        make_user("mod@example.nl", role="moderator", name="Mira Moderator")
        make_user("anna@example.nl")
        return {"process_id": process.id, "bolk_id": bolk.id}


def run_import(app, tmp_path, data: bytes, name="werksessie.csv", *extra):
    path = tmp_path / name
    path.write_bytes(data)
    return app.test_cli_runner().invoke(args=[
        "input", "import", "economie", str(path), "--source", "Werksessie 12 november",
        "--language", "en", *extra])


def stored(app) -> list[Contribution]:
    with app.app_context():
        items = list(db.session.scalars(sa.select(Contribution).order_by(Contribution.id)))
        db.session.expunge_all()
        return items


# --- reading the file -------------------------------------------------------------------------

@pytest.mark.parametrize("separator,encoding", [(";", "utf-8-sig"), (",", "utf-8"),
                                                (";", "cp1252"), (",", "cp1252")])
def test_a_csv_with_either_separator_and_encoding_is_stored_whole(app, world, tmp_path,
                                                                  separator, encoding):
    result = run_import(app, tmp_path, csv_bytes(DUTCH, ROWS, separator=separator,
                                                 encoding=encoding))
    assert result.exit_code == 0, result.output
    assert "3 contributions stored." in result.output
    items = stored(app)
    assert [item.title for item in items] == [row[3] for row in ROWS]
    # The separator inside a text and the Windows-1252 letters came through as written.
    assert items[0].body_md == "Wij willen groeien op het bedrijventerrein;\nmet meer ruimte."
    assert items[1].body_md == "Wij zoeken café-medewerkers, zegt men, à €12 per uur."
    assert items[0].offline_source == "Werksessie 12 november (werksessie.csv, line 2)"
    assert items[2].offline_source == "Werksessie 12 november (werksessie.csv, line 4)"


def test_organisations_known_by_name_and_new_ones_with_their_kind(app, world, tmp_path):
    rows = [["bakkerij  BOLK", "", "Werklocaties", "Bekend", "Tekst", ""],
            ["Zorggroep Noord", "Civil society", "Werklocaties", "Nieuw", "Tekst", ""],
            ["", "", "Werklocaties", "Bewoner", "Tekst", ""]]
    assert run_import(app, tmp_path, csv_bytes(ENGLISH, rows)).exit_code == 0
    with app.app_context():
        known, new, resident = db.session.scalars(
            sa.select(Contribution).options(sa.orm.undefer(Contribution.listed_under_organisation))
            .order_by(Contribution.id)).all()
        assert known.organisation_id == world["bolk_id"]
        assert known.organisation_name == "Bakkerij Bolk"  # the organisation's own spelling
        assert new.organisation_id is None and new.organisation_name == "Zorggroep Noord"
        assert new.organisation_kind.value == "civil_society" and new.listed_under_organisation
        assert resident.organisation_kind is None and not resident.listed_under_organisation


def test_an_xlsx_with_english_headers_and_real_dates(app, world, tmp_path):
    rows = [["Bakkerij Bolk", None, "Werklocaties", "Uit Excel", "Regel een\nregel twee",
             datetime(2026, 11, 12)],
            [None, None, "ARBEIDSMARKT", "Tekstdatum", "Tekst", "3-2-2026"],
            [None, None, "Energietransitie", 2026, "Een getal als titel", None]]
    result = run_import(app, tmp_path, xlsx_bytes(ENGLISH, rows), "notities.xlsx")
    assert result.exit_code == 0, result.output
    items = stored(app)
    assert [item.title for item in items] == ["Uit Excel", "Tekstdatum", "2026"]
    assert utc_to_amsterdam(items[0].created_at).date() == date(2026, 11, 12)
    assert utc_to_amsterdam(items[1].created_at).date() == date(2026, 2, 3)
    assert items[0].offline_source == "Werksessie 12 november (notities.xlsx, line 2)"
    assert "<p>Regel een\nregel twee</p>" in items[0].body_html


def test_text_is_cleaned_as_other_input(app, world, tmp_path):
    rows = [["", "", "Werklocaties", "<b>Vet</b> idee", "<script>alert(1)</script> *ja*", ""]]
    assert run_import(app, tmp_path, csv_bytes(DUTCH, rows)).exit_code == 0
    item = stored(app)[0]
    assert item.title == "Vet idee"
    assert "<script>" not in item.body_html and "<em>ja</em>" in item.body_html


# --- bad files and rows ---------------------------------------------------------------------

BAD_ROWS = [
    ["", "", "Werklocaties", "Goed", "Deze regel is goed.", ""],
    ["", "", "Wonen", "Onbekend thema", "Tekst", ""],
    ["", "", "Werklocaties", "Lege tekst", "   ", ""],
    ["", "", "Werklocaties", "Slechte datum", "Tekst", "31-02-2026"],
    ["", "", "Werklocaties", "T" * 201, "Tekst", ""],
    ["Nieuwe Club", "", "Werklocaties", "Onbekende organisatie", "Tekst", ""],
]


def test_bad_rows_are_reported_with_their_line_and_nothing_is_stored(app, world, tmp_path):
    with app.app_context():
        process = db.session.get(Process, world["process_id"])
        make_contribution(process, process.themes[0], None, title="Er al")
        db.session.commit()
        before = count(Contribution)
    result = run_import(app, tmp_path, csv_bytes(DUTCH, BAD_ROWS))
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert any(line.startswith('line 3: "Wonen" is not a theme of this process') for line in lines)
    assert "line 4: The text is empty." in lines
    assert any(line.startswith('line 5: "31-02-2026" is not a date') for line in lines)
    assert "line 6: The title has 201 characters; at most 200 fit." in lines
    assert any(line.startswith('line 7: "Nieuwe Club" is not a known organisation') for line in lines)
    assert "Nothing has been stored: 5 problems." in lines
    assert not any(line.startswith("line 2") for line in lines)
    with app.app_context():
        assert count(Contribution) == before == 1


def test_missing_columns_and_unreadable_files(app, world, tmp_path):
    result = run_import(app, tmp_path, csv_bytes(["thema", "opmerking"], [["Werklocaties", "x"]]))
    assert result.exit_code == 1
    assert 'line 1: There is no column "titel" (or "title").' in result.output
    assert 'line 1: There is no column "tekst" (or "text").' in result.output
    old_excel = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600
    result = run_import(app, tmp_path, old_excel, "oud.xls")
    assert result.exit_code == 1 and "old Excel file (.xls)" in result.output
    broken = b"PK\x03\x04 not really a zip"
    result = run_import(app, tmp_path, broken, "kapot.xlsx")
    assert result.exit_code == 1 and "The XLSX file could not be read" in result.output
    assert stored(app) == []


def test_the_limits_of_size_and_rows_are_said(app, world, tmp_path):
    rows = [["", "", "Werklocaties", f"Titel {n}", "Tekst", ""] for n in range(5001)]
    result = run_import(app, tmp_path, csv_bytes(DUTCH, rows))
    assert result.exit_code == 1
    assert "The file has more than 5,000 rows." in result.output
    big = csv_bytes(DUTCH, [["", "", "Werklocaties", "Groot", "x" * (5 * 1024 * 1024), ""]])
    result = run_import(app, tmp_path, big)
    assert result.exit_code == 1 and "larger than 5 MB" in result.output
    assert stored(app) == []


def test_a_text_with_a_line_break_is_one_row_as_in_the_spreadsheet(app, world, tmp_path):
    rows = [["", "", "Werklocaties", "Lang", "een\ntwee\ndrie", ""],
            ["", "", "Wonen", "Fout", "Tekst", ""]]
    result = run_import(app, tmp_path, csv_bytes(DUTCH, rows))
    assert result.exit_code == 1
    assert re.search(r"^line 3: \"Wonen\"", result.output, re.M)


# --- the same rows again --------------------------------------------------------------------

def test_the_same_file_twice_stores_each_row_once_and_says_so(app, world, tmp_path):
    data = csv_bytes(DUTCH, ROWS)
    assert "3 contributions stored." in run_import(app, tmp_path, data).output
    again = run_import(app, tmp_path, data, "werksessie (1).csv")
    assert again.exit_code == 0
    assert "0 contributions stored." in again.output
    assert "line 2 has been stored before (the same sender, theme, title and text)" in again.output
    with app.app_context():
        assert count(Contribution) == 3


def test_a_row_twice_in_one_file_is_stored_once_but_two_unnamed_residents_twice(app, world,
                                                                                tmp_path):
    rows = [["Bakkerij Bolk", "", "Werklocaties", "Zelfde", "Zelfde tekst", ""],
            ["Bakkerij Bolk", "", "Werklocaties", "Zelfde", "Zelfde  tekst", ""],
            ["", "", "Werklocaties", "Petitie", "Geen windmolens", ""],
            ["", "", "Werklocaties", "Petitie", "Geen windmolens", ""]]
    result = run_import(app, tmp_path, csv_bytes(DUTCH, rows))
    assert result.exit_code == 0
    assert "3 contributions stored." in result.output
    assert "line 3 is the same as line 2" in result.output


def test_two_imports_of_one_file_at_the_same_moment_store_it_once(app, world, tmp_path):
    """Two team members (or two web processes) store the same file at once: each row once,
    both finish without an error, neither stores part of it."""
    from participation.accounts.models import User
    from participation.contributions import importing
    from participation.processes.models import Round, RoundKind

    rows = [["", "", "Werklocaties", f"Gelijk {n}", f"Tekst {n}", ""] for n in range(40)]
    sheet = importing.read(csv_bytes(DUTCH, rows))
    ready, outcomes, errors = threading.Barrier(2), [], []

    def run(email: str) -> None:
        try:
            with app.app_context():
                user = db.session.scalar(sa.select(User).where(User.email == email))
                round_ = db.session.scalar(sa.select(Round).where(Round.kind == RoundKind.input))
                ready.wait(timeout=60)
                plan = importing.import_rows(round_, sheet, filename="zelfde.csv",
                                             source="Werksessie", entered_by=user)
                db.session.commit()
                outcomes.append((len(plan.stored), len(plan.skipped)))
        except Exception:  # noqa: BLE001 - reported below
            errors.append(traceback.format_exc())
            ready.abort()
    with app.app_context():
        make_user("mod2@example.nl", role="moderator")
    threads = [threading.Thread(target=run, args=(email,))
               for email in ("mod@example.nl", "mod2@example.nl")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert errors == [], "\n".join(errors)
    assert sorted(outcomes) == [(0, 40), (40, 0)]
    with app.app_context():
        assert count(Contribution) == 40
        assert count(AuditEvent, AuditEvent.action == "contribution.import") == 40


# --- the command ------------------------------------------------------------------------------

def test_the_command_records_who_entered_it_and_refuses_others(app, world, tmp_path):
    data = csv_bytes(DUTCH, ROWS[:1])
    refused = run_import(app, tmp_path, data, "a.csv", "--by", "anna@example.nl")
    assert refused.exit_code != 0 and "not a member of the project team" in refused.output
    unknown = app.test_cli_runner().invoke(args=[
        "input", "import", "bestaat-niet", str(tmp_path / "a.csv"), "--source", "x"])
    assert unknown.exit_code != 0 and "no process" in unknown.output
    done = run_import(app, tmp_path, data, "a.csv", "--by", "mod@example.nl")
    assert done.exit_code == 0 and "1 contribution stored." in done.output
    with app.app_context():
        item = db.session.scalar(sa.select(Contribution))
        assert item.entered_by.email == "mod@example.nl" and item.author_id is None
        event = db.session.scalar(sa.select(AuditEvent))
        assert (event.action, event.target_id, event.actor_id) == (
            "contribution.import", item.id, item.entered_by_id)
        assert event.after == {"source": item.offline_source, "file": "a.csv", "line": 2}


# --- the page ---------------------------------------------------------------------------------

URL = "/p/economie/input/import"


def english(client) -> None:
    submit(client, "/language", {"locale": "en", "next": "/"}, page_url="/")


def preview(client, data: bytes, name="werksessie.csv", source="Werksessie 12 november"):
    page = client.get(URL)
    assert page.status_code == 200
    return client.post(URL, data={"csrf_token": csrf_token(page.get_data(as_text=True)),
                                  "source": source, "file": (io.BytesIO(data), name)})


def confirm_fields(html: str) -> dict:
    form = html[html.index('action="/p/economie/input/import/confirm"'):]
    token = re.search(r'name="token" type="hidden" value="([^"]+)"', form).group(1)
    return {"csrf_token": csrf_token(form), "token": token}


def test_the_team_previews_then_stores_and_sees_the_items_in_the_list(app, world, client):
    login(client, "mod@example.nl")
    english(client)
    shown = preview(client, csv_bytes(DUTCH, ROWS))
    html = shown.get_data(as_text=True)
    assert shown.status_code == 200
    assert "3 contributions will be stored" in html and "Ruimte voor de bakkerij" in html
    assert stored(app) == []  # a preview stores nothing
    done = client.post(f"{URL}/confirm", data=confirm_fields(html))
    assert done.status_code == 302 and done.headers["Location"].endswith("/p/economie/input")
    listing = client.get("/p/economie/input").get_data(as_text=True)
    assert "3 contributions have been stored as offline input." in listing
    assert all(row[3] in listing for row in ROWS) and "Received offline" in listing
    # The same confirmation again (a double click, a resend): nothing more.
    again = client.post(f"{URL}/confirm", data=confirm_fields(html), follow_redirects=True)
    assert "3 rows had been stored before and were not stored again." in again.get_data(
        as_text=True)
    assert len(stored(app)) == 3


def test_a_second_preview_of_the_same_file_warns_about_what_is_stored(app, world, client):
    login(client, "mod@example.nl")
    english(client)
    html = preview(client, csv_bytes(DUTCH, ROWS)).get_data(as_text=True)
    client.post(f"{URL}/confirm", data=confirm_fields(html))
    second = preview(client, xlsx_bytes(DUTCH, ROWS[:2] + [["", "", "Werklocaties", "Nieuw",
                                                           "Nieuwe tekst", ""]]), "zelfde.xlsx")
    html = second.get_data(as_text=True)
    assert "1 contribution will be stored" in html
    assert "2 rows are not stored again" in html
    assert "line 2 has been stored before (the same sender, theme, title and text)" in html
    assert "Store 1 contribution" in html


def test_a_bad_file_shows_its_problems_next_to_the_field_with_line_numbers(app, world, client):
    login(client, "mod@example.nl")
    english(client)
    shown = preview(client, csv_bytes(DUTCH, BAD_ROWS))
    html = shown.get_data(as_text=True)
    assert shown.status_code == 400
    assert "Nothing has been stored: the file has 5 problems." in html
    problems = html[html.index('id="import-problems"'):]
    assert "<strong>Line 3:</strong> &#34;Wonen&#34; is not a theme" in problems
    assert "<strong>Line 4:</strong> The text is empty." in problems
    assert "/input/import/confirm" not in html  # no button to store
    assert stored(app) == []


def test_a_forged_or_foreign_confirmation_stores_nothing(app, world, client):
    login(client, "mod@example.nl")
    english(client)
    html = preview(client, csv_bytes(DUTCH, ROWS)).get_data(as_text=True)
    fields = confirm_fields(html)
    forged = client.post(f"{URL}/confirm", data={**fields, "token": fields["token"][:-2] + "xx"})
    assert forged.status_code == 400 and "Choose the file again" in forged.get_data(as_text=True)
    other = app.test_client()
    with app.app_context():
        make_user("mod2@example.nl", role="moderator")
    login(other, "mod2@example.nl")
    page = other.get(URL).get_data(as_text=True)
    foreign = other.post(f"{URL}/confirm", data={"csrf_token": csrf_token(page),
                                                 "token": fields["token"]})
    assert foreign.status_code == 400
    assert stored(app) == []


def test_participants_may_not_import(app, world, client):
    login(client, "anna@example.nl")
    assert client.get(URL).status_code == 403
    page = client.get("/p/economie/input").get_data(as_text=True)
    refused = client.post(URL, data={"csrf_token": csrf_token(page), "source": "x",
                                     "file": (io.BytesIO(csv_bytes(DUTCH, ROWS)), "a.csv")})
    assert refused.status_code == 403
    assert stored(app) == []


def test_previews_and_imports_count_against_the_team_members_limit(limited):  # noqa: F811
    site = limited(input_imports="2/hour")
    with site.app_context():
        make_process()
        make_organisation("Bakkerij Bolk", "business", "food")
        make_user("mod@example.nl", role="moderator", locale="en")
    client = site.test_client()
    login(client, "mod@example.nl")
    html = preview(client, csv_bytes(DUTCH, ROWS)).get_data(as_text=True)
    assert client.post(f"{URL}/confirm", data=confirm_fields(html)).status_code == 302
    refused = preview(client, csv_bytes(DUTCH, ROWS[:1]), source="Brief van 3 maart")
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0
    page = refused.get_data(as_text=True)
    assert "You have sent this form many times in a short time." in page
    assert 'value="Brief van 3 maart"' in page  # the source is kept
    with site.app_context():
        assert count(Contribution) == 3


def test_two_team_members_storing_one_file_at_the_same_moment_over_http(app, world,
                                                                        live_server):
    """Both preview the same file, then press the button at the same moment (a threaded
    server: each request has its own thread and database connection): both are led to the
    list, each row is stored once, no 5xx."""
    from .instances import Person

    with app.app_context():
        make_user("mod2@example.nl", role="moderator")
    base, data = live_server.url, csv_bytes(DUTCH, ROWS)
    people, confirms = [Person(), Person()], []
    for person, email in zip(people, ("mod@example.nl", "mod2@example.nl"), strict=True):
        person.log_in(base, email, "lange-wachtzin-42")
        token = person.form_token(base + URL)
        shown = person.post(base + URL, {"csrf_token": token, "source": "Werksessie"},
                            files={"file": ("zelfde.csv", data, "text/csv")})
        assert shown.status == 200, shown.plain()[:1500]
        confirms.append(confirm_fields(shown.text))
    answers, ready = [None, None], threading.Barrier(2)

    def send(n: int) -> None:
        ready.wait(timeout=60)
        answers[n] = people[n].post(f"{base}{URL}/confirm", confirms[n])
    threads = [threading.Thread(target=send, args=(n,)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert [answer.status for answer in answers] == [302, 302], [
        answer.plain()[-1500:] for answer in answers if answer.status != 302]
    with app.app_context():
        assert count(Contribution) == 3
        assert count(AuditEvent, AuditEvent.action == "contribution.import") == 3


def test_column_names_are_found_whatever_their_case_spacing_or_order(app, world, tmp_path):
    header = ["  TEKST ", "Thema", "titel:", "Datum_Ontvangen", "Opmerking", "ORGANISATIE",
              "Soort-organisatie"]
    rows = [["Tekst een", "Werklocaties", "Titel een", "12 november 2026", "intern",
             "Nieuw Bedrijf", "bedrijf"],
            ["Tekst twee", "werklocaties", "Titel twee", "12/11/2026", "", "", ""]]
    result = run_import(app, tmp_path, csv_bytes(header, rows, separator="\t"))
    assert result.exit_code == 0, result.output
    items = stored(app)
    assert [(item.title, item.body_md, item.organisation_name) for item in items] == [
        ("Titel een", "Tekst een", "Nieuw Bedrijf"), ("Titel twee", "Tekst twee", "")]
    assert {utc_to_amsterdam(item.created_at).date() for item in items} == {date(2026, 11, 12)}


def test_the_audit_trail_says_what_was_imported_from_where(app, world, tmp_path):
    from flask_babel import force_locale

    from participation.audit.sentences import describe

    assert run_import(app, tmp_path, csv_bytes(DUTCH, ROWS[:1]), "brieven.csv",
                      "--by", "mod@example.nl").exit_code == 0
    with app.test_request_context(), force_locale("en"):
        event = db.session.scalar(sa.select(AuditEvent).options(
            sa.orm.joinedload(AuditEvent.actor)))
        line = describe([event])[0]
    assert line.sentence == ("Mira Moderator imported the contribution “Ruimte voor de "
                             "bakkerij” from brieven.csv, line 2")


def test_storing_checks_the_rows_again(app, world, client):
    """A theme renamed between the preview and the button: nothing is stored, the problem is
    shown with its line."""
    from participation.processes.models import Theme

    login(client, "mod@example.nl")
    english(client)
    html = preview(client, csv_bytes(DUTCH, ROWS)).get_data(as_text=True)
    with app.app_context():
        theme = db.session.scalar(sa.select(Theme).where(Theme.title == "Arbeidsmarkt"))
        theme.title = "Werk en arbeidsmarkt"
        db.session.commit()
    answer = client.post(f"{URL}/confirm", data=confirm_fields(html))
    page = answer.get_data(as_text=True)
    assert answer.status_code == 409
    assert "<strong>Line 3:</strong> &#34;Arbeidsmarkt&#34; is not a theme" in page
    assert stored(app) == []
