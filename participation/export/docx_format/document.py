"""The participation document's body: the chapters and the part per stakeholder, written as
WordprocessingML from the builder's plain data."""
from __future__ import annotations

import shutil
import tempfile
from typing import IO, NamedTuple

from .. import labels as words_module
from ..builder import Item, ParticipationDocument, Stakeholder
from .from_html import HtmlToWord
from .package import Links, Numbering
from .wordml import (BLUE, FIELD_END, QUOTE_INDENT, RED, RESPONSE_INDENT, Cell, bookmark,
                     field_begin, internal_link, paragraph, ppr, runs, starts_right_to_left, table)

#: The heading levels in the table of contents (its TOC field's \o switch): the chapters and
#: what is under them, a stakeholder among them; not every item.
CONTENTS_LEVELS = 2
# The body after the contents is written to a temporary file first (the contents must list its
# headings before it): in memory up to this size, on disk beyond, so memory stays flat.
_SPOOL_BYTES = 16 << 20


def _bookmark(number: int) -> str:
    # A leading underscore keeps it out of Word's list of bookmarks (like its own _Toc ones).
    return f"_Stakeholder{number}"


class Heading(NamedTuple):
    """A heading in the table of contents: its level, its text as the body shows it (with its
    number) and the bookmark around it that the contents entry links to."""
    level: int
    text: str
    bookmark: str


class Writer:
    """Writes the body as WordprocessingML text, section by section, into `stream` (the
    document.xml entry of the package) as it goes: memory stays flat however long it gets.
    What follows the contents passes through a spool (see `write`)."""

    def __init__(self, document: ParticipationDocument, words: dict, numbering: Numbering,
                 links: Links, stream: IO[bytes]) -> None:
        self.document, self.words, self.stream = document, words, stream
        self.out: list[str] = []
        self.converter = HtmlToWord(numbering, links)
        # Bookmarks on the stakeholder headings: the overview and the index link to them by
        # name (to the first, should two organisations share a name).
        self.bookmarks: dict[str, str] = {}
        for number, stakeholder in enumerate(document.contributors, 1):
            self.bookmarks.setdefault(stakeholder.name, _bookmark(number))
        #: The headings of the contents' levels as they are written, for the contents.
        self.outline: list[Heading] = []
        self._bookmark_ids = 0  #: the last bookmark's id (unique in the document)

    def add(self, content: str, properties: str = "") -> None:
        self.out.append(paragraph(content, properties))

    def heading(self, level: int, text: str, name: str | None = None,
                properties: str = "") -> None:
        """A heading; one of the contents' levels gets a bookmark (`name`, or one of its own)
        and an entry in the contents."""
        content = runs(text)
        if level <= CONTENTS_LEVELS and content:
            if name is None:
                name = f"_Heading{len(self.outline) + 1}"
            self._bookmark_ids += 1
            content = bookmark(self._bookmark_ids, name, content)
            self.outline.append(Heading(level, text, name))
        self.add(content, properties or ppr(f"Heading{level}"))

    def html(self, fragment: str | None, style: str | None, indent: int = 0) -> None:
        if fragment:
            self.converter.convert(fragment, self.out, style, indent)

    def flush(self) -> None:
        self.stream.write("".join(self.out).encode("utf-8"))
        self.out.clear()

    def write(self) -> None:
        self.title_page()
        self.flush()
        # The contents list the headings written after them: the rest goes to a spool first,
        # then comes after the contents.
        package, self.stream = self.stream, tempfile.SpooledTemporaryFile(_SPOOL_BYTES)
        with self.stream as rest:
            for part in (self.process, self.overview, self.concerns, self.by_stakeholder,
                         self.index, self.ratings, self.member_check):
                part()
                self.flush()
            self.stream = package
            self.contents()
            self.flush()
            rest.seek(0)
            shutil.copyfileobj(rest, package, 1 << 20)

    def kind(self, kind: str | None) -> str:
        return self.words["kinds"][kind or "individual"]

    # the parts, in order

    def title_page(self) -> None:
        doc, words = self.document, self.words
        self.add(runs(doc.municipality, bold=True, color=BLUE, size=28),
                 ppr(spacing='<w:spacing w:before="3400" w:after="240"/>'))
        self.add(runs(words["document"]), ppr("Title"))
        self.add(runs(doc.process_title), ppr("Subtitle"))
        self.add(runs(f"{words['generated']} {words_module.date(doc.generated_at)}"))
        if doc.draft_version:
            self.add(runs(words["draft_version"] % {"number": doc.draft_version}))
        self.add(runs(words["public"] if doc.public else words["internal"], bold=True,
                      color=None if doc.public else RED))

    def contents(self) -> None:
        """The table of contents, filled: one entry per heading of its levels, a link to the
        heading's bookmark, as the result of the TOC field (between its separate and its end),
        so Word can still update it, and does (it asks first) when the document is opened.

        No page numbers: only a layout knows them, and LibreOffice prints the number a file
        holds as it is (a PAGEREF's cached result), so a guessed one would be printed wrong.
        Word adds the real ones when it updates the field; the links lead to the headings
        meanwhile, in LibreOffice's PDF too."""
        self.add(runs(self.words["contents"]), ppr("TOCHeading"))
        # The field begins in the first entry's paragraph and ends in a paragraph of its own
        # after the last, as Word writes it.
        begin = field_begin(f'TOC \\o "1-{CONTENTS_LEVELS}" \\h \\z \\u')
        for heading in self.outline:
            self.add(begin + internal_link(runs(heading.text), heading.bookmark),
                     ppr(f"TOC{heading.level}"))
            begin = ""
        self.add(begin + FIELD_END)

    def process(self) -> None:
        doc, words = self.document, self.words
        self.heading(1, f"1. {words['process']}")
        self.add(runs(words["process_intro"]))
        rows = [(words["rounds"][r.kind],
                 f"{words_module.date(r.opens_at)} – {words_module.date(r.closes_at)}",
                 words["audiences"].get(r.audience, r.audience), r.invited,
                 r.invitations_accepted, r.participants, r.items) for r in doc.rounds]
        self.out.append(table(
            # Numeric columns wide enough for "Uitnodigingen" in bold 8.5 pt, unbroken.
            (13, 15, 18, 13.5, 13.5, 13.5, 13.5),
            (words["round"], words["period"], words["audience"], words["invited"],
             words["accepted"], words["participants"], words["item_total"]),
            rows, caption=words["rounds_table"], numeric=frozenset({3, 4, 5, 6})))
        self.heading(2, words["participants_by_kind"])
        kinds = ("business", "education", "government", "civil_society", "other", "individual")
        rows = [(self.kind(k), *(r.participants_by_kind.get(k, 0) for r in doc.rounds))
                for k in kinds]
        rows.append((words["total"], *(r.participants for r in doc.rounds)))
        width = 20 if doc.rounds else 0
        self.out.append(table(
            (100 - width * len(doc.rounds), *(width for _ in doc.rounds)),
            (words["kind"], *(words["round_short"][r.kind] for r in doc.rounds)),
            rows, caption=words["participants_by_kind"],
            numeric=frozenset(range(1, len(doc.rounds) + 1)), bold_last=True))

    def overview(self) -> None:
        doc, words = self.document, self.words
        self.heading(1, f"2. {words['overview']}")
        self.add(runs(words["overview_intro"]))
        rows = [(Cell(internal_link(runs(s.name), self.bookmarks.get(s.name))),
                 self.kind(s.kind), s.input_count, s.feedback_count,
                 words["yes"] if s.invited_to_read_along else words["no"],
                 words["yes"] if s.read_along else words["no"]) for s in doc.stakeholders]
        self.out.append(table(
            (33, 23, 10, 10, 13, 11),
            (words["stakeholder"], words["kind"], words["round_short"]["input"],
             words["round_short"]["feedback"], words["invited_to_read_along"],
             words["read_along"]),
            rows, caption=words["overview"], numeric=frozenset({2, 3})))
        for title, column, topics in ((words["per_theme"], words["theme"], doc.themes),
                                      (words["per_section"], words["section"], doc.sections)):
            if not topics:
                continue
            self.heading(2, title)
            self.out.append(table(
                (60, 20, 20),
                (column, words["contributions"] if topics is doc.themes else words["reactions"],
                 words["stakeholders"]),
                [(t.name, t.items, len(t.stakeholders)) for t in topics],
                caption=title, numeric=frozenset({1, 2})))

    def concerns(self) -> None:
        """3. What came back most: a table of the groups and codes, then each one's answer."""
        doc, words = self.document, self.words
        self.heading(1, f"3. {words['concerns']}")
        if not doc.concerns:
            self.add(runs(words["no_concerns"]))
            return
        self.add(runs(words["concerns_intro"]))
        self.out.append(table(
            (34, 18, 13, 10, 25),
            (words["concern"], words["kind"], words["stakeholders"], words["items"],
             words["disposition"]),
            [(c.label, self._concern_kind(c), c.stakeholders, c.items, self._counts(c))
             for c in doc.concerns],
            caption=words["concerns"], numeric=frozenset({2, 3})))
        for concern in doc.concerns:
            self.heading(2, concern.label)
            meta = f"{words['concern_kinds'][concern.kind]}"
            if concern.round:
                meta += f" · {words['rounds'][concern.round]}"
            meta += " · " + words["concern_facts"] % {"items": concern.items,
                                                       "stakeholders": concern.stakeholders}
            if concern.key_phrases:
                meta += f" · {words['key_phrases']}: {', '.join(concern.key_phrases)}"
            self.add(runs(meta), ppr("ItemDetails"))
            if concern.shared:
                self.add(runs(words["concern_answer"], bold=True)
                         + runs(f" · {words['shared_response']}"),
                         ppr("Response", keep_next=True))
                self._concern_answer(concern.shared)
            elif concern.most_common:
                self.add(runs(words["dispositions_count"], bold=True)
                         + runs(f": {self._counts(concern)}"), ppr("Response", keep_next=True))
                self.add(runs(words["most_common"] % {"num": concern.most_common.items},
                              bold=True), ppr("Response", keep_next=True))
                self._concern_answer(concern.most_common)
            else:
                self.add(runs(words["concern_answer"], bold=True)
                         + runs(f": {words['no_response']}"), ppr("Response"))
            self.flush()

    def _concern_kind(self, concern) -> str:
        kind = self.words["concern_kinds"][concern.kind]
        return f"{kind} · {self.words['round_short'][concern.round]}" if concern.round else kind

    def _counts(self, concern) -> str:
        words = self.words
        return "; ".join(f"{words['no_response_yet'] if d == 'none' else words['dispositions'][d]}"
                         f": {n}" for d, n in concern.dispositions.items())

    def _concern_answer(self, answer) -> None:
        words = self.words
        self.add(runs(f"{words['disposition']}: ")
                 + runs(words["dispositions"].get(answer.disposition, answer.disposition),
                        bold=True), ppr("Response", keep_next=True))
        self.html(answer.text_html, "Response", RESPONSE_INDENT)
        if answer.sections:
            self.add(runs(f"{words['taken_up_in']}: {'; '.join(answer.sections)}", italic=True),
                     ppr("Response"))

    def by_stakeholder(self) -> None:
        words = self.words
        self.heading(1, f"4. {words['by_stakeholder']}")
        contributors = self.document.contributors
        if not contributors:
            self.add(runs(words["no_items"]))
        for number, stakeholder in enumerate(contributors, 1):
            self.stakeholder(number, stakeholder)

    def stakeholder(self, number: int, stakeholder: Stakeholder) -> None:
        words = self.words
        rule = f'<w:top w:val="single" w:sz="12" w:space="6" w:color="{BLUE}"/>'
        self.heading(2, stakeholder.name, _bookmark(number), ppr("Heading2", border=rule))
        meta = self.kind(stakeholder.kind)
        if stakeholder.read_along:
            meta += f" · {words['read_along']}"
        meta += self.member_check_mark(stakeholder)
        self.add(runs(meta), ppr("ItemDetails"))
        for item in stakeholder.items:
            self.item(item)

    def item(self, item: Item) -> None:
        words = self.words
        title = f"{words['round_short'][item.round]} · {item.topic}"
        if item.title:
            title += f": {item.title}"
        self.heading(3, title)
        meta = [runs(f"{words['given_at']} {words_module.datetime(item.created_at)}")]
        if item.offline_source:
            meta.append(runs(" · " + words["received_offline"] % {"source": item.offline_source}))
        if item.unverified_organisation:
            meta.append(runs(" · ") + runs(words["unverified_organisation"] % {
                "name": item.unverified_organisation}, bold=True, color=RED))
        if item.state != "published":
            meta.append(runs(" · ") + runs(words["states"].get(item.state, item.state),
                                           bold=True, color=RED))
        if item.hidden:
            meta.append(runs(" · ") + runs(words["hidden"], bold=True, color=RED))
        self.add("".join(meta), ppr("ItemDetails"))
        if item.in_reply_to:
            self.add(runs(f"{words['in_reply_to']}:", italic=True) + runs(" " + item.in_reply_to),
                     ppr("ReplyContext", bidi=starts_right_to_left(item.in_reply_to)))
        self.html(item.text_html, None)
        for label, reason in ((words["hidden_reason"], item.hidden_reason),
                              (words["rejection_reason"], item.rejection_reason)):
            if reason:
                self.add(runs(f"{label}:", italic=True) + runs(" " + reason),
                         ppr("ReplyContext", bidi=starts_right_to_left(reason)))
        self.response(item)
        self.team_replies(item)
        self.flush()

    def response(self, item: Item) -> None:
        words = self.words
        if not item.disposition:
            if not item.team_replies:
                self.add(runs(words["response"], bold=True) + runs(f": {words['no_response']}"),
                         ppr("Response"))
            return
        disposition = words["dispositions"].get(item.disposition, item.disposition)
        head = runs(words["response"], bold=True)
        if item.response_draft:
            head += runs(" (") + runs(words["draft_response"], bold=True, color=RED) + runs(")")
        self.add(head + runs(f" · {words['disposition']}: ")
                 + runs(disposition, bold=True), ppr("Response", keep_next=True))
        self.html(item.response_html, "Response", RESPONSE_INDENT)
        if item.response_sections:
            self.add(runs(f"{words['taken_up_in']}: {'; '.join(item.response_sections)}",
                          italic=True), ppr("Response"))

    def team_replies(self, item: Item) -> None:
        """The team's replies in the thread: the municipality answered, if not officially."""
        for reply in item.team_replies:
            self.add(runs(self.words["team_reply"], bold=True)
                     + runs(f" · {words_module.datetime(reply.created_at)}"),
                     ppr("Response", keep_next=True))
            self.html(reply.text_html, "Response", RESPONSE_INDENT)

    def index(self) -> None:
        doc, words = self.document, self.words
        self.heading(1, f"5. {words['index']}")
        for title, topics in ((words["index_by_theme"], doc.themes),
                              (words["index_by_section"], doc.sections)):
            if not topics:
                continue
            self.heading(2, title)
            for topic in topics:
                # A heading (in the navigation pane), set as close as the bold line it was.
                self.heading(3, topic.name, properties=ppr("Heading3", spacing=(
                    '<w:spacing w:before="120" w:after="0"/>')))
                names = runs(", ").join(internal_link(runs(name), self.bookmarks.get(name))
                                        for name in topic.stakeholders)
                self.add(names, ppr(indent=(QUOTE_INDENT, 0)))

    # the member check (export.member_check): its mark per stakeholder and its chapter

    def member_check_mark(self, stakeholder: Stakeholder) -> str:
        if stakeholder.checked_on is None:
            return ""
        mark = " · " + self.words["checked_on"] % {
            "date": words_module.date(stakeholder.checked_on)}
        if stakeholder.reaction_received:
            mark += ", " + self.words["reaction_received"]
        return mark

    def member_check(self) -> None:
        chapter, words = self.document.member_check, self.words
        if chapter is None:
            return
        self.heading(1, f"7. {words['member_check']}")
        self.add(runs(words["member_check_intro"] % {
            "opens": words_module.date(chapter.opens_at),
            "closes": words_module.date(chapter.closes_at),
            "invited": chapter.invited, "replied": chapter.replied}))
        if not chapter.reactions:
            self.add(runs(words["member_check_none"]))
        rule = f'<w:top w:val="single" w:sz="12" w:space="6" w:color="{BLUE}"/>'
        for reaction in chapter.reactions:
            self.heading(2, reaction.stakeholder, properties=ppr("Heading2", border=rule))
            self.add(runs(f"{words['about']}: {reaction.about or words['on_the_whole']} · "
                          f"{words['given_at']} {words_module.date(reaction.given_at)}"),
                     ppr("ItemDetails"))
            self.add(runs(words["member_reaction"], bold=True), ppr(keep_next=True))
            self.html(reaction.text_html, None)
            if reaction.answered_at:
                self.add(runs(words["member_answer"], bold=True)
                         + runs(f" · {words_module.date(reaction.answered_at)}"),
                         ppr("Response", keep_next=True))
                self.html(reaction.answer_html, "Response", RESPONSE_INDENT)
            else:
                self.add(runs(words["member_answer"], bold=True)
                         + runs(f": {words['no_answer']}"), ppr("Response"))
            self.flush()
    def ratings(self) -> None:
        """How participants rated each round (participation.ratings): the figures, the
        distribution as a table, the remarks (without names in the public version)."""
        words, rating_words = self.words, words_module.rating_labels()
        self.heading(1, f"6. {rating_words['ratings']}")
        self.add(runs(rating_words["ratings_intro"]))
        self.out.append(table(
            (50, 25, 25), (words["round"], rating_words["respondents"], rating_words["average"]),
            [(words["rounds"][r.kind], r.respondents,
              "–" if r.average is None else f"{r.average:.1f}") for r in self.document.ratings],
            caption=rating_words["ratings_table"], numeric=frozenset({1, 2})))
        for r in self.document.ratings:
            name = words["rounds"][r.kind]
            self.heading(2, name)
            if not r.respondents:
                self.add(runs(rating_words["no_ratings"]))
                continue
            caption = rating_words["distribution"] % {"round": name}
            self.out.append(table(
                (50, 50), (rating_words["score"], rating_words["count"]),
                [(str(score), n) for score, n in sorted(r.distribution.items())],
                caption=caption, numeric=frozenset({1})))
            self.heading(3, rating_words["remarks"] % {"round": name})
            if not r.remarks:
                self.add(runs(rating_words["no_remarks"]))
            for remark in r.remarks:
                text = remark.text + (f" ({rating_words['by']} {remark.who})" if remark.who
                                      else "")
                self.add(runs(text), ppr(bidi=starts_right_to_left(text)))
        self.flush()
