"""Which earlier section a section of a new draft version continues: by number and heading, else
by how alike text and heading are, each earlier section at most once."""
from __future__ import annotations

import random
import re
from dataclasses import dataclass

import pytest

from participation.demo.content import DRAFT_V1_MD, DRAFT_V2_MD
from participation.drafts.matching import THRESHOLD, match_sections
from participation.drafts.parsing import parse_markdown


@dataclass
class Text:
    id: int
    number: str
    heading: str
    body_md: str


def sections(markdown: str, first_id: int) -> list[Text]:
    return [Text(first_id + n, s.number, s.heading, s.body_md)
            for n, s in enumerate(parse_markdown(markdown).sections)]


def pairs(new: list[Text], earlier: list[Text]) -> dict[str, tuple[str, bool] | None]:
    """New section number -> (earlier section number, found by text) or None."""
    number = {s.id: s.number for s in earlier}
    found = match_sections(new, earlier)
    return {s.number: (number[found[s.id].earlier_id], found[s.id].by_text) if found[s.id]
            else None for s in new}


@pytest.mark.once
def test_the_renamed_demo_section_with_changed_text_continues_its_earlier_version():
    """Issue 13, finding 4: "Krachtsectoren" became "Krachtsectoren en logistiek" and got a
    sentence more; it continues 3.2, the others continue theirs, and 6.1 is new."""
    v1 = sections(DRAFT_V1_MD, 1)
    v2 = sections(DRAFT_V2_MD.replace("## Krachtsectoren\n", "## Krachtsectoren en logistiek\n"),
                  100)
    found = pairs(v2, v1)
    assert found["3.2"] == ("3.2", True)
    assert found["6.1"] is None
    assert {n: p for n, p in found.items() if n not in ("3.2", "6.1")} == {
        s.number: (s.number, False) for s in v1 if s.number != "3.2"}


@pytest.mark.once
def test_a_section_whose_text_moved_to_another_number_is_found():
    """A new chapter pushes "Arbeidsmarkt" from 3.4 to 4.1, renamed and with a line less: its
    text finds it; what moved with its number (the old 4 under the new 5) is found too."""
    v1 = sections(DRAFT_V1_MD, 1)
    text = DRAFT_V1_MD.replace("## Arbeidsmarkt\n", "# Werk en inkomen\n\nNieuw hoofdstuk.\n\n"
                               "## Personeel en vaardigheden\n")
    text = text.replace("- stimuleren we **leven lang ontwikkelen**, zodat werknemers kunnen "
                        "meegroeien met hun vak;\n", "")
    v2 = sections(text, 100)
    by_heading = {s.heading: s.number for s in v2}
    assert by_heading["Personeel en vaardigheden"] == "4.1"
    found = pairs(v2, v1)
    assert found["4.1"] == ("3.4", True)
    assert found["4"] is None  # the new chapter, "Nieuw hoofdstuk."
    assert found[by_heading["Energietransitie en digitalisering"]] == ("4", True)
    assert found[by_heading["Digitalisering"]] == ("4.2", True)


@pytest.mark.once
def test_a_new_section_proposes_none():
    v1 = sections(DRAFT_V1_MD, 1)
    v2 = sections(DRAFT_V1_MD + "\n# Cultuur en evenementen\n\nHet TT-circuit en de Drentse "
                  "Aa trekken elk jaar honderdduizenden bezoekers; samen met de horeca maken we "
                  "daar een programma van.\n", 100)
    found = pairs(v2, v1)
    assert found["7"] is None
    assert all(found[s.number] == (s.number, False) for s in v1)


@pytest.mark.once
def test_pairs_are_taken_most_alike_first_not_in_document_order():
    """The first new section resembles the old 2.1 a little more than the old 2.2; the second
    new section is the old 2.1 with a sentence added. Taking the new sections in order would
    give 2.1 to the first and leave the second without; the best pairs give each its own."""
    park = ("Bedrijventerreinen krijgen een parkmanager. We zetten in op beveiliging, groen en "
            "gezamenlijke inkoop van energie. Ondernemers betalen mee via een BIZ.")
    energy = ("Bedrijventerreinen krijgen een parkmanager die ondernemers samenbrengt. Samen "
              "kopen zij energie in en delen zij laadpalen en batterijen.")
    earlier = [Text(1, "2.1", "Parkmanagement", park),
               Text(2, "2.2", "Energie op bedrijventerreinen", energy)]
    first = Text(11, "2.1", "Parkmanagement en energie",
                 "Bedrijventerreinen krijgen een parkmanager. We zetten in op gezamenlijke inkoop "
                 "van energie. Samen kopen ondernemers energie in en delen zij laadpalen en "
                 "batterijen.")
    second = Text(12, "2.2", "Parkmanagement op bedrijventerreinen",
                  park + " De eerste BIZ start in 2027.")
    assert match_sections([first], earlier)[11].earlier_id == 1  # alone, it would take 2.1
    found = match_sections([first, second], earlier)
    assert (found[11].earlier_id, found[12].earlier_id) == (2, 1)
    assert found[12].score > found[11].score >= THRESHOLD


@pytest.mark.once
def test_each_earlier_section_is_continued_once():
    earlier = [Text(1, "1", "Wonen", "Woningen bouwen bij het station, betaalbaar en groen.")]
    new = [Text(11, "1", "Bouwen", "Woningen bouwen bij het station, betaalbaar en groen."),
           Text(12, "2", "Bouwen bij het station", "Woningen bouwen bij het station, betaalbaar.")]
    found = match_sections(new, earlier)
    assert [m.earlier_id for m in found.values() if m] == [1]
    assert found[11].earlier_id == 1  # the same text and number beats a shorter copy


@pytest.mark.once
def test_headings_without_text_must_nearly_agree():
    """Chapters often have no text of their own: then only the heading tells, and a chapter
    that is merely about the same subject is not taken for it."""
    earlier = [Text(1, "3", "Ambities per thema", ""), Text(2, "4", "Uitvoering", "")]
    new = [Text(11, "2", "Ambities per thema en sector", ""), Text(12, "3", "Financiën", "")]
    found = match_sections(new, earlier)
    assert found[11].earlier_id == 1 and found[11].by_text
    assert found[12] is None


@pytest.mark.once
def test_a_hundred_renamed_and_shuffled_sections_find_their_predecessors():
    """The worst case the preview meets: 100 sections, every heading changed, order shuffled,
    a third of the words replaced by words of the same document (bench/draft_matching.py
    times it)."""
    vocabulary = sorted(set(re.findall(r"\w+", DRAFT_V1_MD.casefold())))
    rng = random.Random(13)

    def words(n: int) -> str:
        return " ".join(rng.choice(vocabulary) for _ in range(n))
    earlier = [Text(n, str(n + 1), words(3), words(rng.randint(80, 250))) for n in range(100)]
    order = list(range(100))
    rng.shuffle(order)
    new = []
    for position, n in enumerate(order):
        body = [rng.choice(vocabulary) if rng.random() < 0.3 else word
                for word in earlier[n].body_md.split()]
        new.append(Text(1000 + position, str(position + 1), earlier[n].heading + " " + words(1),
                        " ".join(body)))
    found = match_sections(new, earlier)
    assert [found[1000 + position].earlier_id for position in range(100)] == order
