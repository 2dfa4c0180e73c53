"""The participation document as HTML: the preview page in the site and the .html download, from
one template (`export/document.html` with `_document.html`). The PDF has the same sections,
laid out by Typst (export/pdf_format)."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from flask import render_template
from flask_babel import get_locale

from . import labels as words
from .builder import KIND_ORDER, ParticipationDocument, Stakeholder

_CSS = Path(__file__).resolve().parent.parent / "static" / "css"


@dataclass
class Part:
    """What one rendering of the template shows (the HTML and the preview show all of it; the
    print fields date from the WeasyPrint PDF, made in parts, and stay at their defaults)."""
    stakeholders: list[Stakeholder]
    title: bool = True
    overview: bool = True
    stakeholders_heading: bool = True
    index: bool = True
    first_page: int = 1
    pages: dict[str, int] = field(default_factory=dict)


def document_context(document: ParticipationDocument) -> dict:
    """What the template needs, with dates formatted in the current language once."""
    dates = {}
    for _stakeholder, item in document.items():
        dates[(item.kind, item.id)] = words.datetime(item.created_at)
        for n, reply in enumerate(item.team_replies):
            dates[("team_reply", item.id, n)] = words.datetime(reply.created_at)
    anchors = {s.name: f"stakeholder-{n}" for n, s in enumerate(document.contributors, 1)}
    return {"doc": document, "words": words.labels(), "dates": dates, "anchors": anchors,
            "generated": words.date(document.generated_at),
            "periods": {r.kind: (words.date(r.opens_at), words.date(r.closes_at))
                        for r in document.rounds},
            "kind_order": (*KIND_ORDER, "individual"),
            "part": Part(document.contributors), **_rating_context(document)}


def _rating_context(document: ParticipationDocument) -> dict:
    """The ratings chapter's words and charts (templates/export/_ratings.html)."""
    rating_words = words.rating_labels()
    charts = {}
    for r in document.ratings:
        title = rating_words["distribution"] % {"round": words.labels()["rounds"][r.kind]}
        charts[r.kind] = words.rating_chart(f"doc-rating-{r.kind}-chart", title,
                                            rating_words["chart_description"], r.distribution)
    return {"rating_words": rating_words, "rating_charts": charts}


def _css_string(value: str) -> str:
    """A translated word inside a CSS string: quotes and backslashes escaped."""
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ")


def _render(document: ParticipationDocument, context: dict, *, for_print: bool) -> str:
    page_words = {key: _css_string(context["words"][key]) for key in ("page", "document")}
    return render_template("export/document.html", doc_language=str(get_locale()),
                           css=_styles(for_print), for_print=for_print,
                           page_words=page_words,
                           process_title=_css_string(document.process_title), **context)


def _styles(for_print: bool) -> str:
    names = ("document.css",) if for_print else ("document.css", "document-screen.css")
    return "\n".join((_CSS / name).read_text(encoding="utf-8") for name in names)


def to_html(document: ParticipationDocument) -> bytes:
    """A standalone page (styles inside, no scripts, no links to the site)."""
    return _render(document, document_context(document), for_print=False).encode("utf-8")
