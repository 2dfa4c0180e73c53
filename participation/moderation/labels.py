"""The words for the municipality's dispositions and for the reasons of reports, in one place
for forms, pages, the dashboard and the participation document. Lazy: each is translated where
it is shown (the document in its own language, mail in the recipient's)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

#: Disposition value -> its name, in the order the team chooses from.
DISPOSITION_LABELS = {
    "adopted": _l("Adopted"),
    "partly": _l("Partly adopted"),
    "not_adopted": _l("Not adopted"),
    "noted": _l("Noted"),
    "already": _l("Already in the draft"),
}


#: Why a participant reports an item -> its name, in the order of the report form.
FLAG_LABELS = {
    "offensive": _l("Offensive or discriminating"),
    "personal_data": _l("Contains personal data of others"),
    "spam": _l("Advertising or spam"),
    "off_topic": _l("Not about this process"),
    "other": _l("Something else"),
}


def disposition_names() -> dict[str, str]:
    """The names translated now (in the locale in force), for a page or a document."""
    return {value: str(label) for value, label in DISPOSITION_LABELS.items()}
