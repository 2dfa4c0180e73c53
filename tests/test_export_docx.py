"""The participation document as DOCX: the structure Word needs (headings, contents field,
page numbers), the privacy rules of the export, user Markdown as real Word lists and links, and
a round trip through LibreOffice to PDF."""
from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import zipfile

import docx
import pikepdf
import pytest
import sqlalchemy as sa
from docx.oxml.ns import qn
from lxml import etree

from participation.accounts.models import User
from participation.contributions.models import Contribution
from participation.core.extensions import db

from .factories import csrf_token, login, make_organisation, make_user
from .test_export import _world

SLUG = "economische-agenda-2026-2030"
EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+")


# --- helpers ------------------------------------------------------------------------------

def _export_from_page(client, app, slug: str, *, language: str) -> bytes:
    with app.app_context():
        make_user("staff@example.nl", role="staff", locale="en")
    login(client, "staff@example.nl")
    url = f"/p/{slug}/export"
    page = client.get(url).get_data(as_text=True)
    response = client.post(url, data={"csrf_token": csrf_token(page), "format": "docx",
                                      "version": "public", "language": language})
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document")
    assert "attachment" in response.headers["Content-Disposition"]
    return response.data


def _export_from_cli(app, tmp_path, *extra: str) -> bytes:
    out = tmp_path / "document.docx"
    result = app.test_cli_runner().invoke(args=[
        "export", SLUG, "--format", "docx", "--output", str(out), *extra])
    assert result.exit_code == 0, result.output
    return out.read_bytes()


def _all_text(data: bytes) -> str:
    """The text of every XML part: body, tables, headers, footers, document properties."""
    texts = []
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        for name in package.namelist():
            if name.endswith(".xml"):
                texts.append(" ".join(etree.fromstring(package.read(name)).itertext()))
    return "\n".join(texts)


def _part(data: bytes, name: str) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        return package.read(name).decode("utf-8")


def _blocks(document) -> dict[str, list]:
    """Section 4 of the document: stakeholder name → the paragraphs under their heading."""
    blocks: dict[str, list] = {}
    current = None
    in_section = False
    for paragraph in document.paragraphs:
        style = paragraph.style.name
        if style == "Heading 1":
            in_section = paragraph.text.startswith("4. ")
            current = None
        elif in_section and style == "Heading 2":
            current = blocks.setdefault(paragraph.text, [])
        elif current is not None:
            current.append(paragraph)
    return blocks


def _item(paragraphs: list, title: str) -> list:
    """The paragraphs of one item: its Heading 3 (which holds `title`) up to the next one."""
    start = next(n for n, p in enumerate(paragraphs)
                 if p.style.name == "Heading 3" and p.text.endswith(f": {title}"))
    end = next((n for n, p in enumerate(paragraphs[start + 1:], start + 1)
                if p.style.name == "Heading 3"), len(paragraphs))
    return paragraphs[start:end]


def _owners(app, titles: list[str]) -> dict[str, str]:
    with app.app_context():
        rows = db.session.execute(sa.select(Contribution.title, Contribution.organisation_name)
                                  .where(Contribution.title.in_(titles))).all()
    return dict(rows)


def _person_names(app) -> list[str]:
    with app.app_context():
        names = list(db.session.scalars(sa.select(User.name)))
    assert names, "no people whose names must stay out of the document"
    return names


def _assert_word_structure(data: bytes, document) -> None:
    assert document.sections[0].different_first_page_header_footer
    assert not document.sections[0].first_page_header.paragraphs[0].text
    assert document.sections[0].header.paragraphs[0].text.startswith(
        document.core_properties.title)
    body = _part(data, "word/document.xml")
    assert re.search(r'<w:instrText[^>]*> TOC \\o "1-2" \\h \\z \\u </w:instrText>', body)
    assert '<w:updateFields w:val="true"/>' in _part(data, "word/settings.xml")
    footer = next(_part(data, n) for n in zipfile.ZipFile(io.BytesIO(data)).namelist()
                  if n.startswith("word/footer") and "NUMPAGES" in _part(data, n))
    instructions = re.findall(r"<w:instrText[^>]*>([^<]*)</w:instrText>", footer)
    assert [i.strip() for i in instructions] == ["PAGE", "NUMPAGES"]
    assert 'w:fldCharType="begin"' in footer and 'w:fldCharType="end"' in footer
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    assert [h.split(" ", 1)[0] for h in headings] == ["1.", "2.", "3.", "4.", "5.", "6."]
    header_rows = [t.rows[0]._tr for t in document.tables]
    assert header_rows and all(tr.find(qn("w:trPr")).find(qn("w:tblHeader")) is not None
                               for tr in header_rows)
    assert all(t.style.name == "Table Grid" for t in document.tables)
    width, height = document.sections[0].page_width.mm, document.sections[0].page_height.mm
    assert (round(width), round(height)) == (210, 297)


# --- the demo, from the page and the command line ------------------------------------------

def test_public_docx_from_the_page(client, app):
    facts = _world(app)
    data = _export_from_page(client, app, SLUG, language="nl")
    document = docx.Document(io.BytesIO(data))
    _assert_word_structure(data, document)
    text = _all_text(data)

    blocks = _blocks(document)
    owners = _owners(app, facts["published"])
    for title in facts["published"]:
        item = _item(blocks[owners[title]], title)  # under its stakeholder's Heading 2
        responses = [p for p in item if p.style.name.startswith("Response")]
        assert responses, f"no response block for {title!r}"
        if title == facts["answered"]:
            assert "Verwerking: Deels overgenomen" in responses[0].text
            assert "We nemen dit deels mee." in [p.text for p in responses]
        else:
            assert responses[0].text.endswith("Nog geen reactie.")
    assert facts["hidden"] not in text

    assert not EMAIL.search(text), "an e-mail address is in the document"
    # The line under a stakeholder's heading says what kind they are: "Inwoner" for residents.
    people = [name for name, paragraphs in blocks.items() if paragraphs[0].text == "Inwoner"]
    assert people and all(re.fullmatch(r"Inwoner \d+", name) for name in people)
    for name in _person_names(app):
        assert name not in text, f"{name!r} is named in the document"
    assert "Henk Mulder" not in text and "Fatima" not in text


def test_internal_docx_from_the_cli_marks_the_hidden_item(app, tmp_path):
    facts = _world(app)
    data = _export_from_cli(app, tmp_path, "--internal", "--language", "en")
    document = docx.Document(io.BytesIO(data))
    _assert_word_structure(data, document)
    text = _all_text(data)
    assert "Internal version" in text and "not for publication" in text

    blocks = _blocks(document)
    owner = _owners(app, [facts["hidden"]])[facts["hidden"]]
    hidden = _item(blocks[owner], facts["hidden"])
    assert "Hidden by the project team" in hidden[1].text  # the line under the heading
    marks = [r for r in hidden[1].runs if r.text == "Hidden by the project team"]
    assert marks and marks[0].bold
    answered = _item(blocks[_owners(app, [facts["answered"]])[facts["answered"]]],
                     facts["answered"])
    assert any("Disposition: Partly adopted" in p.text for p in answered)

    assert not EMAIL.search(text)
    people = [name for name, paragraphs in blocks.items() if paragraphs[0].text == "Resident"]
    assert people and all(re.fullmatch(r"Resident \d+", name) for name in people)
    for name in _person_names(app):
        assert name not in text

    public = _export_from_cli(app, tmp_path, "--language", "en")
    assert facts["hidden"] not in _all_text(public)


# --- ready to attach: contents, language, title, index ------------------------------------

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
PLACEHOLDERS = ("rechtermuisknop", "Right-click", "Update field", "Veld bijwerken")


def _body(data: bytes):
    return etree.fromstring(_part(data, "word/document.xml").encode("utf-8")).find(f"{W}body")


def _style(paragraph) -> str | None:
    style = paragraph.find(f"{W}pPr/{W}pStyle")
    return None if style is None else style.get(f"{W}val")


def _text(paragraph) -> str:
    return "".join(t.text or "" for t in paragraph.iter(f"{W}t"))


def _contents(body) -> list[tuple[str | None, str, str | None]]:
    """The paragraphs of the TOC field's result (between its separate and its end), each as
    (style, text, the bookmark its link goes to)."""
    entries, depth, toc_depth, in_result = [], 0, None, False
    for paragraph in body.iter(f"{W}p"):
        inside = in_result
        for element in paragraph.iter(f"{W}fldChar", f"{W}instrText"):
            if element.tag == f"{W}instrText":
                if element.text.split()[:1] == ["TOC"]:
                    toc_depth = depth
                continue
            kind = element.get(f"{W}fldCharType")
            if kind == "begin":
                depth += 1
            elif kind == "separate" and depth == toc_depth:
                in_result = inside = True
            elif kind == "end":
                if depth == toc_depth:
                    in_result, toc_depth = False, None
                depth -= 1
        if inside and _text(paragraph):
            links = paragraph.findall(f".//{W}hyperlink")
            entries.append((_style(paragraph), _text(paragraph),
                            links[0].get(f"{W}anchor") if len(links) == 1 else None))
    assert depth == 0 and toc_depth is None, "the TOC field is not closed"
    return entries


def _headings(body, levels: tuple[int, ...] = (1, 2)) -> list[tuple[int, str, set[str]]]:
    """The headings of these levels after the contents, as (level, text, the names of the
    bookmarks around their text)."""
    headings = []
    for paragraph in body.iter(f"{W}p"):
        style = _style(paragraph) or ""
        if style.startswith("Heading") and int(style[7:]) in levels:
            started = {b.get(f"{W}id"): b.get(f"{W}name")
                       for b in paragraph.iter(f"{W}bookmarkStart")}
            ended = {b.get(f"{W}id") for b in paragraph.iter(f"{W}bookmarkEnd")}
            headings.append((int(style[7:]), _text(paragraph),
                             {name for id_, name in started.items() if id_ in ended}))
    return headings


def _document_content(app, language: str):
    """The builder's plain data of the demo's public document: what the file must show."""
    from participation.export.services import document
    from participation.processes.models import Process

    with app.test_request_context():
        process = db.session.scalar(sa.select(Process).where(Process.slug == SLUG))
        return document(process, public=True, language=language)


def test_contents_are_filled_with_the_headings_as_links_to_their_bookmarks(app, tmp_path):
    facts = _world(app)
    data = _export_from_cli(app, tmp_path, "--language", "nl")
    body = _body(data)
    entries, headings = _contents(body), _headings(body)

    # One entry per heading of levels 1 and 2, in order, with the heading's text (its number
    # included) and the style of its level.
    assert [(style, text) for style, text, _ in entries] == [
        (f"TOC{level}", text) for level, text, _ in headings]
    assert [text for _, text, _ in entries if text[:2] in ("1.", "2.", "3.", "4.", "5.")] == [
        "1. Het proces", "2. Overzicht van stakeholders", "3. Wat het vaakst terugkwam",
        "4. Inbreng en reacties per stakeholder", "5. Register"]
    # Each entry links to a bookmark around its own heading; every bookmark is there once.
    for (_, text, anchor), (_, _, names) in zip(entries, headings, strict=True):
        assert anchor and anchor in names, f"the entry {text!r} does not link to its heading"
    starts = list(body.iter(f"{W}bookmarkStart"))
    assert len({b.get(f"{W}name") for b in starts}) == len(starts)
    assert len({b.get(f"{W}id") for b in starts}) == len(starts)

    # Under chapter 4, every stakeholder with input, in the document's order.
    content = _document_content(app, "nl")
    chapter = [text for _, text, _ in entries]
    third = chapter.index("4. Inbreng en reacties per stakeholder")
    assert chapter[third + 1:chapter.index("5. Register")] == [
        s.name for s in content.contributors]
    assert facts["answered_org"] in chapter
    # Word still updates it, and is asked to when the file is opened.
    begin = next(f for f in body.iter(f"{W}fldChar") if f.get(f"{W}fldCharType") == "begin")
    assert begin.get(f"{W}dirty") == "true"
    assert '<w:updateFields w:val="true"/>' in _part(data, "word/settings.xml")
    text = _all_text(data)
    assert not any(words in text for words in PLACEHOLDERS)


@pytest.mark.parametrize(("language", "code", "document_word"), [
    ("nl", "nl-NL", "Participatiedocument"), ("en", "en-GB", "Participation document")])
def test_language_and_title_are_set(app, tmp_path, language, code, document_word):
    _world(app)
    data = _export_from_cli(app, tmp_path, "--language", language)
    dc = "{http://purl.org/dc/elements/1.1/}"
    core = etree.fromstring(_part(data, "docProps/core.xml").encode("utf-8"))
    assert core.findtext(f"{dc}language") == code
    process_title = _document_content(app, language).process_title
    title = f"{document_word} – {process_title}"
    assert core.findtext(f"{dc}title") == title
    app_properties = etree.fromstring(_part(data, "docProps/app.xml").encode("utf-8"))
    vt = "{http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes}"
    assert [t.text for t in app_properties.iter(f"{vt}lpstr")][-1] == title

    styles = etree.fromstring(_part(data, "word/styles.xml").encode("utf-8"))
    default = styles.find(f"{W}docDefaults/{W}rPrDefault/{W}rPr/{W}lang")
    assert default is not None and default.get(f"{W}val") == code
    # The title page shows the same title: the Title paragraph, then the process.
    paragraphs = list(_body(data).iter(f"{W}p"))
    shown = next(n for n, p in enumerate(paragraphs) if _style(p) == "Title")
    assert [_text(p) for p in paragraphs[shown:shown + 2]] == [document_word, process_title]
    assert _style(paragraphs[shown + 1]) == "Subtitle"


def test_index_entries_are_headings_and_tables_repeat_their_header_row(app, tmp_path):
    _world(app)
    data = _export_from_cli(app, tmp_path, "--language", "nl")
    body = _body(data)
    content = _document_content(app, "nl")
    assert content.themes and content.sections

    # In chapter 4, under "Register per thema" and "Register per hoofdstuk van het concept",
    # each theme and section is a heading of level 3 (so in Word's navigation pane), followed
    # by the stakeholders who responded to it.
    paragraphs = list(body.iter(f"{W}p"))
    index = next(n for n, p in enumerate(paragraphs)
                 if _style(p) == "Heading1" and _text(p) == "5. Register")
    end = next((n for n, p in enumerate(paragraphs) if n > index and _style(p) == "Heading1"),
               len(paragraphs))  # chapter 6, the ratings, follows
    topics = [(_style(p), _text(p)) for p in paragraphs[index + 1:end]
              if _style(p) in ("Heading2", "Heading3")]
    assert topics == [
        ("Heading2", "Register per thema"), *(("Heading3", t.name) for t in content.themes),
        ("Heading2", "Register per hoofdstuk van het concept"),
        *(("Heading3", t.name) for t in content.sections)]
    styles = etree.fromstring(_part(data, "word/styles.xml").encode("utf-8"))
    heading3 = next(s for s in styles.iter(f"{W}style") if s.get(f"{W}styleId") == "Heading3")
    assert heading3.find(f"{W}pPr/{W}outlineLvl").get(f"{W}val") == "2"

    # Every table's first row, and only that one, is a header row Word repeats on each page;
    # each table has a name a screen reader announces (the HTML's aria-label).
    tables = list(body.iter(f"{W}tbl"))
    # (Then chapter 5's table of ratings per round: tests/test_ratings.py.)
    assert [t.find(f"{W}tblPr/{W}tblCaption").get(f"{W}val") for t in tables][:5] == [
        "De rondes", "Deelnemers per soort", "Overzicht van stakeholders", "Inbreng per thema",
        "Reacties per hoofdstuk van het concept"]
    assert len(tables) == 6
    for table in tables:
        rows = table.findall(f"{W}tr")
        assert [row.find(f"{W}trPr/{W}tblHeader") is not None for row in rows] == [
            True, *(False for _ in rows[1:])]


# --- user Markdown as Word structure -------------------------------------------------------

MARKDOWN = """\
Eerste alinea met *nadruk* en **sterk**, en de tekens < & 😀 precies zo.

- punt een
- punt twee
    - dieper punt

1. eerste
2. tweede

Een tweede lijst:

1. opnieuw een
2. opnieuw twee

Zie [de website](https://example.org/pad?a=1&b=2) of `code`.

مرحبا بالعالم
"""


def _numbering(paragraph) -> tuple[int, int] | None:
    num_pr = paragraph._p.find(f"{qn('w:pPr')}/{qn('w:numPr')}")
    if num_pr is None:
        return None
    return (int(num_pr.find(qn("w:numId")).get(qn("w:val"))),
            int(num_pr.find(qn("w:ilvl")).get(qn("w:val"))))


def test_markdown_becomes_word_lists_links_and_emphasis(client, app):
    from participation.moderation.models import Disposition, TargetType
    from participation.moderation.services import save_response

    from .factories import make_contribution, make_process

    with app.test_request_context():
        process = make_process()
        organisation = make_organisation("Bakkerij <Bolk> & Zn", "business", "food")
        author = make_user(organisation=organisation)
        moderator = make_user("moderator@example.nl", role="moderator", name="Mo Derator")
        item = make_contribution(process, process.themes[0], author,
                                 title="Titel\x0bmet\x1fstuurtekens", body=MARKDOWN)
        db.session.flush()
        save_response(process, TargetType.contribution, item, moderator,
                      disposition=Disposition.adopted,
                      body_md="We doen dit:\n\n1. stap een\n2. stap twee", lineage_ids=[],
                      publish=True)
        db.session.commit()
    data = _export_from_page(client, app, "economie", language="en")
    document = docx.Document(io.BytesIO(data))
    paragraphs = _item(_blocks(document)["Bakkerij <Bolk> & Zn"], "Titelmetstuurtekens")
    by_text = {p.text: p for p in paragraphs}

    first = by_text["Eerste alinea met nadruk en sterk, en de tekens < & 😀 precies zo."]
    assert [r.text for r in first.runs if r.italic] == ["nadruk"]
    assert [r.text for r in first.runs if r.bold] == ["sterk"]

    bullets = [_numbering(by_text[t]) for t in ("punt een", "punt twee", "dieper punt")]
    assert bullets[0] == bullets[1] and bullets[0][1] == 0
    assert bullets[2][1] == 1  # the nested item one level deeper
    first_list = [_numbering(by_text[t]) for t in ("eerste", "tweede")]
    second_list = [_numbering(by_text[t]) for t in ("opnieuw een", "opnieuw twee")]
    response_list = [_numbering(by_text[t]) for t in ("stap een", "stap twee")]
    assert first_list[0] == first_list[1] and second_list[0] == second_list[1]
    num_ids = {first_list[0][0], second_list[0][0], response_list[0][0]}
    assert len(num_ids) == 3, "every numbered list has its own numbering instance"
    numbering = document.part.numbering_part.element
    for num_id in num_ids:
        num = next(n for n in numbering.iterchildren(qn("w:num"))
                   if n.get(qn("w:numId")) == str(num_id))
        start = num.find(f"{qn('w:lvlOverride')}/{qn('w:startOverride')}")
        assert start is not None and start.get(qn("w:val")) == "1"
    assert by_text["stap een"].style.name == "Response List"
    assert by_text["We doen dit:"].style.name == "Response"

    link_paragraph = by_text["Zie de website of code."]
    links = link_paragraph._p.findall(qn("w:hyperlink"))
    assert len(links) == 1
    relationship = document.part.rels[links[0].get(qn("r:id"))]
    assert relationship.is_external and relationship.target_ref == "https://example.org/pad?a=1&b=2"
    link_run = links[0].find(qn("w:r"))
    assert link_run.find(f"{qn('w:rPr')}/{qn('w:rStyle')}").get(qn("w:val")) == "Hyperlink"
    assert link_run.text == "de website"
    code = [r for r in link_paragraph.runs if r.text == "code"]
    assert code and code[0].style.name == "HTML Code"
    assert code[0].style.font.name == "Courier New"

    arabic = by_text["مرحبا بالعالم"]
    assert arabic._p.find(f"{qn('w:pPr')}/{qn('w:bidi')}") is not None
    assert all(r._r.find(f"{qn('w:rPr')}/{qn('w:rtl')}") is not None for r in arabic.runs)

    text = _all_text(data)
    for leftover in ("**", "<em>", "](", "&lt;", "\x0b", "\x1f"):
        assert leftover not in text
    assert "Bakkerij <Bolk> & Zn" in text
    assert "Mo Derator" not in text and "Pieter de Vries" not in text


# --- LibreOffice ---------------------------------------------------------------------------

@pytest.mark.once  # LibreOffice reads the file; the database it came from does not matter
def test_libreoffice_converts_the_docx_to_pdf(app, tmp_path):
    soffice = shutil.which("soffice")
    if soffice is None:
        reason = "LibreOffice (soffice) is not installed (apt-get install -y libreoffice-writer-nogui)"
        if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
            pytest.fail(reason)  # .ci/run installs it: in CI a missing one is a failure
        pytest.skip(reason)
    facts = _world(app)
    source = tmp_path / "participatiedocument.docx"
    data = _export_from_cli(app, tmp_path, "--language", "nl")
    source.write_bytes(data)
    result = subprocess.run(
        [soffice, f"-env:UserInstallation=file://{tmp_path / 'profile'}", "--headless",
         "--convert-to", "pdf", "--outdir", str(tmp_path / "pdf"), str(source)],
        capture_output=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr.decode(errors="replace")
    pdf = tmp_path / "pdf" / "participatiedocument.pdf"
    assert pdf.exists(), result.stdout.decode(errors="replace")
    pages = subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf), "-"], check=True,
                           capture_output=True, text=True).stdout.split("\f")
    text = " ".join(" ".join(pages).split())
    assert facts["answered_org"] in text
    assert "We nemen dit deels mee." in text
    assert "Participatiedocument" in text and "Pagina 2 van" in text

    # The contents, as LibreOffice shows them: from the page that starts them up to the page
    # where chapter 1 begins, every heading of levels 1 and 2 in order, no placeholder.
    start = next(n for n, page in enumerate(pages) if "Inhoud" in page.split())
    end = next(n for n, page in enumerate(pages) if "De gemeente vroeg" in page)
    contents = " ".join(" ".join(pages[start:end]).split())
    headings = [" ".join(h.split()) for _, h, _ in _headings(_body(data))]
    assert len(headings) > 4 and facts["answered_org"] in headings
    position = 0
    for heading in headings:
        position = contents.find(heading, position)
        assert position >= 0, f"{heading!r} is not in the contents LibreOffice shows"
        position += len(heading)
    assert not any(words in contents for words in PLACEHOLDERS)

    with pikepdf.open(pdf) as reader:
        assert len(reader.pages) >= 3
        # Each entry a link to its heading's page; the file's language and title carried over.
        links = [a for page in reader.pages[start:end] for a in page.get("/Annots", [])
                 if a.get("/Subtype") == "/Link" and ("/Dest" in a or "/A" in a
                                                     and a.A.get("/S") == "/GoTo")]
        assert len(links) >= len(headings)
        assert str(reader.Root.Lang) == "nl-NL"
        assert str(reader.docinfo.Title) == (
            f"Participatiedocument – {_document_content(app, 'nl').process_title}")
        assert reader.Root.ViewerPreferences.DisplayDocTitle


# --- odd text and markup, without the database ---------------------------------------------

ODD_HTML = (
    "<p>Harde\u00a0spatie, <a href=\"https://example.org/a b/ë\">link</a>, <a>geen href</a>"
    "<br>\nnieuwe regel</p>\n"
    "<ul>\n<li>buiten\n<ol>\n<li>binnen een</li>\n<li>binnen twee</li>\n</ol>\n</li>\n"
    "<li>\n<p>los a</p>\n<p>los b</p>\n</li>\n</ul>\n"
    "<blockquote>\n<p>Geciteerd</p>\n</blockquote>\n"
    "<pre><code>regel 1\n  regel 2 &lt;x&gt;\n</code></pre>\n<h3>Kopje</h3>\n<hr>\n"
    + "<ul><li>" * 12 + "heel diep" + "</li></ul>" * 12 + "<p>שלום עולם</p>losse tekst")


def test_odd_text_and_markup_survive(app):
    """Control characters go, everything else stays; nesting deeper than Word allows stays at
    Word's deepest level; an empty process still gives a document."""
    from datetime import datetime

    from flask_babel import force_locale

    from participation.export.builder import Item, ParticipationDocument, Stakeholder, Topic
    from participation.export.docx_format import to_docx

    item = Item(kind="contribution", id=1, round="input", topic="Thema\x01", title="Titel\x0b",
                text_md="", text_html=ODD_HTML, created_at=datetime(2026, 1, 2, 3, 4),
                state="rejected", hidden=True, offline_source="Brief\x02")
    stakeholder = Stakeholder("Org\x1b & <Co>", "business", "", [item])
    document = ParticipationDocument(
        process_title="Proces\x07 <&>", process_slug="p", municipality="Gemeente X",
        public=False, generated_at=datetime(2026, 1, 1), draft_version=None, rounds=[],
        invitations_sent=0, invitations_accepted=0, stakeholders=[stakeholder],
        themes=[Topic("Thema\x01", 1, [stakeholder.name])], sections=[])
    empty = ParticipationDocument("Leeg", "leeg", "", True, datetime(2026, 1, 1), None, [], 0,
                                  0, [], [], [])
    with app.test_request_context(), force_locale("en"):
        data = to_docx(document)
        assert docx.Document(io.BytesIO(to_docx(empty))).paragraphs

    word = docx.Document(io.BytesIO(data))
    paragraphs = _item(_blocks(word)["Org & <Co>"], "Titel")
    by_text = {p.text: p for p in paragraphs}
    assert "Rejected" in paragraphs[1].text and "Hidden by the project team" in paragraphs[1].text
    assert "Harde\u00a0spatie, link, geen href\nnieuwe regel" in by_text
    link = by_text["Harde\u00a0spatie, link, geen href\nnieuwe regel"]._p.find(qn("w:hyperlink"))
    assert word.part.rels[link.get(qn("r:id"))].target_ref == "https://example.org/a%20b/%C3%AB"

    outer, inner = _numbering(by_text["buiten"]), _numbering(by_text["binnen een"])
    assert outer[1] == 0 and inner[1] == 1 and outer[0] != inner[0]
    assert _numbering(by_text["los a"])[1] == 0 and _numbering(by_text["los b"]) is None
    assert _numbering(by_text["heel diep"])[1] == 8
    quote = by_text["Geciteerd"]._p.find(f"{qn('w:pPr')}/{qn('w:ind')}")
    assert int(quote.get(qn("w:left"))) > 0
    code = by_text["regel 1\n  regel 2 <x>"]
    assert {r.style.name for r in code.runs if r.text.strip()} == {"HTML Code"}
    assert by_text["Kopje"].runs[0].bold
    assert by_text["שלום עולם"]._p.find(f"{qn('w:pPr')}/{qn('w:bidi')}") is not None
    assert "losse tekst" in by_text

    text = _all_text(data)
    assert "Proces <&>" in text and "Thema" in text and "Brief" in text
    assert not re.search("[\x00-\x08\x0b\x0c\x0e-\x1f]", text)
