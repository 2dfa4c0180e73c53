"""The chapter "what came back most" (export.builder.concerns) in every format: per group and per
code, the stakeholders, the items and the municipality's answer (the one response all got, or
the counts per disposition with the most common one); only published responses in the public
version; a fixed number of queries."""
from __future__ import annotations

import io
import json
import subprocess

import docx
import openpyxl
import pytest
import sqlalchemy as sa

from participation.accounts.models import User
from participation.analysis.models import AnalysisGroup, AnalysisGroupItem, Code, ItemCode
from participation.contributions.models import Contribution
from participation.core.extensions import db
from participation.export import formats
from participation.export.services import document
from participation.moderation.models import Disposition, TargetType
from participation.moderation.services import BulkTarget, save_response, save_responses
from participation.processes.models import Process, RoundKind

from .factories import make_contribution, make_process, make_user

SHARED = "Wij vragen Enexis om extra netcapaciteit op de bedrijventerreinen."
MOST = "Dit nemen we op in de paragraaf over energie."


@pytest.fixture
def world(app):
    """Round 1 with 12 contributions by 5 residents: a group "Netcongestie" of 6 (one published
    response to all), a group "Personeel" of 4 (3 adopted with one text, 1 not adopted), a
    group of 1 (not "came back"), and a code "wonen" on 2 items without a response; the draft
    response of one more item shows only in the internal version."""
    with app.test_request_context():
        process = make_process()
        mod = make_user("mod@example.nl", role="moderator", name="Mod", locale="en")
        authors = [make_user(f"inwoner{n}@example.nl", name=f"Inwoner {n}") for n in range(5)]
        items = [make_contribution(process, process.themes[n % 3], authors[n % 5],
                                   title=f"Inbreng {n:02d}") for n in range(12)]
        db.session.commit()
        groups = {}
        for label, members in (("Netcongestie", items[:6]), ("Personeel", items[6:10]),
                               ("Alleen", items[10:11])):
            group = AnalysisGroup(process_id=process.id, round_kind=RoundKind.input, label=label,
                                  key_phrases=[label.lower(), "ondernemers"])
            group.items = [AnalysisGroupItem(item_kind=TargetType.contribution, item_id=i.id)
                           for i in members]
            db.session.add(group)
            groups[label] = group
        code = Code(process_id=process.id, name="wonen")
        code.items = [ItemCode(item_kind=TargetType.contribution, item_id=i.id)
                      for i in (items[10], items[11])]
        db.session.add(code)
        result = save_responses(process, [BulkTarget(TargetType.contribution, i.id, 0)
                                          for i in items[:6]], mod,
                                disposition=Disposition.partly, body_md=SHARED, lineage_ids=[],
                                publish=True, replace_existing=False)
        assert len(result.saved) == 6
        save_responses(process, [BulkTarget(TargetType.contribution, i.id, 0)
                                 for i in items[6:9]], mod, disposition=Disposition.adopted,
                       body_md=MOST, lineage_ids=[], publish=True, replace_existing=False)
        save_response(process, TargetType.contribution, items[9], mod,
                      disposition=Disposition.not_adopted, body_md="Past niet in de agenda.",
                      lineage_ids=[], publish=True)
        save_response(process, TargetType.contribution, items[11], mod,
                      disposition=Disposition.noted, body_md="Nog een concept.",
                      lineage_ids=[], publish=False)
        db.session.commit()


def _document(app, public=True, language="en"):
    with app.app_context():
        return document(db.session.scalar(sa.select(Process)), public=public, language=language)


def _render(app, fmt: str, public=True) -> bytes:
    from flask_babel import force_locale

    with app.test_request_context():
        content = document(db.session.scalar(sa.select(Process)), public=public, language="en")
        with force_locale("en"):
            return formats.FORMATS[fmt].render(content)


def test_the_figures_per_group_and_code(app, world):
    concerns = {c.label: c for c in _document(app).concerns}
    assert list(concerns) == ["Netcongestie", "Personeel", "wonen"]  # groups first, most first
    net, staff, wonen = concerns["Netcongestie"], concerns["Personeel"], concerns["wonen"]
    assert (net.kind, net.round, net.items, net.stakeholders) == ("group", "input", 6, 5)
    assert net.shared.disposition == "partly" and net.shared.text_md == SHARED
    assert net.shared.items == 6 and net.dispositions == {"partly": 6}
    assert staff.shared is None and staff.dispositions == {"adopted": 3, "not_adopted": 1}
    assert staff.most_common.text_md == MOST and staff.most_common.items == 3
    # The public version knows no draft: the code's items have no response there.
    assert (wonen.kind, wonen.items, wonen.dispositions) == ("code", 2, {"none": 2})
    assert wonen.shared is None and wonen.most_common is None
    internal = {c.label: c for c in _document(app, public=False).concerns}
    assert internal["wonen"].dispositions == {"none": 1, "noted": 1}
    assert internal["wonen"].most_common.text_md == "Nog een concept."


def test_the_chapter_before_the_stakeholders_in_html_docx_pdf_json_and_xlsx(app, world, tmp_path):
    html = _render(app, "html").decode()
    chapter = html[html.index('id="doc-concerns"'):html.index('id="doc-stakeholders"')]
    assert "3. What came back most" in chapter and "4. Contributions and responses" in html
    assert "Netcongestie" in chapter and SHARED in chapter and MOST in chapter
    assert "Adopted: 3; Not adopted: 1" in chapter and "Most common response (3 items)" in chapter
    assert "Nog een concept." not in html

    paragraphs = [p.text for p in docx.Document(io.BytesIO(_render(app, "docx"))).paragraphs]
    # The last of each: the headings, after their entries in the contents.
    start = max(n for n, p in enumerate(paragraphs) if p == "3. What came back most")
    end = max(n for n, p in enumerate(paragraphs)
              if p == "4. Contributions and responses per stakeholder")
    text = "\n".join(paragraphs[start:end])
    assert "Netcongestie" in text and SHARED in text and MOST in text
    assert "Group · Round 1: input · 6 items from 5 stakeholders" in text
    tables = docx.Document(io.BytesIO(_render(app, "docx"))).tables
    rows = next([c.text for c in row.cells] for t in tables for row in t.rows
                if row.cells[0].text == "Netcongestie")
    assert rows[2:4] == ["5", "6"]

    pdf = tmp_path / "document.pdf"
    pdf.write_bytes(_render(app, "pdf"))
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf), "-"], check=True,
                          capture_output=True, text=True).stdout
    flat = " ".join(text.split())
    assert flat.count("3. What came back most") == 2  # the contents and the chapter
    chapter = flat[flat.rindex("3. What came back most"):flat.rindex("4. Contributions")]
    assert "Netcongestie" in chapter and " ".join(SHARED.split()) in chapter
    assert "6 items from 5 stakeholders" in chapter and "Adopted: 3; Not adopted: 1" in chapter

    data = json.loads(_render(app, "json"))
    net = next(c for c in data["concerns"] if c["label"] == "Netcongestie")
    assert set(net) >= {"kind", "label", "round", "key_phrases", "items", "stakeholders",
                        "shared", "dispositions", "most_common"}
    assert (net["items"], net["stakeholders"], net["shared"]["disposition"]) == (6, 5, "partly")

    book = openpyxl.load_workbook(io.BytesIO(_render(app, "xlsx")))
    rows = list(book["What came back most"].iter_rows(values_only=True))
    assert rows[1][:6] == ("Netcongestie", "Group", "Round 1", "netcongestie, ondernemers", 5, 6)
    assert rows[2][6:8] == ("Adopted: 3; Not adopted: 1", "Adopted")


def test_the_chapter_takes_a_fixed_number_of_queries(app, world, count_queries):
    def measure() -> int:
        with count_queries() as counter:
            _document(app)
        return counter.count
    few = measure()
    with app.app_context():
        process = db.session.scalar(sa.select(Process))
        author = db.session.scalar(sa.select(User).where(User.email == "inwoner0@example.nl"))
        for n in range(10):
            items = [make_contribution(process, process.themes[0], author, title=f"Meer {n}-{k}")
                     for k in range(3)]
            db.session.flush()
            group = AnalysisGroup(process_id=process.id, round_kind=RoundKind.input,
                                  label=f"Groep {n}", key_phrases=[])
            group.items = [AnalysisGroupItem(item_kind=TargetType.contribution, item_id=i.id)
                           for i in items]
            code = Code(process_id=process.id, name=f"code {n}")
            code.items = [ItemCode(item_kind=TargetType.contribution, item_id=items[0].id)]
            db.session.add_all([group, code])
        db.session.commit()
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Contribution)) == 42
    assert len(_document(app).concerns) == 23
    assert measure() == few
