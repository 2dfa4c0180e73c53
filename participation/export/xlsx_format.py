"""The participation document as a spreadsheet: one row per contribution or reaction (to sort
and filter), a sheet of stakeholders and one of the rounds, in the language chosen.

openpyxl's write-only mode streams rows to the file, so memory stays flat however large the
process. Every text cell is written as text: a contribution that starts with "=" must never
become a formula in the municipality's Excel.
"""
from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from ..core.timeutil import utc_to_amsterdam
from .builder import ParticipationDocument
from .labels import labels, rating_labels

# Excel refuses longer cells; no contribution is this long, but a file that Excel repairs is lost
# on a council clerk.
_MAX_CELL = 32_000
_HEADER_FONT = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="E8EEF5")
_WRAP = Alignment(wrap_text=True, vertical="top")
_TOP = Alignment(vertical="top")


def to_xlsx(document: ParticipationDocument) -> bytes:
    words = labels()
    book = Workbook(write_only=True)
    _items_sheet(book, document, words)
    _stakeholders_sheet(book, document, words)
    _rounds_sheet(book, document, words)
    _concerns_sheet(book, document, words)
    _ratings_sheet(book, document, words)
    _member_check_sheet(book, document, words)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _sheet(book: Workbook, title: str, headers: list[str], widths: list[int]):
    sheet = book.create_sheet(title[:31])
    for number, width in enumerate(widths, 1):
        sheet.column_dimensions[get_column_letter(number)].width = width
    sheet.freeze_panes = "A2"
    row = []
    for header in headers:
        cell = WriteOnlyCell(sheet, value=header)
        cell.font, cell.fill = _HEADER_FONT, _HEADER_FILL
        row.append(cell)
    sheet.append(row)
    return sheet


def _text(sheet, value: str | None, wrap: bool = False) -> WriteOnlyCell:
    value = ILLEGAL_CHARACTERS_RE.sub("", value or "")
    if len(value) > _MAX_CELL:
        value = value[:_MAX_CELL] + " …"
    cell = WriteOnlyCell(sheet, value=value)
    cell.data_type = "s"  # never a formula, whatever the text starts with
    cell.alignment = _WRAP if wrap else _TOP
    return cell


def _items_sheet(book: Workbook, document: ParticipationDocument, words: dict) -> None:
    headers = [words["stakeholder"], words["kind"], words["round"],
               f'{words["theme"]} / {words["section"]}', words["title"], words["text"],
               words["in_reply_to"], words["given_at"], words["state"], words["hidden"],
               words["offline"], words["disposition"],
               words["response"], words["taken_up_in"], words["team_reply"]]
    if not document.public:
        headers += [words["reason"], words["unverified_column"]]
    sheet = _sheet(book, words["items_sheet"], headers,
                   [28, 22, 12, 30, 30, 70, 40, 17, 14, 10, 20, 18, 70, 30, 70, 40, 30])
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(headers))}1"
    for stakeholder, item in document.items():
        given = WriteOnlyCell(sheet, value=utc_to_amsterdam(item.created_at))
        given.number_format = "yyyy-mm-dd hh:mm"
        given.alignment = _TOP
        disposition = words["dispositions"][item.disposition] if item.disposition else ""
        if item.response_draft:
            disposition += f' ({words["draft_response"]})'
        row = [
            _text(sheet, stakeholder.name), _text(sheet, words["kinds"][stakeholder.kind or
                                                                         "individual"]),
            _text(sheet, words["round_short"][item.round]), _text(sheet, item.topic, True),
            _text(sheet, item.title, True), _text(sheet, item.text_md, True),
            _text(sheet, item.in_reply_to, True), given,
            _text(sheet, words["states"].get(item.state, item.state)),
            _text(sheet, words["yes"] if item.hidden else ""),
            _text(sheet, item.offline_source),
            _text(sheet, disposition),
            _text(sheet, item.response_md, True), _text(sheet, "; ".join(item.response_sections),
                                                         True),
            _text(sheet, "\n\n".join(r.text_md for r in item.team_replies), True)]
        if not document.public:
            row += [_text(sheet, item.hidden_reason or item.rejection_reason, True),
                    _text(sheet, item.unverified_organisation)]
        sheet.append(row)


def _stakeholders_sheet(book: Workbook, document: ParticipationDocument, words: dict) -> None:
    sheet = _sheet(book, words["stakeholders"],
                   [words["stakeholder"], words["kind"], words["round_short"]["input"],
                    words["round_short"]["feedback"], words["invited_to_read_along"],
                    words["read_along"]], [36, 30, 10, 10, 20, 14])
    for s in document.stakeholders:
        sheet.append([_text(sheet, s.name), _text(sheet, words["kinds"][s.kind or "individual"]),
                      s.input_count, s.feedback_count,
                      _text(sheet, words["yes"] if s.invited_to_read_along else words["no"]),
                      _text(sheet, words["yes"] if s.read_along else words["no"])])


def _rounds_sheet(book: Workbook, document: ParticipationDocument, words: dict) -> None:
    kinds = ("business", "education", "government", "civil_society", "other", "individual")
    sheet = _sheet(book, words["process"],
                   [words["round"], words["period"], words["audience"], words["invited"],
                    words["accepted"], words["participants"], words["item_total"],
                    *(words["kinds"][k] for k in kinds)],
                   [30, 26, 30, 12, 12, 12, 14, *(14 for _ in kinds)])
    for r in document.rounds:
        period = (f"{utc_to_amsterdam(r.opens_at):%Y-%m-%d} – "
                  f"{utc_to_amsterdam(r.closes_at):%Y-%m-%d}")
        sheet.append([_text(sheet, words["rounds"][r.kind]), _text(sheet, period),
                      _text(sheet, words["audiences"][r.audience], True), r.invited,
                      r.invitations_accepted, r.participants, r.items,
                      *(r.participants_by_kind.get(k, 0) for k in kinds)])


def _member_check_sheet(book: Workbook, document: ParticipationDocument, words: dict) -> None:
    """The member check (export.member_check): who checked when, then the reactions with the
    municipality's answers."""
    chapter = document.member_check
    if chapter is None:
        return
    sheet = _sheet(book, words["reactions_sheet"],
                   [words["stakeholder"], words["about"], words["member_reaction"],
                    words["given_at"], words["member_answer"], words["checked_column"],
                    words["reaction_column"]], [28, 40, 70, 17, 70, 17, 14])

    def moment(value):
        cell = WriteOnlyCell(sheet, value=utc_to_amsterdam(value) if value else None)
        cell.number_format = "yyyy-mm-dd hh:mm"
        cell.alignment = _TOP
        return cell

    for r in chapter.reactions:
        sheet.append([_text(sheet, r.stakeholder), _text(sheet, r.about or words["on_the_whole"],
                                                         True),
                      _text(sheet, r.text_md, True), moment(r.given_at),
                      _text(sheet, r.answer_md or words["no_answer"], True), moment(None),
                      _text(sheet, "")])
    for s in document.stakeholders:
        if s.checked_on is not None:
            sheet.append([_text(sheet, s.name), _text(sheet, ""), _text(sheet, ""), moment(None),
                          _text(sheet, ""), moment(s.checked_on),
                          _text(sheet, words["yes"] if s.reaction_received else words["no"])])


def _ratings_sheet(book: Workbook, document: ParticipationDocument, words: dict) -> None:
    """How participants rated each round: respondents, average, how many gave each score 1-10,
    and the remarks (with who in the internal version), one row per round."""
    rating_words = rating_labels()
    scores = range(1, 11)
    sheet = _sheet(book, rating_words["ratings_sheet"],
                   [words["round"], rating_words["respondents"], rating_words["average"],
                    *(f'{rating_words["score"]} {n}' for n in scores),
                    rating_words["remarks_column"]],
                   [30, 14, 14, *(9 for _ in scores), 80])
    for r in document.ratings:
        remarks = "\n\n".join(remark.text + (f" ({rating_words['by']} {remark.who})"
                                              if remark.who else "") for remark in r.remarks)
        sheet.append([_text(sheet, words["rounds"][r.kind]), r.respondents, r.average,
                      *(r.distribution.get(n, 0) for n in scores),
                      _text(sheet, remarks, True)])


def _concerns_sheet(book: Workbook, document: ParticipationDocument, words: dict) -> None:
    """What came back most (export.builder.concerns): a row per group or code."""
    sheet = _sheet(book, words["concerns"],
                   [words["concern"], words["kind"], words["round"], words["key_phrases"],
                    words["stakeholders"], words["items"], words["dispositions_count"],
                    words["disposition"], words["concern_answer"]],
                   [36, 12, 12, 36, 12, 10, 40, 20, 70])
    for c in document.concerns:
        answer = c.shared or c.most_common
        counts = "; ".join(f"{words['no_response_yet'] if d == 'none' else words['dispositions'][d]}"
                           f": {n}" for d, n in c.dispositions.items())
        sheet.append([_text(sheet, c.label), _text(sheet, words["concern_kinds"][c.kind]),
                      _text(sheet, words["round_short"][c.round] if c.round else ""),
                      _text(sheet, ", ".join(c.key_phrases), True), c.stakeholders, c.items,
                      _text(sheet, counts, True),
                      _text(sheet, words["dispositions"][answer.disposition] if answer else ""),
                      _text(sheet, answer.text_md if answer else "", True)])
