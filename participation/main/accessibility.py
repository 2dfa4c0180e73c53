"""The figures of the accessibility statement (/toegankelijkheid), in one place: whoever runs the
checks for a release writes their results here, and the page says what they mean."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import Enum


class Compliance(Enum):
    """How the site complies with WCAG 2.1 level AA, in the words of the Dutch model statement."""
    full = "full"  # voldoet volledig: no deviation found
    partial = "partial"  # voldoet gedeeltelijk: deviations known, each named on the page
    not_compliant = "not"  # voldoet niet


@dataclass(frozen=True)
class Figures:
    #: The day the checks below were run.
    measured_on: date
    #: Runs of axe-core (4.x, WCAG 2.1 A and AA) in the browser tests: a page in several states
    #: (empty, with errors, filled in) counts once per state (`assert_accessible` in tests/).
    axe_checks: int
    axe_violations: int
    #: Pages given to the Nu HTML Checker, and the errors it found on them.
    html_pages: int
    html_errors: int
    html_pages_with_errors: int
    #: Pages that scroll sideways at 320 CSS pixels wide (WCAG 1.4.10).
    narrow_pages_scrolling: int
    #: Tab presses from the moderation queue's first item to its bulk action (2.1.1, 2.4.3).
    queue_tabs_to_bulk_action: int
    #: `pdfua check` on the participation document's PDF: errors (warnings are not counted).
    pdf_errors: int
    pdf_warnings: int
    #: Whether the PDF's tables mark their first column as row headers (TH, Row scope): Typst
    #: can, but only with a flag the typst package cannot switch on yet (1.3.1).
    pdf_row_headers: bool
    #: The Word file as LibreOffice opens it: a filled table of contents, the language set.
    docx_contents_filled: bool
    docx_language_set: bool

    @property
    def compliance(self) -> Compliance:
        """Full only when no check found anything; uploads by participants are never checked,
        but they are the participants' own content, named as a limitation on the page."""
        clean = (self.axe_violations == 0 and self.html_errors == 0 and self.pdf_errors == 0
                 and self.narrow_pages_scrolling == 0 and self.queue_tabs_to_bulk_action <= 5
                 and self.docx_contents_filled and self.docx_language_set
                 and self.pdf_row_headers)
        return Compliance.full if clean else Compliance.partial


#: Measured on main of 1 December 2026 (issue 16 merged), with the demo process and the test
#: suite on SQLite: `assert_accessible` ran 205 times on 75 distinct pages, 0 violations; the
#: Nu HTML Checker 26.9.27 checked 514 documents the browser tests were sent, on 219 distinct
#: paths (the XSS journey's pages of attack vectors included): 0 errors, 88 warnings; no page
#: scrolls sideways at 320 px; the queue's bulk action 2 Tab presses from the first item (101
#: before); `pdfua check` 0.1.3 on the demo's PDF, Dutch and English: no finding; the DOCX
#: converted by LibreOffice shows the filled contents and nl-NL.
MEASURED = Figures(
    measured_on=date(2026, 12, 1),
    axe_checks=205,
    axe_violations=0,
    html_pages=219,
    html_errors=0,
    html_pages_with_errors=0,
    narrow_pages_scrolling=0,
    queue_tabs_to_bulk_action=2,
    pdf_errors=0,
    pdf_warnings=0,
    pdf_row_headers=False,
    docx_contents_filled=True,
    docx_language_set=True,
)
