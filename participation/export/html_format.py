"""The participation document as HTML: the preview page in the site, the .html download and,
through WeasyPrint, the PDF. One template (`export/document.html` with `_document.html`)
serves all three."""
from __future__ import annotations

import gc
import io
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from flask import current_app, render_template
from flask_babel import get_locale

from . import labels as words
from .builder import KIND_ORDER, ParticipationDocument, Stakeholder

_CSS = Path(__file__).resolve().parent.parent / "static" / "css"

#: Contributions and reactions per WeasyPrint run. WeasyPrint keeps the layout of every page of
#: a run in memory (1 MB a page or more): a process of 15,000 items in one run took 6.5 GB; in
#: parts of 400 items the whole export peaked at 600 MB (joining the parts with pypdf takes
#: ~180 MB of it). In parts of this size a run stays under 100 MB.
PDF_PART_ITEMS = 200


@dataclass
class Part:
    """What one rendering of the template shows: the whole document (HTML, preview), or one
    part of a PDF made in parts. `pages` maps anchors to page numbers, once they are known."""
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
            "part": Part(document.contributors)}


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


def to_pdf(document: ParticipationDocument) -> bytes:
    """WeasyPrint lays out the print version of the HTML: A4, running header, page numbers,
    bookmarks, contents and index with page numbers. Fonts come from the system (DejaVu; Noto
    Color Emoji for emoji).

    A long document is made in parts of about PDF_PART_ITEMS items, so that memory stays
    bounded: the front (title, contents, process, overview) is laid out once to learn its
    length, then the stakeholders part by part, each numbering its pages on from the one
    before and telling on which page each stakeholder starts; then the index, and the front
    again with the page numbers now known. The parts wait in temporary files, and pikepdf
    (qpdf) joins them and adds the bookmarks: pypdf needed 180 MB and 6 s to join 4,600 pages,
    pikepdf reading from files a fraction of both.
    """
    import pikepdf

    context = document_context(document)
    stakeholders = context["part"].stakeholders
    pages: dict[str, int] = {}

    def run(part: Part):
        html = _render(document, {**context, "part": part}, for_print=True)
        return _weasy(html).render()

    def anchors_of(laid_out, first: int) -> None:
        for number, page in enumerate(laid_out.pages, first):
            for anchor in page.anchors:
                pages.setdefault(anchor, number)

    with tempfile.TemporaryDirectory(prefix="participatiedocument-") as folder:
        def keep(laid_out, name: str) -> str:
            path = os.path.join(folder, name)
            laid_out.write_pdf(path)
            return path

        front = run(Part([], stakeholders_heading=False, index=False))
        anchors_of(front, 1)
        first_page = len(front.pages) + 1
        del front
        files: list[str] = []
        for n, group in enumerate(_groups(stakeholders, PDF_PART_ITEMS)):
            laid_out = run(Part(group, title=False, overview=False, stakeholders_heading=n == 0,
                                index=False, first_page=first_page))
            anchors_of(laid_out, first_page)
            files.append(keep(laid_out, f"part-{n:05d}.pdf"))
            first_page += len(laid_out.pages)
            del laid_out
            gc.collect()  # layouts are cyclic: free this one before the next part is laid out
        files.append(keep(run(Part([], title=False, overview=False, stakeholders_heading=False,
                                   first_page=first_page, pages=pages)), "index.pdf"))
        pages["doc-index"] = first_page
        # The front again, now that its contents can give every section's page.
        files.insert(0, keep(run(Part([], stakeholders_heading=False, index=False,
                                      pages=pages)), "front.pdf"))

        joined = pikepdf.Pdf.new()
        sources = [pikepdf.Pdf.open(path) for path in files]
        try:
            for source in sources:
                joined.pages.extend(source.pages)
            _outline(joined, context, pages)
            with joined.open_metadata(set_pikepdf_as_editor=False) as meta:
                meta["dc:title"] = f'{context["words"]["document"]} – {document.process_title}'
                meta["dc:creator"] = [document.municipality]
            out = io.BytesIO()
            joined.save(out)
        finally:
            for source in sources:
                source.close()
            joined.close()
    return out.getvalue()


def _groups(stakeholders: list[Stakeholder], size: int):
    """Consecutive stakeholders with about `size` items together (a stakeholder is never
    split; one with more items than `size` is a part of its own)."""
    group: list[Stakeholder] = []
    count = 0
    for stakeholder in stakeholders:
        if group and count + len(stakeholder.items) > size:
            yield group
            group, count = [], 0
        group.append(stakeholder)
        count += len(stakeholder.items)
    yield group


def _outline(pdf, context: dict, pages: dict[str, int]) -> None:
    """Bookmarks: the four sections, and every stakeholder under the third."""
    from pikepdf import OutlineItem

    labels = context["words"]
    sections = (("doc-process", labels["process"]), ("doc-overview", labels["overview"]),
                ("doc-stakeholders", labels["by_stakeholder"]), ("doc-index", labels["index"]))
    with pdf.open_outline() as outline:
        for number, (anchor, title) in enumerate(sections, 1):
            if anchor not in pages:
                continue
            item = OutlineItem(f"{number}. {title}", pages[anchor] - 1)
            if anchor == "doc-stakeholders":
                item.children.extend(
                    OutlineItem(name, pages[stakeholder_anchor] - 1)
                    for name, stakeholder_anchor in context["anchors"].items()
                    if stakeholder_anchor in pages)
            outline.root.append(item)


def _weasy(html: str):
    from weasyprint import HTML

    # Nothing is loaded from the base URL: styles are inside the page.
    return HTML(string=html, base_url=current_app.root_path, url_fetcher=_fetch_nothing)


def _fetch_nothing(url: str, *args, **kwargs):
    """The document needs no files; never let text in it make the server fetch a URL."""
    raise ValueError(f"not fetched: {url[:80]}")
