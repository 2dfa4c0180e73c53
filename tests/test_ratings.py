"""Process rating (participation.ratings): once per person per round, also from two tabs at
the same moment; the dashboard and the participation document show the average, the
distribution and the remarks (without names in the public version)."""
from __future__ import annotations

import functools
import json
import re
import threading
from html import unescape

import pytest
import sqlalchemy as sa

from participation.core.extensions import db
from participation.export import services as export_services
from participation.ratings.models import Rating

from .factories import (count, csrf_token, field_errors, login, make_contribution, make_process,
                        make_user, submit)
from .instances import Person

PASSWORD = "lange-wachtzin-42"
URL = "/p/economie/rating/input"
ALREADY = "You have already rated this round."


@pytest.fixture
def world(app):
    """Round 1 open with input by Anna and Bram (reading in English); Carla took no part."""
    with app.app_context():
        process = make_process()
        for email, name in (("anna@example.nl", "Anna Jansen"), ("bram@example.nl", "Bram Bos")):
            user = make_user(email, name=name, locale="en")
            make_contribution(process, process.themes[0], user, title=f"Inbreng over {email[:4]}")
        make_user("carla@example.nl", name="Carla", locale="en")
        make_user("team@example.nl", role="staff", name="Team", locale="en")
        db.session.commit()
        return process.id


def _rate(client, score: str, remark: str = ""):
    return submit(client, URL, {"rating-input-score": score, "rating-input-remark": remark})


def test_a_participant_rates_a_round_once_and_a_second_try_says_so(client, app, world):
    login(client, "anna@example.nl")
    page = client.get("/p/economie").get_data(as_text=True)
    assert "How did round 1 go for you?" in page  # offered on the process page
    answer = _rate(client, "8", "Clear <b>questions</b>,\n\nbut a short round.")
    assert answer.status_code == 302 and answer.location.endswith("/p/economie#rating")
    assert "How did round 1 go for you?" not in client.get("/p/economie").get_data(as_text=True)

    again = client.post(URL, data={"csrf_token": csrf_token(page), "rating-input-score": "2"})
    assert again.status_code == 409
    assert ALREADY in unescape(again.get_data(as_text=True))
    with app.app_context():
        ratings = db.session.scalars(sa.select(Rating)).all()
        assert [(r.score, r.remark) for r in ratings] == [
            (8, "Clear questions,\n\nbut a short round.")]  # cleaned by bleach, lines kept


def test_bad_scores_are_refused_next_to_the_field_and_outsiders_cannot_rate(client, app, world):
    login(client, "anna@example.nl")
    for score in ("", "11", "0", "abc"):
        answer = _rate(client, score, "Mijn opmerking")
        assert answer.status_code == 400
        html = answer.get_data(as_text=True)
        assert any(e.startswith("rating-input-score") for e in field_errors(html)), score
        assert "Mijn opmerking</textarea>" in html  # the text is kept
    with app.app_context():
        assert count(Rating) == 0

    outsider = app.test_client()
    login(outsider, "carla@example.nl")  # took no part in round 1
    assert "How did round 1 go" not in outsider.get("/p/economie").get_data(as_text=True)
    page = outsider.get(URL)
    assert "once you have taken part" in page.get_data(as_text=True)
    answer = outsider.post(URL, data={"csrf_token": csrf_token(page.get_data(as_text=True)),
                                      "rating-input-score": "9"})
    assert answer.status_code == 403
    with app.app_context():
        assert count(Rating) == 0


def test_dashboard_and_document_show_average_distribution_and_remarks(client, app, world):
    for email, score, remark in (("anna@example.nl", "8", "Goed geregeld"),
                                 ("bram@example.nl", "5", "")):
        person = app.test_client()
        login(person, email)
        assert _rate(person, score, remark).status_code == 302

    login(client, "team@example.nl")
    dashboard = unescape(client.get("/p/economie/dashboard").get_data(as_text=True))
    assert "2 participants rated this round; average score 6.5." in dashboard
    assert 'role="img" aria-labelledby="rating-input-chart-title' in dashboard
    table = dashboard[dashboard.index('id="rating-input-caption"'):]
    table = table[:table.index("</table>")]
    rows = dict(re.findall(r'<th scope="row">(\d+)</th>\s*<td class="num">(\d+)</td>', table))
    assert rows == {str(n): ("1" if n in (5, 8) else "0") for n in range(1, 11)}
    assert "Goed geregeld" in dashboard

    with app.app_context():
        from participation.processes.models import Process
        process = db.session.get(Process, world)
        public = json.loads(export_services.export(process, "json", public=True, language="en",
                                                   actor=None))
        internal = json.loads(export_services.export(process, "json", public=False,
                                                     language="en", actor=None))
        html = export_services.export(process, "html", public=True, language="en",
                                      actor=None).decode()
        internal_html = export_services.export(process, "html", public=False, language="en",
                                               actor=None).decode()
    first = public["ratings"][0]
    assert (first["kind"], first["respondents"], first["average"]) == ("input", 2, 6.5)
    assert first["distribution"]["8"] == 1 and first["distribution"]["5"] == 1
    assert [r["who"] for r in first["remarks"]] == [None]  # anonymous in public
    assert internal["ratings"][0]["remarks"][0]["who"] == "Anna Jansen"
    assert public["ratings"][1] == {**public["ratings"][1], "kind": "feedback", "respondents": 0}

    assert "6. How participants rated the process" in html
    assert "Goed geregeld" in html and "Anna Jansen" not in html
    assert "(by Anna Jansen)" in internal_html
    assert re.search(r'<td class="num">2</td><td class="num">6\.5</td>', html)


def test_every_format_carries_the_ratings(app, world):
    """DOCX, PDF and XLSX have the chapter (or sheet) with the figures and the remark."""
    import io
    import subprocess
    import zipfile

    import pikepdf
    from openpyxl import load_workbook

    with app.app_context():
        from participation.accounts.models import User
        from participation.processes.models import Process
        from participation.processes.models import RoundKind
        from participation.ratings.services import rate
        process = db.session.get(Process, world)
        anna = db.session.scalar(sa.select(User).where(User.email == "anna@example.nl"))
        rate(anna, process.round_of(RoundKind.input), score=7, remark="Prima traject")
        db.session.commit()
        files = {fmt: export_services.export(process, fmt, public=True, language="en",
                                             actor=None) for fmt in ("docx", "pdf", "xlsx")}
    body = zipfile.ZipFile(io.BytesIO(files["docx"])).read("word/document.xml").decode()
    assert "6. How participants rated the process" in body
    assert "Prima traject" in body

    with pikepdf.open(io.BytesIO(files["pdf"])) as pdf, pdf.open_outline() as outline:
        titles = [item.title for item in outline.root]
        pages = {page.objgen: n for n, page in enumerate(pdf.pages, 1)}
        ratings_page = pages[pikepdf.NameTree(pdf.Root.Names.Dests)["doc-ratings"][0].objgen]
        last_page = len(pdf.pages)
    assert titles[-1] == "6. How participants rated the process"
    # The contents (page 2) give the page the chapter starts on, after the index.
    contents = subprocess.run(["pdftotext", "-f", "2", "-l", "2", "-layout", "-", "-"],
                              input=files["pdf"], capture_output=True, check=True).stdout.decode()
    line = next(x for x in contents.splitlines() if "6. How participants rated" in x)
    assert line.split()[-1] == str(ratings_page) and ratings_page == last_page
    sheet = load_workbook(io.BytesIO(files["xlsx"])).worksheets[-1]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1][1:3] == (1, 7) and rows[1][3 + 6] == 1 and "Prima traject" in rows[1][-1]


# --- two tabs at once: gunicorn with two workers ----------------------------------------------

PAIRS = 10


def at_once(sends: list) -> list:
    """Call every function in `sends` from a thread of its own, released together by a
    barrier; their answers, in order."""
    barrier, answers = threading.Barrier(len(sends)), [None] * len(sends)

    def run(n: int) -> None:
        barrier.wait(timeout=60)
        answers[n] = sends[n]()
    threads = [threading.Thread(target=run, args=(n,)) for n in range(len(sends))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return answers


def test_two_tabs_rating_at_once_save_one_and_tell_the_other(app, served):  # noqa: F811
    """Each of PAIRS people sends the form from two tabs at the same moment: one rating is
    stored, the other tab hears it was rated already (409), never a 500."""
    with app.app_context():
        process = make_process()
        emails = [f"p{n}@example.nl" for n in range(PAIRS)]
        for email in emails:
            make_contribution(process, process.themes[0], make_user(email, locale="en"))
        db.session.commit()
    statuses = []
    for email in emails:
        tabs = [Person(), Person()]
        tabs[0].log_in(served.url, email, PASSWORD)
        tabs[1].cookies = dict(tabs[0].cookies)
        fields = [{"csrf_token": csrf_token(tab.get(served.url + URL).text),
                   "rating-input-score": str(n + 6)} for n, tab in enumerate(tabs)]
        answers = at_once([functools.partial(tab.post, served.url + URL, sent)
                           for tab, sent in zip(tabs, fields, strict=True)])
        pair = sorted(answer.status for answer in answers)
        statuses.append(pair)
        refused = next(a for a in answers if a.status != 302)
        assert ALREADY in unescape(refused.text), refused.plain()[-1500:]
    assert statuses == [[302, 409]] * PAIRS
    with app.app_context():
        assert count(Rating) == PAIRS
