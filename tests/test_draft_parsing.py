"""Reading drafts (Markdown and .docx) into numbered sections, and the word diff between versions."""
from __future__ import annotations

import io
import zipfile

import docx
import pytest
from docx.enum.style import WD_STYLE_TYPE

from participation.drafts.diff import has_changes, word_diff_html
from participation.drafts.parsing import DraftFormatError, parse_docx, parse_markdown


def docx_bytes(document) -> bytes:
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def numbers_and_headings(draft) -> list[tuple[str, int, str]]:
    return [(s.number, s.level, s.heading) for s in draft.sections]


# --- Markdown -------------------------------------------------------------------------------

@pytest.mark.once
def test_markdown_headings_are_numbered_by_level():
    draft = parse_markdown("# Inleiding\nA\n## Doel\n## Scope\n# Maatregelen\n## Wonen\n### Huur\nB\n")
    assert numbers_and_headings(draft) == [
        ("1", 1, "Inleiding"), ("1.1", 2, "Doel"), ("1.2", 2, "Scope"),
        ("2", 1, "Maatregelen"), ("2.1", 2, "Wonen"), ("2.1.1", 3, "Huur")]
    assert [s.body_md for s in draft.sections] == ["A", "", "", "", "", "B"]


@pytest.mark.once
def test_markdown_preamble_and_bodies_keep_their_markdown():
    draft = parse_markdown("Concept, *niet* definitief.\n\n# Een\n\nEerste alinea.\n\n- a\n- b\n\n1. c\n\n")
    assert draft.preamble_md == "Concept, *niet* definitief."
    assert draft.sections[0].body_md == "Eerste alinea.\n\n- a\n- b\n\n1. c"
    assert parse_markdown("# Een\ntekst").preamble_md == ""


@pytest.mark.once
def test_markdown_headings_are_cleaned():
    draft = parse_markdown("# 3.2 Wonen\n# 3.2. **Werken**\n# 3) `Leren`   en\t_spelen_ #\n"
                           "# 2030 doelen\n# " + "x" * 400 + "\n")
    headings = [s.heading for s in draft.sections]
    assert headings[:4] == ["Wonen", "Werken", "Leren en spelen", "2030 doelen"]
    assert headings[4] == "x" * 300


@pytest.mark.once
def test_headings_without_parent_never_get_a_zero():
    draft = parse_markdown("## Los\n### Dieper\n# Echt\n### Sprong\n")
    assert [s.number for s in draft.sections] == ["1.1", "1.1.1", "2", "2.1.1"]


@pytest.mark.once
def test_deeper_headings_are_level_three():
    draft = parse_markdown("# A\n## B\n### C\n#### D\n###### E\n")
    assert numbers_and_headings(draft)[2:] == [("1.1.1", 3, "C"), ("1.1.2", 3, "D"), ("1.1.3", 3, "E")]


@pytest.mark.once
def test_hashes_inside_fenced_code_are_not_headings():
    text = "# Voorbeeld\n```\n# geen kop\n## ook niet\n```\nna\n~~~~\n# evenmin\n~~~~\n# Twee\n"
    draft = parse_markdown(text)
    assert numbers_and_headings(draft) == [("1", 1, "Voorbeeld"), ("2", 1, "Twee")]
    assert "# geen kop\n## ook niet" in draft.sections[0].body_md
    assert "# evenmin" in draft.sections[0].body_md


@pytest.mark.once
def test_underlined_headings_are_headings():
    draft = parse_markdown("Voorwoord.\n\nInleiding\n=========\nA\n\nDoel\n----\nB\n\n"
                           "Een kop over\ntwee regels\n===\n\n## Gewoon\nC\n")
    assert numbers_and_headings(draft) == [
        ("1", 1, "Inleiding"), ("1.1", 2, "Doel"), ("2", 1, "Een kop over twee regels"),
        ("2.1", 2, "Gewoon")]
    assert draft.preamble_md == "Voorwoord."
    assert [s.body_md for s in draft.sections] == ["A", "B", "", "C"]


@pytest.mark.once
def test_a_rule_after_a_blank_line_is_no_heading():
    draft = parse_markdown("# Een\ntekst\n\n---\n\n***\nmeer\n")
    assert numbers_and_headings(draft) == [("1", 1, "Een")]
    assert draft.sections[0].body_md == "tekst\n\n---\n\n***\nmeer"


@pytest.mark.once
def test_hashes_and_underlines_in_code_are_not_headings():
    text = ("# Een\n```python\n# commentaar\nx = 1\n---\n```\n\n    # ingesprongen code\n\n"
            "~~~\nniet gesloten\n# dus nog code\n")
    draft = parse_markdown(text)
    assert numbers_and_headings(draft) == [("1", 1, "Een")]
    assert draft.sections[0].body_md == text.removeprefix("# Een\n").rstrip()


@pytest.mark.once
def test_headings_inside_a_list_or_quote_do_not_cut_it():
    draft = parse_markdown("# Een\n- punt\n  # kop in het punt\n  vervolg\n> # kop in een citaat\n"
                           "> citaat\n# Twee\n")
    assert numbers_and_headings(draft) == [("1", 1, "Een"), ("2", 1, "Twee")]
    assert draft.sections[0].body_md == ("- punt\n  # kop in het punt\n  vervolg\n"
                                         "> # kop in een citaat\n> citaat")


@pytest.mark.once
def test_raw_html_does_not_hide_a_heading():
    # Shown sections escape raw HTML (core/sanitize.py), so it is text here too.
    draft = parse_markdown("# Een\n<div>\n# Twee\n</div>\n")
    assert numbers_and_headings(draft) == [("1", 1, "Een"), ("2", 1, "Twee")]
    assert [s.body_md for s in draft.sections] == ["<div>", "</div>"]


@pytest.mark.once
def test_empty_headings_are_skipped_and_their_body_joins_the_previous_section():
    draft = parse_markdown("# Een\neerste\n#\ntweede\n## **  **\nderde\n#hashtag is geen kop\n")
    assert numbers_and_headings(draft) == [("1", 1, "Een")]
    assert draft.sections[0].body_md == "eerste\n\ntweede\n\nderde\n#hashtag is geen kop"


@pytest.mark.once
def test_line_endings_and_control_characters_are_cleaned():
    draft = parse_markdown("# Kop\x00\r\nregel\x07 een\rregel\ttwee\r\n")
    assert draft.sections[0].heading == "Kop"
    assert draft.sections[0].body_md == "regel een\nregel\ttwee"


@pytest.mark.parametrize("text, kind", [
    ("", "empty"),
    (" \n\t\n\x00", "empty"),
    ("Alleen tekst, geen koppen.\n```\n# in code\n```\n", "no_headings"),
    ("#\n##   \ntekst", "no_headings"),
    ("".join(f"# Kop {i}\n" for i in range(201)), "too_many_sections"),
])
@pytest.mark.once
def test_markdown_errors_have_a_kind(text, kind):
    with pytest.raises(DraftFormatError) as caught:
        parse_markdown(text)
    assert caught.value.kind == kind
    assert caught.value.message and isinstance(caught.value, ValueError)


@pytest.mark.once
def test_two_hundred_sections_are_allowed():
    assert len(parse_markdown("".join(f"# Kop {i}\n" for i in range(200))).sections) == 200


# --- Word -----------------------------------------------------------------------------------

def example_document():
    document = docx.Document()
    document.add_heading("Omgevingsvisie Assen", 0)
    document.add_paragraph("Dit is een concept.")
    document.add_heading("1. Inleiding", 1)
    paragraph = document.add_paragraph("Gewoon, ")
    paragraph.add_run("vet ").bold = True
    paragraph.add_run("schuin").italic = True
    paragraph.add_run("   ").bold = True
    paragraph.add_run(".")
    document.add_paragraph("")
    document.add_heading("Doel", 2)
    document.add_paragraph("eerste punt", style="List Bullet")
    document.add_paragraph("tweede punt", style="List Bullet 2")
    document.add_paragraph("Tussentekst.")
    document.add_paragraph("stap een", style="List Number")
    document.add_paragraph("stap twee", style="List Number")
    document.add_heading("Scope", 2)
    table = document.add_table(rows=2, cols=2)
    for row, cells in zip(table.rows, [("Wijk", "Woningen"), ("Noord", "120")], strict=True):
        for cell, text in zip(row.cells, cells, strict=True):
            cell.text = text
    document.add_paragraph("Na de tabel.")
    document.add_heading("Maatregelen", 1)
    document.add_heading("Wonen", 2)
    document.add_heading("Huur", 3)
    document.add_heading("Heel diep", 6)
    return document


@pytest.mark.once
def test_docx_headings_are_numbered_by_level():
    draft = parse_docx(docx_bytes(example_document()))
    assert numbers_and_headings(draft) == [
        ("1", 1, "Inleiding"), ("1.1", 2, "Doel"), ("1.2", 2, "Scope"),
        ("2", 1, "Maatregelen"), ("2.1", 2, "Wonen"), ("2.1.1", 3, "Huur"), ("2.1.2", 3, "Heel diep")]


@pytest.mark.once
def test_docx_title_goes_into_the_preamble():
    preamble = parse_docx(docx_bytes(example_document())).preamble_md
    assert preamble == "**Omgevingsvisie Assen**\n\nDit is een concept."


@pytest.mark.once
def test_docx_runs_lists_and_tables_become_markdown():
    sections = parse_docx(docx_bytes(example_document())).sections
    assert sections[0].body_md == "Gewoon, **vet** *schuin*   ."
    assert sections[1].body_md == "- eerste punt\n- tweede punt\n\nTussentekst.\n\n1. stap een\n1. stap twee"
    assert sections[2].body_md == "Wijk | Woningen\n\nNoord | 120\n\nNa de tabel."
    assert sections[3].body_md == ""


@pytest.mark.once
def test_docx_dutch_heading_styles_and_direct_numbering():
    document = docx.Document()
    for level in (1, 2):
        document.styles.add_style(f"Kop {level}", WD_STYLE_TYPE.PARAGRAPH)
    document.add_paragraph("Hoofdstuk", style="Kop 1")
    document.add_paragraph("Paragraaf", style="Kop 2")
    numbered = document.add_paragraph("genummerd door Word")
    numbered._p.get_or_add_pPr().get_or_add_numPr().get_or_add_numId().val = 1
    draft = parse_docx(docx_bytes(document))
    assert numbers_and_headings(draft) == [("1", 1, "Hoofdstuk"), ("1.1", 2, "Paragraaf")]
    assert draft.sections[1].body_md == "- genummerd door Word"


@pytest.mark.once
def test_docx_without_headings_or_text():
    document = docx.Document()
    document.add_paragraph("Alleen tekst.")
    with pytest.raises(DraftFormatError) as caught:
        parse_docx(docx_bytes(document))
    assert caught.value.kind == "no_headings"
    with pytest.raises(DraftFormatError) as caught:
        parse_docx(docx_bytes(docx.Document()))
    assert caught.value.kind == "empty"


@pytest.mark.once
def test_files_that_are_not_docx():
    not_a_docx = io.BytesIO()
    with zipfile.ZipFile(not_a_docx, "w") as archive:
        archive.writestr("notities.txt", "geen Word")
    for data in (b"\x00\xffwillekeurige bytes" * 50, b"PK\x03\x04kapot", not_a_docx.getvalue()):
        with pytest.raises(DraftFormatError) as caught:
            parse_docx(data)
        assert caught.value.kind == "not_docx"


# --- the word diff --------------------------------------------------------------------------

@pytest.mark.once
def test_word_diff_marks_replaced_words():
    assert word_diff_html("de kat zat", "de hond zat") == "de <del>kat</del><ins>hond</ins> zat"
    assert word_diff_html("een twee drie", "vier vijf drie") == "<del>een twee</del><ins>vier vijf</ins> drie"


@pytest.mark.once
def test_word_diff_pure_insertion_and_deletion():
    assert word_diff_html("", "nieuw") == "<ins>nieuw</ins>"
    assert word_diff_html("weg", "") == "<del>weg</del>"
    assert word_diff_html("a c", "a b c") == "a <ins>b </ins>c"
    assert word_diff_html("a b c", "a c") == "a <del>b </del>c"


@pytest.mark.once
def test_word_diff_escapes_everything():
    result = word_diff_html("x & y <b>", "x & y <script>alert('1')</script>")
    assert type(result) is str
    assert "<script>" not in result and "<b>" not in result
    assert result.startswith("x &amp; y ")
    assert "<del>&lt;b&gt;</del>" in result
    assert "<ins>&lt;script&gt;alert(&#39;1&#39;)&lt;/script&gt;</ins>" in result


@pytest.mark.once
def test_word_diff_newlines_become_breaks():
    assert word_diff_html("een\r\ntwee", "een\nTWEE") == "een<br>\n<del>twee</del><ins>TWEE</ins>"
    assert word_diff_html("zelfde\ntekst", "zelfde\ntekst") == "zelfde<br>\ntekst"


@pytest.mark.once
def test_has_changes_ignores_whitespace():
    assert not has_changes("een  twee\n", " een\ntwee")
    assert has_changes("een twee", "een drie")
