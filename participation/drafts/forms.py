"""The team's draft upload form."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import TextAreaField
from wtforms.validators import Length

from ..core.forms import BaseForm


class DraftUploadForm(BaseForm):
    document = FileField(_l("Word file (.docx) or Markdown file (.md)"),
                         description=_l("Headings become numbered sections: Heading 1 gives "
                                        "chapters (1, 2, …), Heading 2 gives paragraphs (3.1, "
                                        "3.2, …)."))
    text = TextAreaField(_l("Or paste the draft as Markdown"), validators=[
        Length(max=500_000, message=_l("Use at most %(max)d characters."))],
        description=_l("# starts a chapter, ## a paragraph."))
