"""Fill Chinese translations into locale/zh_Hans/LC_MESSAGES/django.po from a JSON file.

    python scripts/po_fill.py strings.json

The JSON file is an object {"English msgid": "中文"}; a plural entry is given as
{"msgid": ["单数", "复数"]}. Only entries present in the .po (after makemessages) are filled;
fuzzy flags on them are cleared. Prints the msgids it could not find.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import polib

PO = Path(__file__).resolve().parent.parent / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"


def main(path: str) -> int:
    wanted = json.loads(Path(path).read_text(encoding="utf-8"))
    po = polib.pofile(str(PO), wrapwidth=0)
    by_id = {entry.msgid: entry for entry in po}
    missing = []
    for msgid, text in wanted.items():
        entry = by_id.get(msgid)
        if entry is None:
            missing.append(msgid)
            continue
        if entry.msgid_plural:
            forms = text if isinstance(text, list) else [text]
            entry.msgstr_plural = {0: forms[0]}
        else:
            entry.msgstr = text
        if "fuzzy" in entry.flags:
            entry.flags.remove("fuzzy")
    po.save(str(PO))
    for msgid in missing:
        print(f"not in the catalogue: {msgid!r}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
