"""The participation document as a Word file (DOCX), in the structure and words of the HTML/PDF.

The body is written as WordprocessingML text straight into the zip entry of document.xml as it
is made (document.py, with wordml.py's runs, paragraphs and tables, and from_html.py for the
users' cleaned HTML): a document tree of 15,000 items, python-docx's or lxml's, is too slow and
too big, while text written as it goes keeps the memory flat. The chapters after the table of
contents pass through a temporary file first, so that the contents, filled in when the file is
made, list exactly the headings written. The parts around the body (styles, numbering,
settings, headers and footers, properties) come from the templates in templates/ (package.py).
"""
from __future__ import annotations

from .. import labels
from ..builder import ParticipationDocument
from . import package
from .document import Writer

__all__ = ["to_docx"]


def to_docx(document: ParticipationDocument) -> bytes:
    """The document as DOCX bytes; call inside `force_locale(language)` for the words."""
    words = labels.labels()
    return package.write(document, words, lambda numbering, links, stream: Writer(
        document, words, numbering, links, stream).write())
