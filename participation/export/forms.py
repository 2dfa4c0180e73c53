"""The export page's options."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import RadioField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired

from ..core.forms import BaseForm

FORMAT_LABELS = {
    "docx": _l("Word (DOCX): to attach to the council proposal, editable"),
    "pdf": _l("PDF: ready to publish, with page numbers"),
    "html": _l("Web page (HTML): one file to open in any browser"),
    "xlsx": _l("Excel (XLSX): one row per contribution or reaction, to sort and filter"),
    "csv": _l("CSV: one row per contribution or reaction"),
    "json": _l("JSON: the whole document as data"),
}


class ExportForm(BaseForm):
    version = RadioField(_l("Version"), default="public", validators=[InputRequired()],
                         choices=[SelectChoice("public",
                                               _l("Public: for the council and the website")),
                                  SelectChoice("internal", _l("Internal: for the project team"))])
    language = RadioField(_l("Language of the document"), validators=[InputRequired()],
                          choices=[SelectChoice("nl", "Nederlands"),
                                   SelectChoice("en", "English")])
    format = RadioField(_l("Format"), default="docx", validators=[InputRequired()],
                        choices=[SelectChoice(k, v) for k, v in FORMAT_LABELS.items()])
