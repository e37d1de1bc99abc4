"""CSV that spreadsheet programs open safely: the one writer every CSV export uses.

A text cell starting with `=`, `+`, `-`, `@`, a tab or a carriage return would be run as a formula
by Excel, LibreOffice or Google Sheets (OWASP "CSV injection"): it gets a leading apostrophe,
which those programs show as text and hide. Numbers (int, float, Decimal) are written as they are.
Files start with a UTF-8 byte-order mark so the Chinese names open right.

    csv_bytes(header, rows)            # a whole file as bytes
    writer = safe_writer(response)     # rows written to a file-like object (an HttpResponse)
    writer.writerow([...])
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import IO, Any

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
BOM = "\ufeff"


def safe_cell(value: Any) -> Any:
    """The cell as a spreadsheet will not run it: text that could start a formula gets a leading
    apostrophe; numbers stay numbers; None is empty."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | float | Decimal):
        return value
    text = str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


class SafeWriter:
    """csv.writer that passes every cell through `safe_cell`."""

    def __init__(self, out: IO[str] | Any, **kwargs: Any) -> None:
        self._writer = csv.writer(out, **kwargs)

    def writerow(self, row: Iterable[Any]) -> None:
        self._writer.writerow([safe_cell(v) for v in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def safe_writer(out: IO[str] | Any, *, bom: bool = True, **kwargs: Any) -> SafeWriter:
    """A safe writer on `out` (a text file or an HttpResponse); writes the byte-order mark first."""
    if bom:
        out.write(BOM)
    return SafeWriter(out, **kwargs)


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence[Any]], *, quote_all: bool = True) -> bytes:
    out = io.StringIO()
    writer = safe_writer(out, quoting=csv.QUOTE_ALL if quote_all else csv.QUOTE_MINIMAL)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")
