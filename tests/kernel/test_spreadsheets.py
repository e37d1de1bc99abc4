"""kernel.spreadsheets: the one CSV writer; formula-looking text cells quoted (OWASP CSV injection)."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest

from kernel.spreadsheets import csv_bytes, safe_cell, safe_writer


@pytest.mark.parametrize(
    "cell",
    ['=HYPERLINK("http://x","y")', "+1+1", "-2+3", "@SUM(A1)", "\tcmd", "\r=1", "=cmd|' /C calc'!A0"],
)
def test_formula_cells_get_an_apostrophe(cell: str) -> None:
    assert safe_cell(cell) == "'" + cell


@pytest.mark.parametrize("cell", ["OMB-2026-1", "法院", "a=b", " =x", "", "'quoted"])
def test_other_text_is_unchanged(cell: str) -> None:
    assert safe_cell(cell) == cell


def test_numbers_stay_numbers_and_none_is_empty() -> None:
    assert safe_cell(-2) == -2 and safe_cell(-0.5) == -0.5 and safe_cell(Decimal("-1.5")) == Decimal("-1.5")
    assert safe_cell(None) == "" and safe_cell(True) == "True"


def test_csv_bytes_has_a_bom_and_quotes_formula_cells() -> None:
    data = csv_bytes(["a", "=b"], [["=1+1", "法院", -3]])
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows == [["a", "'=b"], ["'=1+1", "法院", "-3"]]


def test_safe_writer_on_a_stream() -> None:
    out = io.StringIO()
    writer = safe_writer(out)
    writer.writerows([["@x", 1], ["ok", None]])
    assert out.getvalue() == "\ufeff'@x,1\r\nok,\r\n"
