"""The participation document as HTML: the preview page in the site, the .html download and,
through WeasyPrint, the PDF. One template (`export/_document.html`) serves all three."""
from __future__ import annotations

from pathlib import Path

from flask import current_app, render_template
from flask_babel import get_locale

from . import labels as words
from .builder import ParticipationDocument

_CSS = Path(__file__).resolve().parent.parent / "static" / "css" / "document.css"


def document_context(document: ParticipationDocument) -> dict:
    """What the template needs, with dates formatted in the current language once."""
    dates = {}
    for _stakeholder, item in document.items():
        dates[(item.kind, item.id)] = words.datetime(item.created_at)
    anchors = {s.name: f"stakeholder-{n}" for n, s in enumerate(document.contributors, 1)}
    return {"doc": document, "words": words.labels(), "dates": dates, "anchors": anchors,
            "generated": words.date(document.generated_at),
            "periods": {r.kind: (words.date(r.opens_at), words.date(r.closes_at))
                        for r in document.rounds},
            "kind_order": ("business", "education", "government", "civil_society", "other",
                           "individual")}


def _css_string(value: str) -> str:
    """A translated word inside a CSS string: quotes and backslashes escaped."""
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ")


def to_html(document: ParticipationDocument, *, for_print: bool = False) -> bytes:
    """A standalone page (styles inside, no scripts, no links to the site)."""
    context = document_context(document)
    page_words = {key: _css_string(context["words"][key])
                  for key in ("page", "of", "document")}
    html = render_template("export/document.html", doc_language=str(get_locale()), css=_CSS.read_text(encoding="utf-8"),
                           for_print=for_print, page_words=page_words,
                           process_title=_css_string(document.process_title), **context)
    return html.encode("utf-8")


def to_pdf(document: ParticipationDocument) -> bytes:
    """WeasyPrint lays out the print version of the HTML: A4, running header, page numbers,
    the index with page references. Fonts come from the system (DejaVu, Noto Color Emoji)."""
    from weasyprint import HTML

    html = to_html(document, for_print=True)
    base_url = current_app.root_path  # nothing is loaded from it: styles are inside the page
    return HTML(string=html.decode("utf-8"), base_url=base_url,
                url_fetcher=_fetch_nothing).write_pdf()


def _fetch_nothing(url: str, *args, **kwargs):
    """The document needs no files; never let text in it make the server fetch a URL."""
    raise ValueError(f"not fetched: {url[:80]}")
