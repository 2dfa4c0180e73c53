"""After `pybabel update`: name the project in the headers, unmark the headers as fuzzy (pybabel
then refuses to compile), and fill the English catalogue, whose msgstr is the msgid because the
source strings are English. English entries that already have a wording are left alone.

Run by `make extract-messages`; prints the Dutch entries that still need a translation.
"""
from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent / "participation" / "translations"


def tidy(locale: str) -> list[str]:
    path = ROOT / locale / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=locale)
    catalog.fuzzy = False
    catalog.project, catalog.version = "participation", "1"
    catalog.copyright_holder = "participation"
    todo = []
    for message in catalog:
        if not message.id:
            continue
        if locale == "en":
            if isinstance(message.id, (tuple, list)):
                if not all(message.string):
                    message.string = (message.id[0],) + (message.id[1],) * (len(message.string) - 1)
            elif not message.string:
                message.string = message.id
            message.flags.discard("fuzzy")
        elif not all(message.string if isinstance(message.string, tuple) else [message.string]):
            todo.append(str(message.id))
    with path.open("wb") as handle:
        write_po(handle, catalog, width=100)
    return todo


def main() -> int:
    tidy("en")
    todo = tidy("nl")
    for msgid in todo:
        print(f"nl: translate {msgid!r}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
