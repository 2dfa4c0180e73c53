"""Finding personal data in Dutch input: names, phone numbers, e-mail and street addresses,
postcodes. Plain functions on text; no database, no Flask.

Names come from deduce's Dutch name lists (first names, surnames, interfixes; read from the
`deduce` package's data files) with our own rules around them; phone numbers, e-mail
addresses, postcodes and addresses from our own patterns. deduce's own pipeline (`Deduce()`)
is not run in the site: it loads 1.1 GB of lookup structures per process in ~37 s and is made
for medical records (it takes "Van der Valk" in "Van der Valk hotel" for a person); see the
README's figures.
"""
from __future__ import annotations

import enum
import functools
import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

DATA = Path(__file__).parent / "data"


class Kind(enum.Enum):
    name = "name"
    phone = "phone"
    email = "email"
    address = "address"
    postcode = "postcode"


#: What replaces each kind in the published text. Dutch whatever the reader's language: the
#: published text is the author's Dutch text.
PLACEHOLDERS = {Kind.name: "[naam]", Kind.phone: "[telefoonnummer]",
                Kind.email: "[e-mailadres]", Kind.address: "[adres]",
                Kind.postcode: "[postcode]"}


@dataclass(frozen=True)
class Finding:
    start: int
    end: int
    kind: Kind
    text: str

    def as_dict(self) -> dict:
        return {"start": self.start, "end": self.end, "kind": self.kind.value,
                "text": self.text}

    @classmethod
    def from_dict(cls, data: dict) -> Finding:
        return cls(int(data["start"]), int(data["end"]), Kind(data["kind"]), str(data["text"]))


def _own_list(name: str) -> frozenset[str]:
    lines = (DATA / name).read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().lower() for line in lines
                     if line.strip() and not line.startswith("#"))


def _deduce_list(name: str, folder: str = "names") -> frozenset[str]:
    path = resources.files("deduce") / "data" / "lookup" / "src" / folder / name / "items.txt"
    lower = folder == "whitelist"  # its common words are compared in lower case
    lines = path.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().lower() if lower else line.strip() for line in lines
                     if line.strip())


@dataclass(frozen=True)
class Lists:
    first_names: frozenset[str]
    surnames: frozenset[str]  #: with the surnames that follow an interfix ("Vries", "Berg")
    interfixes: frozenset[str]  #: lower case, one or more words ("van", "van der")
    not_names: frozenset[str]
    municipal: frozenset[str]
    business: frozenset[str]
    common: frozenset[str]  #: ordinary Dutch words (deduce's whitelist and our own)


@functools.cache
def lists() -> Lists:
    """Loaded once per process (about 25,000 names, a few MB, well under a second)."""
    return Lists(first_names=_deduce_list("lst_first_name"),
                 surnames=_deduce_list("lst_surname") | _deduce_list("lst_interfix_surname"),
                 interfixes=frozenset(i.lower() for i in _deduce_list("lst_interfix")),
                 not_names=_own_list("not_names.txt"), municipal=_own_list("municipal_terms.txt"),
                 business=_own_list("business_words.txt"),
                 common=_deduce_list("lst_common_word", "whitelist") | _own_list("not_names.txt"))


# --- patterns ------------------------------------------------------------------------------

EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[a-z]{2,}(?![\w-])", re.I)
# Ten digits from 0 (or +31/0031 and nine), separated at most by one space, dash (or en dash), dot or
# parentheses between groups: 06-12345678, 06 1234 5678, 020-123 45 67, (0592) 36 65 55.
_SEP = r"(?:\s?[-–.]?\s?|\)\s?)"
# Not inside a longer code or reference ("m12-013-7901249e", "ref-0201234567b"): a phone number
# stands on its own, so no letter, digit or dash-joined word right before it, no letter or digit
# right after.
PHONE = re.compile(r"(?<![\w+])(?<!\w-)(?:(?:\+|00)31\s?(?:\(0\)\s?)?|\(?0)"
                   r"[1-9](?:" + _SEP + r"\d){8}(?!\w)")
POSTCODE = re.compile(r"(?<!\d)[1-9]\d{3}\s?(?!SA|SD|SS)[A-Z]{2}(?![\w])")
_STREET_SUFFIX = (r"(?:straat|laan|weg|plein|gracht|kade|singel|dijk|pad|hof|dreef|steeg|"
                  r"markt|baan|ring|wal|dwarsweg|erf|brink|park|plantsoen|boulevard|allee|"
                  r"wijk|veld|weide|es|oord|horst|zoom|donk|kamp|dennen|akker)")
# "Kerkstraat 12", "Van Goghstraat 3a", "Burgemeester Jollesstraat 12-2", "Oude Molenstraat 4 B"
ADDRESS = re.compile(
    # words before the street's own ("Jan van Galenstraat"); not "van de" ("Jan Jansen van
    # de Kerkstraat 12" is a man of that street)
    r"(?<![\w])(?:[A-Z][\w'’-]*\s(?:(?:van(?: der| den)?|ten|ter|'t)\s)?){0,3}"
    r"[A-Z][\w'’-]*" + _STREET_SUFFIX + r"\s\d{1,4}(?:\s?[a-zA-Z](?![\w])|-\d{1,3})?(?![\d,.]\d)")

WORD = re.compile(r"[^\W\d_][\w'’-]*\.?", re.UNICODE)
INITIALS = re.compile(r"(?:[A-Z]\.){1,4}$")
TITLES = frozenset({"mevrouw", "mevr.", "mw.", "meneer", "mijnheer", "dhr.", "heer",
                    "familie", "fam.", "buurman", "buurvrouw", "buurjongen", "buurmeisje",
                    "collega", "dochter", "zoon", "vriend", "vriendin", "echtgenoot",
                    "echtgenote", "partner"})
#: Words after which the next capitalised word is a name, even alone ("ik ben Ria").
INTRODUCTIONS = (re.compile(r"(?:mijn naam is|ik ben|ik heet|ondergetekende,?|groet(?:en)?,?"
                            r"|groetjes,?|namens)\s*$", re.I))


@dataclass
class _Word:
    start: int
    end: int
    text: str

    @property
    def bare(self) -> str:
        return self.text.rstrip(".")

    @property
    def capitalised(self) -> bool:
        return self.text[:1].isupper()


def _words(text: str) -> list[_Word]:
    return [_Word(m.start(), m.end(), m.group()) for m in WORD.finditer(text)]


def _interfix_at(words: list[_Word], i: int, text: str, known: frozenset[str]) -> int:
    """How many words from i form an interfix ("van", "van der", "in 't"): 0 if none."""
    for length in (3, 2, 1):
        if i + length <= len(words):
            chunk = text[words[i].start:words[i + length - 1].end].lower()
            if " ".join(chunk.split()) in known:
                return length
    return 0


#: A word that is a street's name, never a surname (the plain suffixes only: "Vries" ends in -es).
STREET_WORD = re.compile(r"\w{2,}(?:straat|laan|weg|plein|gracht|kade|singel|steeg|dreef|"
                         r"plantsoen|boulevard)$")


def _surname_like(word: _Word, known: Lists) -> bool:
    return (word.capitalised and len(word.bare) > 1 and not word.text.endswith(".")
            and not STREET_WORD.match(word.bare)  # "van de Kerkstraat": a street
            and word.bare.lower() not in known.municipal and word.bare.lower() not in known.business)


def _unusual(word: _Word, known: Lists) -> bool:
    """A capitalised word after a first name that is no Dutch word we know of: a surname
    from elsewhere ("Yilmaz", "Meijer")."""
    return word.bare.lower() not in known.common and word.bare.lower() not in known.not_names


def _names(text: str, known: Lists) -> list[tuple[int, int]]:
    words = _words(text)
    spans: list[tuple[int, int]] = []
    i = 0
    while i < len(words):
        w = words[i]
        lower = w.text.lower()
        start = None
        j = i
        if lower in TITLES or lower.rstrip(".") in TITLES:
            j = i + 1  # the name begins after the title
            start = "title"
        elif INITIALS.match(w.text) and i + 1 < len(words):
            start = "initials"
        elif (w.capitalised and (w.bare in known.first_names or w.bare in known.surnames)
              and INTRODUCTIONS.search(text[max(0, w.start - 30):w.start])):
            # a known name ("namens Ondernemend Assen" is an organisation)
            start = "introduced"
        elif (w.capitalised and w.bare in known.first_names and lower not in known.interfixes
              and w.bare.lower() not in known.not_names):
            start = "first"
        if start is None:
            i += 1
            continue
        # Walk over the name: initials, first names, an interfix, capitalised surname words.
        k = j
        while k < len(words) and INITIALS.match(words[k].text):
            k += 1
        if start in ("first", "introduced"):
            k = max(k, i + 1)
            while (k < len(words) and words[k].capitalised and words[k].bare in known.first_names
                   and words[k].bare.lower() not in known.interfixes
                   and text[words[k - 1].end:words[k].start].strip() == ""
                   # a first name that is also a surname ("Jansen") ends the name
                   and k + 1 < len(words) and (words[k + 1].capitalised or _interfix_at(
                       words, k + 1, text, known.interfixes))
                   and text[words[k].end:words[k + 1].start].strip() == ""):
                k += 1
        fix = _interfix_at(words, k, text, known.interfixes)
        surname_end = k + fix
        if (surname_end < len(words) and _surname_like(words[surname_end], known)
                and "\n" not in text[words[surname_end - 1].end:words[surname_end].start]
                and (start != "first" or fix or words[surname_end].bare in known.surnames
                     or _unusual(words[surname_end], known))):
            end = surname_end + 1
            # "Veenstra-de Jong": a surname joined to an interfix and the next surname.
            tail = words[end - 1].text.rsplit("-", 1)
            if (len(tail) == 2 and tail[1].lower() in known.interfixes and end < len(words)
                    and words[end].capitalised):
                end += 1
            # A double surname: "Jansen-de Vries" is one word; "Smit Bakker" two.
            if (end < len(words) and words[end].bare in known.surnames
                    and text[words[end - 1].end:words[end].start] == " "):
                end += 1
        elif start == "introduced" or (start == "title" and k > j):
            end = max(k, i + 1)
        else:
            i += 1
            continue
        first = words[j] if start == "title" else words[i]
        last = words[end - 1]
        if not _public_or_business(text, words, i, end, known):
            spans.append((first.start, last.end - (1 if last.text.endswith(".")
                                                   and not INITIALS.match(last.text) else 0)))
        i = end
    return spans


def _public_or_business(text: str, words: list[_Word], i: int, end: int, known: Lists) -> bool:
    """A municipal office before the name ("wethouder De Vries"), or a business word next to
    it ("Van der Valk hotel", "Bakkerij Jansen", "Jansen B.V."): not a resident's name."""
    before = words[i - 1].text.lower() if i > 0 else ""
    after = words[end].text.lower() if end < len(words) else ""
    return (before in known.municipal or before in known.business
            or after.rstrip(".") in known.business or after in known.business
            or any(w.text.lower() in known.business for w in words[i:end]))


def find(text: str, *, keep: tuple[str, ...] = ()) -> list[Finding]:
    """The personal data in `text`, in order, not overlapping. `keep`: names that are the
    stakeholder's own (their organisation's name): what lies inside them is not a finding."""
    if not text:
        return []
    known = lists()
    raw: list[tuple[int, int, Kind]] = []
    raw += [(m.start(), m.end(), Kind.email) for m in EMAIL.finditer(text)]
    raw += [(m.start(), m.end(), Kind.phone) for m in PHONE.finditer(text)]
    raw += [(m.start(), m.end(), Kind.postcode) for m in POSTCODE.finditer(text)]
    raw += [(m.start(), m.end(), Kind.address) for m in ADDRESS.finditer(text)]
    raw += [(s, e, Kind.name) for s, e in _names(text, known)]
    kept = [(m.start(), m.end()) for own in keep if own and len(own) > 2
            for m in re.finditer(re.escape(own), text, re.I)]
    # Patterns before names (an address holds capitalised words), longer before shorter.
    order = {Kind.email: 0, Kind.phone: 1, Kind.postcode: 2, Kind.address: 3, Kind.name: 4}
    raw.sort(key=lambda f: (order[f[2]], f[0], -(f[1] - f[0])))
    taken: list[tuple[int, int]] = []
    findings = []
    for start, end, kind in raw:
        if any(start < e and s < end for s, e in taken):
            continue
        if any(s <= start and end <= e for s, e in kept):
            continue
        taken.append((start, end))
        findings.append(Finding(start, end, kind, text[start:end]))
    return sorted(findings, key=lambda f: f.start)


def redact(text: str, findings: list[Finding]) -> str:
    """`text` with each finding replaced by its placeholder."""
    out, at = [], 0
    for f in sorted(findings, key=lambda f: f.start):
        if f.start < at or text[f.start:f.end] != f.text:
            continue  # not of this text (it changed since): left as it is
        out += [text[at:f.start], PLACEHOLDERS[f.kind]]
        at = f.end
    out.append(text[at:])
    return "".join(out)
