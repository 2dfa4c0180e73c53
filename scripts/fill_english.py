"""Fill the English catalogue: the source strings are English, so msgstr is the msgid.

Run by `make extract-messages` after pybabel update; leaves entries that already have a
translation alone (so an English wording can still be changed in the .po file).
"""
from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

PATH = Path(__file__).resolve().parent.parent / "participation/translations/en/LC_MESSAGES/messages.po"


def main() -> int:
    with PATH.open("rb") as handle:
        catalog = read_po(handle, locale="en")
    for message in catalog:
        if not message.id:
            continue
        if isinstance(message.id, tuple):
            if not all(message.string):
                message.string = tuple(message.id[:1] + message.id[1:2] * (len(message.string) - 1))
        elif not message.string:
            message.string = message.id
        message.flags.discard("fuzzy")
    with PATH.open("wb") as handle:
        write_po(handle, catalog, omit_header=False, width=100)
    return 0


if __name__ == "__main__":
    sys.exit(main())
