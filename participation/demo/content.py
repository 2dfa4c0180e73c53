"""The demo's texts and facts, read from the files in `data/` into plain values (no database).

`data/` holds:

- `organisations.yaml`: the organisations the team knows, and the people waiting for it;
- per process a folder (`economische-agenda/`, `binnenstad/`) with
  - `process.md`: title, summary, contact and themes in the front matter, the introduction below;
  - `contributions/*.md`: round 1 input in the order of the file names, each by an
    `organisation` or a `resident`; one with an `offline_source` was given outside the site and
    typed in by the project team; `theme` is a theme's title;
  - `draft/*.md`: the draft agenda, a section a file, in the order of the number that starts the
    name (the number the site gives the section; 0 is the text before the first heading). A
    version's folder (`draft/v1/`, `draft/v2/`) holds the sections that version words its own
    way, under the same name, and those only it has; the others both versions share;
  - `comments/*.md`: comments on version 1 of the draft, named by their key (`reply_to` names the
    comment answered); without an `organisation` the writer is a resident, `by_team` is the team.

A Markdown file's front matter is YAML between two `---` lines at its top; its text follows as
written, a paragraph a line, as a participant would have typed it.
"""
from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from importlib.resources.abc import Traversable

import yaml

DATA = resources.files(__package__) / "data"


@dataclass(frozen=True)
class KnownOrganisation:
    name: str
    kind: str  #: an OrganisationKind value
    sector: str


@dataclass(frozen=True)
class PendingMember:
    """Someone waiting for the team to confirm they take part for `organisation`."""
    organisation: str
    name: str
    email: str
    role: str
    kvk: str | None = None
    #: Kind and sector of an organisation this person registered (new to the team).
    kind: str | None = None
    sector: str | None = None


@dataclass(frozen=True)
class Organisations:
    known: list[KnownOrganisation]
    new_organisations: list[PendingMember]
    new_members: list[PendingMember]


@dataclass(frozen=True)
class ProcessText:
    slug: str
    title: str
    summary: str
    contact: str
    intro_md: str
    themes: list[tuple[str, str]]  #: (title, description)


@dataclass(frozen=True)
class ContributionText:
    title: str
    theme: str
    body_md: str
    days_after_opening: float  #: of the input round
    organisation: str | None = None
    resident: str | None = None
    offline_source: str | None = None


@dataclass(frozen=True)
class CommentText:
    key: str
    section: str  #: its number, e.g. "3.2"
    body_md: str
    hours_after_publication: float  #: of the draft
    organisation: str | None = None
    reply_to: str | None = None
    by_team: bool = False


def organisations() -> Organisations:
    data = yaml.safe_load((DATA / "organisations.yaml").read_text(encoding="utf-8"))
    return Organisations(known=[KnownOrganisation(**o) for o in data["known"]],
                         new_organisations=[PendingMember(**p) for p in data["new_organisations"]],
                         new_members=[PendingMember(**p) for p in data["new_members"]])


def process(folder: str) -> ProcessText:
    fields, intro_md = _read(DATA / folder / "process.md")
    themes = [(t["title"], t["description"]) for t in fields.pop("themes")]
    return ProcessText(**fields, intro_md=intro_md, themes=themes)


def contributions(folder: str) -> list[ContributionText]:
    return [ContributionText(**fields, body_md=body)
            for fields, body in map(_read, _markdown_files(DATA / folder / "contributions"))]


def comments(folder: str) -> list[CommentText]:
    """In the order they were written."""
    found = []
    for file in _markdown_files(DATA / folder / "comments"):
        fields, body = _read(file)
        found.append(CommentText(key=file.name.removesuffix(".md"), **fields, body_md=body))
    return sorted(found, key=lambda comment: comment.hours_after_publication)


def draft(folder: str, version: int) -> str:
    """The Markdown of draft version `version`: its own sections where it has them, else the
    shared ones, in the order of their numbers."""
    shared = DATA / folder / "draft"
    files = {file.name: file for file in _markdown_files(shared)}
    files.update((file.name, file) for file in _markdown_files(shared / f"v{version}"))
    ordered = sorted(files.values(), key=lambda file: _section_number(file.name))
    return "\n".join(file.read_text(encoding="utf-8") for file in ordered)


def _markdown_files(folder: Traversable) -> list[Traversable]:
    return sorted((f for f in folder.iterdir() if f.name.endswith(".md")), key=lambda f: f.name)


def _section_number(name: str) -> tuple[int, ...]:
    """`3.2-krachtsectoren.md` -> (3, 2): 3.10 comes after 3.9."""
    return tuple(int(part) for part in name.split("-", 1)[0].split("."))


def _read(file: Traversable) -> tuple[dict, str]:
    """A Markdown file's front matter and its text."""
    text = file.read_text(encoding="utf-8")
    if not text.startswith("---\n"):
        return {}, text
    front_matter, _, body = text.removeprefix("---\n").partition("\n---\n")
    return yaml.safe_load(front_matter) or {}, body


#: The demo agenda as published in round 2, and as changed after it (the tests and the
#: matching benchmark use both).
DRAFT_V1_MD = draft("economische-agenda", 1)
DRAFT_V2_MD = draft("economische-agenda", 2)
