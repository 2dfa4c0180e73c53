"""The DOCX package: the zip of parts around the body ([Content_Types].xml, relationships,
styles, settings, numbering, headers and footers, document properties), rendered from the
templates beside this module; and the lists and links the body registers as it is written."""
from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable, ItemsView, Iterator
from pathlib import Path
from typing import IO, NamedTuple
from urllib.parse import quote

import jinja2
from flask_babel import get_locale
from markupsafe import Markup

from ..builder import ParticipationDocument
from . import wordml
from .wordml import clean, escape, field, run, runs

_TEMPLATES = Path(__file__).with_name("templates")
_DECLARATION = "<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n"
_BODY = "word/document.xml"
_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml"


class Part(NamedTuple):
    name: str
    template: str
    content_type: str
    fixed: bool = False  #: the template file is the part as it is, XML declaration included


# In the order of the zip after [Content_Types].xml and document.xml. The fixed parts are
# those of python-docx's template (which Word 2010 wrote) that nothing here changes.
PARTS = (
    Part("_rels/.rels", "package_rels.xml", ""),
    Part("docProps/core.xml", "core.xml",
         "application/vnd.openxmlformats-package.core-properties+xml"),
    Part("docProps/app.xml", "app.xml",
         "application/vnd.openxmlformats-officedocument.extended-properties+xml"),
    Part("word/_rels/document.xml.rels", "document_rels.xml", ""),
    Part("word/styles.xml", "styles.xml", f"{_MAIN}.styles+xml"),
    Part("word/settings.xml", "settings.xml", f"{_MAIN}.settings+xml"),
    Part("word/webSettings.xml", "web_settings.xml", f"{_MAIN}.webSettings+xml", fixed=True),
    Part("word/fontTable.xml", "font_table.xml", f"{_MAIN}.fontTable+xml", fixed=True),
    Part("word/theme/theme1.xml", "theme.xml",
         "application/vnd.openxmlformats-officedocument.theme+xml", fixed=True),
    Part("word/numbering.xml", "numbering.xml", f"{_MAIN}.numbering+xml"),
    Part("word/header1.xml", "header.xml", f"{_MAIN}.header+xml"),
    Part("word/footer1.xml", "footer.xml", f"{_MAIN}.footer+xml"),
    Part("word/header2.xml", "header.xml", f"{_MAIN}.header+xml"),
    Part("word/footer2.xml", "footer.xml", f"{_MAIN}.footer+xml"),
)
_DOCUMENT = Part(_BODY, "document.xml", f"{_MAIN}.document.main+xml")
_CONTENT_TYPES = Part("[Content_Types].xml", "content_types.xml", "")


# --- what the body refers to in other parts ---------------------------------------------------

class Numbering:
    """The list instances of numbering.xml: one for all bulleted lists, and one per numbered
    list, so that every numbered list starts at 1 in Word as in LibreOffice."""

    BULLETS, NUMBERS = 0, 1  #: the two list definitions (w:abstractNum)

    def __init__(self) -> None:
        self.bullets = 1  #: the instance (w:numId) of every bulleted list
        self._levels: list[int] = []  #: per numbered list, the level it is at

    def numbered(self, level: int) -> int:
        """A new numbered list at `level`, restarting at 1."""
        self._levels.append(level)
        return self.bullets + len(self._levels)

    def numbered_lists(self) -> Iterator[tuple[int, int]]:
        """(instance, level) of each numbered list."""
        return enumerate(self._levels, self.bullets + 1)


class Links:
    """External hyperlinks: one relationship of document.xml per distinct target."""

    def __init__(self) -> None:
        self._ids: dict[str, str] = {}

    def rid(self, url: str) -> str | None:
        # Word rejects a file whose link targets are not valid URIs: encode spaces and the like.
        target = quote(clean(url.strip()), safe=":/?#[]@!$&'()*+,;=%~")
        if not target:
            return None
        if target not in self._ids:
            self._ids[target] = f"rIdLink{len(self._ids) + 1}"
        return self._ids[target]

    def items(self) -> ItemsView[str, str]:
        """(target, relationship id), in the order they were first linked."""
        return self._ids.items()


# --- templates --------------------------------------------------------------------------------

# A line break with the indentation around it, next to a tag or a template block.
_LAYOUT_AT_TAG = re.compile(r"(?<=[>}])[ \t]*\n\s*|[ \t]*\n\s*(?=[<{])")
_LAYOUT = re.compile(r"[ \t]*\n\s*")


class _Loader(jinja2.FileSystemLoader):
    """The templates are laid out to be read; the parts are written as Word writes them,
    without white space between elements. So a line break and the indentation around it go
    where they touch a tag or a template block, and become one space elsewhere (between the
    attributes of a tag written over several lines). No template has text that spans lines."""

    def get_source(self, environment, template):
        source, filename, uptodate = super().get_source(environment, template)
        return _LAYOUT.sub(" ", _LAYOUT_AT_TAG.sub("", source)), filename, uptodate


def _xml(made_here: str) -> Markup:
    """XML made here for a template to print as it is."""
    # Safe to mark: wordml escapes every text it puts in (and _xml_value escapes the rest).
    return Markup(made_here)  # nosec B704


def _xml_value(value) -> Markup:
    """What a template prints: XML made here (Markup) as it is, anything else escaped for an
    XML text or attribute value. (Jinja's own autoescape is HTML's, which writes &#39;.)"""
    if isinstance(value, Markup):
        return value
    return _xml(escape(str(value)).replace('"', "&quot;"))


_ENVIRONMENT = jinja2.Environment(
    loader=_Loader(_TEMPLATES), autoescape=True, finalize=_xml_value,
    undefined=jinja2.StrictUndefined)
# The house style's colours and measures, under the names they have in wordml.
_ENVIRONMENT.globals.update(
    {name: getattr(wordml, name) for name in (
        "BLUE", "GREY", "LINK", "RESPONSE_FILL", "FONT", "MONO", "PAGE_WIDTH", "PAGE_HEIGHT",
        "SIDE_MARGIN", "TEXT_WIDTH", "LIST_INDENT", "MAX_LEVEL", "RESPONSE_INDENT",
        "QUOTE_INDENT")},
    twips=wordml.twips)


def _render(part: Part, **context) -> bytes:
    if part.fixed:
        return (_TEMPLATES / part.template).read_bytes()
    xml = _ENVIRONMENT.get_template(part.template).render(**context)
    return (_DECLARATION + xml).encode("utf-8")


# --- the package ------------------------------------------------------------------------------

def write(document: ParticipationDocument, words: dict,
          body: Callable[[Numbering, Links, IO[bytes]], None]) -> bytes:
    """The DOCX file. `body` writes the paragraphs of document.xml into its zip entry as it
    makes them (memory stays flat however long the document gets), registering the lists and
    links it uses; the parts that list those come after it in the zip."""
    numbering, links = Numbering(), Links()
    # A marker where the body goes, to split the rendered document.xml around it.
    marker = "\x00body\x00"
    before_body, after_body = _render(_DOCUMENT, body=_xml(marker)).split(
        marker.encode("utf-8"))

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as package:
        # [Content_Types].xml first, as Word writes it (file-type sniffers look for it there).
        package.writestr(_CONTENT_TYPES.name, _render(
            _CONTENT_TYPES, parts=[p for p in (_DOCUMENT, *PARTS) if p.content_type]))
        entry = zipfile.ZipInfo(_BODY, date_time=document.generated_at.timetuple()[:6])
        entry.compress_type = zipfile.ZIP_DEFLATED
        with package.open(entry, "w") as stream:
            stream.write(before_body)
            body(numbering, links, stream)
            stream.write(after_body)
        context = _context(document, words, numbering, links)
        for part in PARTS:
            package.writestr(part.name, _render(part, **context.get(part.name, {})))
    return out.getvalue()


def _context(document: ParticipationDocument, words: dict, numbering: Numbering,
             links: Links) -> dict[str, dict]:
    """What each templated part shows, by part name."""
    title = clean(f"{words['document']} – {document.process_title}")
    page = (runs(words["page"] + " ") + field("PAGE", runs("1"))
            + runs(" " + words["of"] + " ") + field("NUMPAGES", runs("1")))
    # The document's language: for screen readers and spelling (the styles' default), and in
    # the file's properties, where checkers and search look for it.
    language = "nl-NL" if str(get_locale()).startswith("nl") else "en-GB"
    return {
        "docProps/core.xml": {
            "title": title, "subject": clean(document.process_title),
            "author": clean(document.municipality), "language": language,
            "created": document.generated_at.strftime("%Y-%m-%dT%H:%M:%SZ")},
        "docProps/app.xml": {"title": title},
        "word/_rels/document.xml.rels": {"links": links},
        "word/styles.xml": {"language": language},
        "word/settings.xml": {"language": language},
        "word/numbering.xml": {"numbering": numbering},
        # 1: the title page's, empty; 2: every other page's.
        "word/header1.xml": {"content": ""},
        "word/footer1.xml": {"content": ""},
        "word/header2.xml": {"content": _xml(run(title))},
        "word/footer2.xml": {"content": _xml(page)},
    }
