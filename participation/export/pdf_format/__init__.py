"""The participation document as a tagged PDF (PDF/UA-1), laid out by Typst.

The content goes to the template (`document.typ`) as data, JSON files beside it, never as
markup: Typst shows every string as text, so nothing a participant typed can act as Typst code.
Typst writes the structure tree (headings, paragraphs, lists, tables with header cells, links),
the language, the displayed title and the PDF/UA identifier; worker.py joins the parts, with
one structure tree, the bookmarks, the links between parts and the running header and page
numbers as artifacts.

Chosen by measurement (issue 16; 10,000 contributions and 5,000 reactions on the 2-core
machine; the README's benchmark section has the figures): WeasyPrint made an untagged PDF in
193 s; its `pdf/ua-1` variant in one run took 253 s and 950 MB for a fifth of that. Typst in one
run took 36 s of processor time but 3.3 GB, so it lays out parts of PART_ITEMS items in
processes of their own, on every core.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import timezone
from importlib import resources
from pathlib import Path

from .. import labels as words
from ..builder import KIND_ORDER, Item, ParticipationDocument, Stakeholder
from .from_html import HtmlToTree

#: Contributions and reactions per Typst run: about 115 MB a run (Typst holds every page of a
#: run in memory; 1,000 items took 280 MB). Two runs at once beside the export process stay
#: under 500 MB together (issue 16); fewer items a run, and starting processes costs more.
PART_ITEMS = 400
_WORKER = Path(__file__).with_name("worker.py")
_TEMPLATES = ("document.typ", "pages.typ")
#: What every part needs of the data; each part adds its own share.
_COMMON = ("lang", "words", "title", "municipality", "process_title", "running_header")


def to_pdf(document: ParticipationDocument,
           progress: Callable[[str, int], None] | None = None) -> bytes:
    """A4, title page, contents, the process, the overview, every stakeholder with both rounds
    and the team's responses, and the index with page numbers; in the current language.

    First the front (title, contents, sections 1 and 2) and the stakeholders, part by part, all
    at once on as many cores as there are; then, with every page number known, the index and
    the front again with the contents' page numbers; then the join (worker.py). `progress`
    hears (stage, percent) as the stages go (an export job shows them)."""
    progress = progress or (lambda stage, percent: None)
    data = document_data(document)
    labels, anchors = data["words"], _anchors(document)
    generated = document.generated_at
    if generated.tzinfo is None:
        generated = generated.replace(tzinfo=timezone.utc)
    common = {key: data[key] for key in _COMMON}
    contributors = document.contributors
    groups = list(_groups(contributors, PART_ITEMS)) if contributors else []
    parts = [f"part-{n:04d}" for n in range(len(groups))]
    sections = [("1. " + data["words"]["process"], "doc-process"),
                ("2. " + data["words"]["overview"], "doc-overview"),
                ("3. " + data["words"]["concerns"], "doc-concerns")]
    if parts:
        sections.append(("4. " + data["words"]["by_stakeholder"], "doc-stakeholders"))
    sections.append(("5. " + data["words"]["index"], "doc-index"))
    sections.append(("6. " + words.rating_labels()["ratings"], "doc-ratings"))
    if document.member_check is not None:
        sections.append(("7. " + data["words"]["member_check"], "doc-member-check"))

    with tempfile.TemporaryDirectory(prefix="participatiedocument-") as name:
        folder = Path(name)
        for template in _TEMPLATES:
            (folder / template).write_bytes(
                resources.files(__package__).joinpath(template).read_bytes())
        (folder / "job.json").write_text(json.dumps({"timestamp": int(generated.timestamp())}))

        def front(pages: dict[str, int]) -> dict:
            return {**common, **{key: data[key] for key in (
                "title_facts", "version_line", "rounds", "by_kind", "overview", "topic_tables",
                "concerns")},
                "part": "front",
                "contents": [(title, anchor, str(pages.get(anchor, ""))) for title, anchor
                             in sections]}

        # Each part is laid out as soon as its data is written, while the next is converted.
        with ThreadPoolExecutor(max_workers=_cores()) as pool:
            _write(folder, "front", front({}))
            laying_out = [pool.submit(_compile, folder, "front")]
            html = HtmlToTree()
            for n, (part, group) in enumerate(zip(parts, groups, strict=True)):
                progress("layout", 70 * n // len(parts))
                _write(folder, part, {**common, "part": "stakeholders", "first": n == 0,
                                      "stakeholders": [_stakeholder(s, labels, anchors[s.name],
                                                                    html) for s in group]})
                laying_out.append(pool.submit(_compile, folder, part))
            # Chapters 6 and 7, after the index: the ratings, then the member check's reactions.
            _write(folder, "ratings", {**common, "part": "ratings",
                                       "ratings": rating_data(document),
                                       "member_check": member_check_data(document, labels,
                                                                         html)})
            laying_out.append(pool.submit(_compile, folder, "ratings"))
            laid_out = dict(zip(["front", *parts, "ratings"], (f.result() for f in laying_out),
                                strict=True))

        def page_numbers() -> tuple[dict[str, int], int]:
            pages, first = {}, 1
            for part in ("front", *parts):
                for anchor, page in laid_out[part]["anchors"].items():
                    pages[anchor] = first + page
                first += laid_out[part]["pages"]
            pages["doc-index"] = first
            if "index" in laid_out:  # chapters 6 and 7 follow the index
                after = first + laid_out["index"]["pages"]
                pages["doc-ratings"] = after
                for anchor, page in laid_out["ratings"]["anchors"].items():
                    pages[anchor] = after + page
            return pages, first

        progress("index", 75)
        pages, _ = page_numbers()
        index = {**common, "part": "index", "index": [
            {"title": topics["title"],
             "entries": [(topic, [(who, anchor, str(pages[anchor])) for who, anchor in names])
                         for topic, names in topics["entries"]]}
            for topics in data["index"]]}
        _write(folder, "index", index)
        front_pages = laid_out["front"]["pages"]
        # The index first: the contents need its length for the pages of chapters 6 and 7.
        laid_out["index"] = _compile(folder, "index")
        pages, _ = page_numbers()
        _write(folder, "front", front(pages))
        laid_out["front"] = _compile(folder, "front")
        if laid_out["front"]["pages"] != front_pages:  # the numbers made the contents longer
            pages, _ = page_numbers()
            _write(folder, "front", front(pages))
            laid_out["front"] = _run_all(folder, ["front"])[0]

        links = {anchor: title for title, anchor in sections}
        links.update((anchor, name) for name, anchor in anchors.items())
        outline = [[title, anchor, [[name, stakeholder, []]
                                    for name, stakeholder in anchors.items()]
                    if anchor == "doc-stakeholders" else []] for title, anchor in sections]
        (folder / "job.json").write_text(json.dumps({
            "timestamp": int(generated.timestamp()), "parts": ["front", *parts, "index", "ratings"],
            "page_count": sum(part["pages"] for part in laid_out.values()),
            "links": links, "outline": outline}))
        (folder / "pages.json").write_text(json.dumps(
            {"lang": data["lang"], "running_header": data["running_header"],
             "page": data["words"]["page"]}, ensure_ascii=False))
        progress("join", 90)
        _run(folder, "join")
        return (folder / "document.pdf").read_bytes()


def _write(folder: Path, part: str, data: dict) -> None:
    (folder / f"{part}.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")


def _cores() -> int:
    return max(1, len(os.sched_getaffinity(0)))


def _compile(folder: Path, part: str) -> dict:
    return json.loads(_run(folder, "compile", part))


def _run_all(folder: Path, parts: list[str]) -> list[dict]:
    """Lay out the parts, as many at once as there are cores."""
    with ThreadPoolExecutor(max_workers=_cores()) as pool:
        return list(pool.map(lambda part: _compile(folder, part), parts))


def _run(folder: Path, *args: str) -> str:
    # -I: the worker imports only Typst and pikepdf, whatever the environment says.
    result = subprocess.run([sys.executable, "-I", str(_WORKER), args[0], str(folder), *args[1:]],
                            capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"PDF {' '.join(args)} failed:\n{result.stderr[-3000:]}")
    return result.stdout


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


def _anchors(document: ParticipationDocument) -> dict[str, str]:
    """The named destination of each stakeholder's section."""
    return {s.name: f"stakeholder-{n}" for n, s in enumerate(document.contributors, 1)}


def document_data(document: ParticipationDocument) -> dict:
    """What the template shows but the stakeholders' sections (made part by part, see
    _stakeholder), as plain JSON-ready data in the current language."""
    labels = words.labels()
    anchors = _anchors(document)
    title = f'{labels["document"]} – {document.process_title}'
    facts = [f'{labels["generated"]} {words.date(document.generated_at)}']
    if document.draft_version:
        facts.append(labels["draft_version"] % {"number": document.draft_version})
    return {
        "lang": _language(),
        "words": labels,
        "title": title,
        "running_header": title,
        "municipality": document.municipality,
        "process_title": document.process_title,
        "title_facts": facts,
        "version_line": labels["public"] if document.public else labels["internal"],
        "rounds": _rounds(document, labels),
        "by_kind": _by_kind(document, labels),
        "overview": _overview(document, labels, anchors),
        "topic_tables": _topic_tables(document, labels),
        "concerns": concerns_data(document, labels),
        "index": [{"title": heading,
                   "entries": [(t.name, [(name, anchors[name]) for name in t.stakeholders
                                         if name in anchors]) for t in topics]}
                  for heading, topics in ((labels["index_by_theme"], document.themes),
                                          (labels["index_by_section"], document.sections))
                  if topics],
    }


def _language() -> str:
    from flask_babel import get_locale

    return str(get_locale() or "nl").split("_")[0]


def _kind(labels: dict, kind: str | None) -> str:
    return labels["kinds"][kind or "individual"]


def _rounds(document: ParticipationDocument, labels: dict) -> dict:
    header = [labels[key] for key in ("round", "period", "audience", "invited", "accepted",
                                      "participants", "item_total")]
    rows = [[labels["rounds"][r.kind], f"{words.date(r.opens_at)} – {words.date(r.closes_at)}",
             labels["audiences"][r.audience], str(r.invited), str(r.invitations_accepted),
             str(r.participants), str(r.items)] for r in document.rounds]
    return {"header": header, "rows": rows}


def _by_kind(document: ParticipationDocument, labels: dict) -> dict:
    header = [labels["kind"], *(labels["round_short"][r.kind] for r in document.rounds)]
    rows = [[labels["kinds"][kind], *(str(r.participants_by_kind.get(kind, 0))
                                      for r in document.rounds)]
            for kind in (*KIND_ORDER, "individual")]
    rows.append([labels["total"], *(str(r.participants) for r in document.rounds)])
    return {"header": header, "rows": rows}


def _overview(document: ParticipationDocument, labels: dict, anchors: dict) -> dict:
    header = [labels["stakeholder"], labels["kind"], labels["round_short"]["input"],
              labels["round_short"]["feedback"], labels["invited_to_read_along"],
              labels["read_along"]]
    yes_no = (labels["no"], labels["yes"])
    rows = [[s.name, anchors.get(s.name), _kind(labels, s.kind), str(s.input_count),
             str(s.feedback_count), yes_no[s.invited_to_read_along], yes_no[s.read_along]]
            for s in document.stakeholders]
    return {"header": header, "rows": rows}


def _topic_tables(document: ParticipationDocument, labels: dict) -> list[dict]:
    tables = []
    for title, first, count, topics in (
            (labels["per_theme"], labels["theme"], labels["contributions"], document.themes),
            (labels["per_section"], labels["section"], labels["reactions"], document.sections)):
        if topics:
            tables.append({"title": title, "header": [first, count, labels["stakeholders"]],
                           "rows": [[t.name, str(t.items), str(len(t.stakeholders))]
                                    for t in topics]})
    return tables


def concerns_data(document: ParticipationDocument, labels: dict) -> dict:
    """The chapter "what came back most" (export.builder.concerns): its table, and per group
    or code its facts and the municipality's answer, texts as trees (from_html)."""
    html = HtmlToTree()

    def counts(concern) -> str:
        return "; ".join(f'{labels["no_response_yet"] if d == "none" else labels["dispositions"][d]}'
                         f": {n}" for d, n in concern.dispositions.items())

    def answer(found) -> dict:
        return {"disposition": labels["dispositions"][found.disposition],
                "body": html.convert(found.text_html),
                "taken_up": "; ".join(found.sections) or None}

    def kind(concern) -> str:
        name = labels["concern_kinds"][concern.kind]
        return f'{name} · {labels["round_short"][concern.round]}' if concern.round else name

    entries = []
    for concern in document.concerns:
        meta = [labels["concern_kinds"][concern.kind]]
        if concern.round:
            meta.append(labels["rounds"][concern.round])
        meta.append(labels["concern_facts"] % {"items": concern.items,
                                               "stakeholders": concern.stakeholders})
        if concern.key_phrases:
            meta.append(f'{labels["key_phrases"]}: {", ".join(concern.key_phrases)}')
        entry = {"label": concern.label, "meta": meta, "shared": None, "counts": None,
                 "most_common": None, "most_common_title": None}
        if concern.shared:
            entry["shared"] = answer(concern.shared)
        elif concern.most_common:
            entry["counts"] = counts(concern)
            entry["most_common"] = answer(concern.most_common)
            entry["most_common_title"] = labels["most_common"] % {
                "num": concern.most_common.items}
        entries.append(entry)
    return {"header": [labels["concern"], labels["kind"], labels["stakeholders"],
                       labels["items"], labels["disposition"]],
            "rows": [[c.label, kind(c), str(c.stakeholders), str(c.items), counts(c)]
                     for c in document.concerns],
            "entries": entries}


def _stakeholder(stakeholder: Stakeholder, labels: dict, anchor: str, html: HtmlToTree) -> dict:
    meta = [(_kind(labels, stakeholder.kind), False)]
    if stakeholder.read_along:
        meta.append((labels["read_along"], False))
    meta.extend(_member_check_mark(stakeholder, labels))
    return {"name": stakeholder.name, "anchor": anchor, "meta": meta,
            "items": [_item(item, labels, html) for item in stakeholder.items]}


def _item(item: Item, labels: dict, html: HtmlToTree) -> dict:
    heading = f'{labels["round_short"][item.round]} · {item.topic}'
    if item.title:
        heading += f": {item.title}"
    meta = [(f'{labels["given_at"]} {words.datetime(item.created_at)}', False)]
    if item.offline_source:
        meta.append((labels["received_offline"] % {"source": item.offline_source}, False))
    if item.unverified_organisation:
        meta.append((labels["unverified_organisation"] % {"name": item.unverified_organisation},
                     True))
    if item.state != "published":
        meta.append((labels["states"][item.state], True))
    if item.hidden:
        meta.append((labels["hidden"], True))
    reasons = []
    if item.hidden_reason:
        reasons.append((labels["hidden_reason"], item.hidden_reason))
    if item.rejection_reason:
        reasons.append((labels["rejection_reason"], item.rejection_reason))
    response = None
    if item.disposition:
        response = {"disposition": item.disposition, "draft": item.response_draft,
                    "body": html.convert(item.response_html),
                    "taken_up": "; ".join(item.response_sections) or None}
    return {"heading": heading, "meta": meta, "in_reply_to": item.in_reply_to,
            "text": html.convert(item.text_html), "reasons": reasons,
            "excluded": not item.shown, "response": response,
            "replies": [(words.datetime(reply.created_at), html.convert(reply.text_html))
                        for reply in item.team_replies]}


# --- the member check (export.member_check): its mark per stakeholder and its chapter -------

def _member_check_mark(stakeholder: Stakeholder, labels: dict) -> list[tuple[str, bool]]:
    if stakeholder.checked_on is None:
        return []
    mark = labels["checked_on"] % {"date": words.date(stakeholder.checked_on)}
    if stakeholder.reaction_received:
        mark += ", " + labels["reaction_received"]
    return [(mark, False)]


def member_check_data(document: ParticipationDocument, labels: dict,
                      html: HtmlToTree) -> dict | None:
    """The chapter "Reactions of participants on this document", laid out after the index."""
    chapter = document.member_check
    if chapter is None:
        return None
    return {
        "intro": labels["member_check_intro"] % {
            "opens": words.date(chapter.opens_at), "closes": words.date(chapter.closes_at),
            "invited": chapter.invited, "replied": chapter.replied},
        "reactions": [{
            "stakeholder": r.stakeholder,
            "meta": [(f'{labels["about"]}: {r.about or labels["on_the_whole"]}', False),
                     (f'{labels["given_at"]} {words.date(r.given_at)}', False)],
            "text": html.convert(r.text_html),
            "answer": ({"date": words.date(r.answered_at), "body": html.convert(r.answer_html)}
                       if r.answered_at else None)} for r in chapter.reactions],
    }
def rating_data(document: ParticipationDocument) -> dict:
    """The chapter on how participants rated the process (participation.ratings), as data:
    per round the figures, the distribution (bars and a table) and the remarks."""
    labels, rating_words = words.labels(), words.rating_labels()
    rounds = []
    for r in document.ratings:
        name = labels["rounds"][r.kind]
        rounds.append({
            "name": name, "respondents": r.respondents,
            "distribution": [[str(score), n] for score, n in sorted(r.distribution.items())],
            "top": max(r.distribution.values(), default=0),
            "caption": rating_words["distribution"] % {"round": name},
            "remarks_title": rating_words["remarks"] % {"round": name},
            "remarks": [remark.text + (f" ({rating_words['by']} {remark.who})" if remark.who
                                       else "") for remark in r.remarks]})
    return {"words": rating_words, "rounds": rounds,
            "summary": {"header": [labels["round"], rating_words["respondents"],
                                   rating_words["average"]],
                        "rows": [[labels["rounds"][r.kind], str(r.respondents),
                                  "–" if r.average is None else f"{r.average:.1f}"]
                                 for r in document.ratings]}}
