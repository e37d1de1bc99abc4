"""Fill Chinese translations into locale/zh_Hans/LC_MESSAGES/django.po from a JSON file.

    python scripts/po_fill.py strings.json

The JSON file is an object {"English msgid": "中文"}; a plural entry is given as
{"msgid": ["单数", "复数"]}. Only entries present in the .po (after makemessages) are filled;
fuzzy flags on them are cleared. Prints the msgids it could not find.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import polib

PO = Path(__file__).resolve().parent.parent / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"


def main(path: str) -> int:
    wanted = json.loads(Path(path).read_text(encoding="utf-8"))
    po = polib.pofile(str(PO), wrapwidth=79)  # as msgmerge (makemessages) writes it
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
        entry.previous_msgid = entry.previous_msgid_plural = entry.previous_msgctxt = None
    po.save(str(PO))
    # Re-wrap as gettext's own tools (makemessages' msgmerge) do, so diffs show only real changes.
    msgcat = shutil.which("msgcat") or "msgcat"  # gettext, which makemessages needs too
    subprocess.run([msgcat, "--no-location", f"--output-file={PO}", str(PO)], check=True)  # noqa: S603
    for msgid in missing:
        print(f"not in the catalogue: {msgid!r}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
