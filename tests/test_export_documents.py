"""The participation document to read: PDF, HTML (download and preview) and XLSX, from the page
and the command line, in Dutch and English. DOCX has its own file (test_export_docx.py)."""
from __future__ import annotations

import io
import json
import re
import subprocess

import pikepdf
import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from participation.audit.models import AuditEvent
from participation.core.extensions import db

from .factories import csrf_token, login, make_organisation, make_user
from .test_export import _world

SLUG = "economische-agenda-2026-2030"
EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+")
RESIDENT_NAMES = ("Henk Mulder", "Fatima")  # demo residents: never in any document


def _flat(text: str) -> str:
    """One space between words; a word broken at its hyphen at a line end joins up again."""
    return " ".join(text.split()).replace("- ", "-")


def _pdf_text(data: bytes, tmp_path) -> str:
    """pdftotext keeps reading order (pypdf can split words at kerning); -raw keeps the hyphen
    of a word broken at a line end."""
    path = tmp_path / "doc.pdf"
    path.write_bytes(data)
    return _flat(subprocess.run(["pdftotext", "-raw", "-enc", "UTF-8", str(path), "-"], check=True,
                                capture_output=True, text=True).stdout)


def _html_text(data: bytes) -> str:
    import html

    text = re.sub(r"<style>.*?</style>", " ", data.decode("utf-8"), flags=re.S)
    return _flat(html.unescape(re.sub(r"<[^>]+>", " ", text)))


def _download(client, fmt: str, version: str = "public", language: str = "en") -> bytes:
    page = client.get(f"/p/{SLUG}/export").get_data(as_text=True)
    response = client.post(f"/p/{SLUG}/export", data={
        "csrf_token": csrf_token(page), "format": fmt, "version": version,
        "language": language})
    assert response.status_code == 200, response.status_code
    assert f"-{version}-{language}." in response.headers["Content-Disposition"]
    return response.data


KIND_LABELS = {"en": {"business": "Business", "education": "Education or knowledge institution",
                      "government": "Government", "civil_society": "Civil-society organisation",
                      "other": "Other organisation"},
               "nl": {"business": "Bedrijf", "education": "Onderwijs- of kennisinstelling",
                      "government": "Overheid", "civil_society": "Maatschappelijke organisatie",
                      "other": "Andere organisatie"}}


def _assert_under_stakeholders(text: str, facts: dict, per_stakeholder_heading: str,
                               index_heading: str, language: str = "en") -> None:
    """Each published title comes after its organisation's heading and before the next
    stakeholder's; the response text follows the answered one."""
    # The headings appear in the table of contents too: the part itself is the last match.
    body = text[text.rindex(per_stakeholder_heading):text.rindex(index_heading)]
    # A heading is the name followed by the kind (names also occur in reply contexts).
    headings = {body.index(_flat(f"{name} {KIND_LABELS[language][kind]}")): name
                for name, kind in facts["kinds"].items()}
    headings.update({m.start(): m.group() for m in re.finditer(
        r"(Resident|Inwoner) \d+ (Resident|Inwoner)", body)})
    for title, organisation in facts["published_by"].items():
        at = body.index(_flat(title))
        under = headings[max(p for p in headings if p < at)]
        assert under == organisation, (title, organisation, under)
    answered = body.index(_flat(facts["answered"]))
    assert body.index("We nemen dit deels mee.", answered) > answered
    assert facts["hidden"] not in body


@pytest.fixture
def facts(app):
    return make_facts(app)


def make_facts(app) -> dict:
    """The export test's world, what it published by whom, and a staff member (English)."""
    from participation.contributions.models import Contribution

    facts = _world(app)
    with app.app_context():
        rows = db.session.execute(sa.select(
            Contribution.title, Contribution.organisation_name, Contribution.organisation_kind)
            .where(Contribution.organisation_kind.is_not(None))).all()
        facts["published_by"] = {title: org for title, org, _k in rows
                                 if title in facts["published"]}
        assert facts["published_by"], "no published item by an organisation to look for"
        facts["kinds"] = {org: kind.value for _t, org, kind in rows}
        make_user("staff@example.nl", role="staff", locale="en")
    return facts


def test_pdf_from_the_page_lists_every_published_item_under_its_stakeholder(
        client, app, facts, tmp_path):
    login(client, "staff@example.nl")
    data = _download(client, "pdf")
    assert data.startswith(b"%PDF")
    with pikepdf.open(io.BytesIO(data)) as reader, reader.open_outline() as bookmarks:
        pages, outline = len(reader.pages), [item.title for item in bookmarks.root]
    assert pages > 10
    text = _pdf_text(data, tmp_path)
    _assert_under_stakeholders(text, facts, "4. Contributions and responses per stakeholder",
                               "5. Index")
    assert "Page 3 " in text  # running footer
    assert not EMAIL.search(text)
    assert not any(name in text for name in RESIDENT_NAMES)
    assert re.search(r"Resident \d+", text)
    # Headings become the PDF's bookmarks, so a reader can jump to a stakeholder.
    assert "4. Contributions and responses per stakeholder" in outline


def test_html_download_and_preview_show_the_same_document(client, app, facts):
    login(client, "staff@example.nl")
    data = _download(client, "html")
    assert b"<script" not in data and b'<html lang="en">' in data
    text = _html_text(data)
    _assert_under_stakeholders(text, facts, "4. Contributions and responses per stakeholder",
                               "5. Index")
    assert not EMAIL.search(text) and not any(name in text for name in RESIDENT_NAMES)

    preview = client.get(f"/p/{SLUG}/export/preview?version=public&language=nl")
    assert preview.status_code == 200 and preview.headers["Cache-Control"] == "no-store"
    shown = _html_text(preview.data)
    _assert_under_stakeholders(shown, facts, "4. Inbreng en reacties per stakeholder",
                               "5. Register", language="nl")
    assert "Inwoner 1" in shown and not EMAIL.search(shown.replace("staff@example.nl", ""))
    assert client.get(f"/p/{SLUG}/export/preview?version=secret").status_code == 400
    with app.app_context():
        # Reading the preview is not an export; downloads are.
        actions = db.session.scalars(sa.select(AuditEvent.after).where(
            AuditEvent.action == "export")).all()
        assert [a["format"] for a in actions] == ["html"]


def test_xlsx_has_one_row_per_item_with_its_stakeholder_and_response(client, app, facts):
    login(client, "staff@example.nl")
    book = load_workbook(io.BytesIO(_download(client, "xlsx")), read_only=True)
    assert book.sheetnames == ["Contributions and reactions", "Stakeholders", "The process",
                               "What came back most", "Ratings"]
    rows = list(book["Contributions and reactions"].iter_rows(values_only=True))
    assert rows[0][:5] == ("Stakeholder", "Kind", "Round", "Theme / Section", "Title")
    by_title = {row[4]: row for row in rows[1:]}
    for title, organisation in facts["published_by"].items():
        assert by_title[title][0] == organisation
    answered = by_title[facts["answered"]]
    assert answered[11] == "Partly adopted" and answered[12] == "We nemen dit deels mee."
    assert facts["hidden"] not in by_title
    cells = [str(c) for sheet in book for row in sheet.iter_rows(values_only=True) for c in row
             if c is not None]
    assert not any(EMAIL.search(c) for c in cells)
    assert not any(name in c for c in cells for name in RESIDENT_NAMES)
    stakeholders = list(book["Stakeholders"].iter_rows(values_only=True))
    assert len(stakeholders) - 1 == len({row[0] for row in rows[1:]})


def test_internal_version_from_the_cli_marks_hidden_items(app, facts, tmp_path):
    runner = app.test_cli_runner()
    for fmt in ("pdf", "html", "xlsx", "docx", "csv", "json"):
        out = tmp_path / f"doc.{fmt}"
        result = runner.invoke(args=["export", SLUG, "--format", fmt, "--output", str(out),
                                     "--internal", "--language", "en"])
        assert result.exit_code == 0, result.output
        assert out.stat().st_size > 1000
    text = _pdf_text((tmp_path / "doc.pdf").read_bytes(), tmp_path)
    hidden_at = text.index(facts["hidden"])
    assert "Hidden by the project team" in text[hidden_at:hidden_at + 400]
    assert "Internal version" in text
    rows = list(load_workbook(tmp_path / "doc.xlsx", read_only=True).worksheets[0]
                .iter_rows(values_only=True))
    assert [row[9] for row in rows if row[4] == facts["hidden"]] == ["yes"]
    with app.app_context():
        formats = [a["format"] for a in db.session.scalars(sa.select(AuditEvent.after).where(
            AuditEvent.action == "export").order_by(AuditEvent.id))]
        assert formats == ["pdf", "html", "xlsx", "docx", "csv", "json"]


MARKDOWN = """Wij vragen om:

- **snellere** vergunningen
- *meer* ruimte

1. eerst dit
2. dan dat

Zie [ons plan](https://example.org/plan) & 5 < 6 😀 مرحبا بالعالم"""


def test_markdown_becomes_lists_links_and_emphasis_and_text_survives(app, client, tmp_path):
    from .factories import make_contribution, make_process

    with app.app_context():
        process = make_process()
        org = make_organisation("Bakker & Zonen <BV>", "business", "bakkerij")
        author = make_user(organisation=org)
        make_contribution(process, process.themes[0], author, title="Vergunningen",
                          body=MARKDOWN)
        db.session.commit()
        make_user("staff@example.nl", role="staff", locale="en")
    login(client, "staff@example.nl")
    page = client.get("/p/economie/export").get_data(as_text=True)

    def download(fmt):
        response = client.post("/p/economie/export", data={
            "csrf_token": csrf_token(page), "format": fmt, "version": "public",
            "language": "nl"})
        assert response.status_code == 200
        return response.data

    html = download("html").decode("utf-8")
    assert "<li><strong>snellere</strong> vergunningen</li>" in html
    assert '<a href="https://example.org/plan" rel="nofollow noopener">ons plan</a>' in html
    assert "<ol>" in html and "**" not in html and "](" not in html
    assert "Bakker &amp; Zonen &lt;BV&gt;" in html and "5 &lt; 6 😀 مرحبا بالعالم" in html

    pdf = download("pdf")
    text = _pdf_text(pdf, tmp_path)
    assert "Bakker & Zonen <BV>" in text and "5 < 6" in text
    assert "😀" in text and "مرحبا" in text and "**" not in text
    # Each list marker is read before its item (tagged as the item's label).
    assert "• snellere vergunningen • meer ruimte 1. eerst dit 2. dan dat" in text
    with pikepdf.open(io.BytesIO(pdf)) as reader:
        links = [str(a.A.get("/URI", "")) for p in reader.pages
                 for a in p.obj.get("/Annots", []) if "/A" in a]
        fonts = {str(font.BaseFont) for p in reader.pages
                 for font in p.Resources.get("/Font", {}).values()}
    assert "https://example.org/plan" in links
    assert any("Bold" in f for f in fonts) and any("Oblique" in f for f in fonts), fonts

    rows = list(load_workbook(io.BytesIO(download("xlsx")), read_only=True).worksheets[0]
                .iter_rows(values_only=True))
    assert rows[1][0] == "Bakker & Zonen <BV>" and rows[1][5] == MARKDOWN
    data = json.loads(download("json"))
    assert data["stakeholders"][0]["name"] == "Bakker & Zonen <BV>"
    assert data["stakeholders"][0]["items"][0]["text_md"] == MARKDOWN


def test_xlsx_never_turns_text_into_formulas(app, client):
    from .factories import make_contribution, make_process

    with app.app_context():
        process = make_process()
        author = make_user(organisation=make_organisation("=cmd|' /C calc'!A0", "business", "x"))
        make_contribution(process, process.themes[0], author, title="=SUM(A1:A9)",
                          body="@risk")
        db.session.commit()
        make_user("staff@example.nl", role="staff", locale="en")
    login(client, "staff@example.nl")
    page = client.get("/p/economie/export").get_data(as_text=True)
    data = client.post("/p/economie/export", data={"csrf_token": csrf_token(page),
                                                   "format": "xlsx", "language": "en",
                                                   "version": "public"}).data
    sheet = load_workbook(io.BytesIO(data)).worksheets[0]
    assert sheet["A2"].value == "=cmd|' /C calc'!A0" and sheet["A2"].data_type == "s"
    assert sheet["E2"].value == "=SUM(A1:A9)" and sheet["E2"].data_type == "s"


def test_the_document_is_built_with_a_fixed_number_of_queries(app, count_queries):
    from participation.export.services import document
    from participation.processes.models import Process

    from .factories import make_comment, make_contribution, make_process, open_feedback_round
    from .factories import publish_draft

    with app.test_request_context():
        process = make_process()
        open_feedback_round(process)
        publish_draft(process, make_user("mod@example.nl", role="moderator"))

    def add(n, start):
        with app.test_request_context():
            process = db.session.scalar(sa.select(Process))
            section = version_sections(process)[0]
            for i in range(start, start + n):
                org = make_organisation(f"Organisatie {i}", "business", "x")
                author = make_user(f"u{i}@example.nl", organisation=org)
                make_contribution(process, process.themes[i % len(process.themes)], author,
                                  title=f"Inbreng {i}")
                make_comment(section, author, body=f"Reactie {i}")
            db.session.commit()

    def queries():
        with app.test_request_context(), count_queries() as counter:
            process = db.session.scalar(sa.select(Process))
            built = document(process, public=True, language="nl")
        return counter.count, built

    add(2, 0)
    few, small = queries()
    add(40, 2)
    many, large = queries()
    assert len(large.contributors) == 42 and large.item_count == 84
    assert many == few, (few, many)


def version_sections(process):
    from participation.drafts.models import DraftVersion, Section

    return list(db.session.scalars(sa.select(Section).join(DraftVersion).where(
        DraftVersion.process_id == process.id).order_by(Section.position)))


def test_page_refuses_bad_options_and_makes_a_large_pdf_too(app, client, facts):
    # No limit on the web any more (issue 19): a PDF of any size is a job; the tests' queue
    # runs it in the request, so the file comes back at once.
    login(client, "staff@example.nl")
    url = f"/p/{SLUG}/export"
    page = client.get(url).get_data(as_text=True)
    response = client.post(url, data={"csrf_token": csrf_token(page), "format": "exe",
                                      "version": "secret", "language": "fr"})
    assert response.status_code == 400
    assert "Not a valid choice" in response.get_data(as_text=True)
    response = client.post(url, data={"csrf_token": csrf_token(page), "format": "docx",
                                      "version": "internal", "language": "nl"})
    assert response.status_code == 200 and response.data[:2] == b"PK"
    with app.app_context():
        actions = db.session.scalars(sa.select(AuditEvent.after).where(
            AuditEvent.action == "export")).all()
        assert [a["format"] for a in actions] == ["docx"]
