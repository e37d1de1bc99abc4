"""Pure tests of the public-summary screening (no database)."""

from __future__ import annotations

import pytest

from tribunal.redaction import LOOKS_LIKE_ID, NAME, NATIONAL_ID, REFERENCE, summary_problems


def problems(summary: str, **kw: object) -> list[str]:
    args: dict[str, object] = {"names": ["Wang Fang", "Li Ming"], "references": ["LIST-ABC"], "national_id": ""}
    args.update(kw)
    return summary_problems(summary, **args)  # type: ignore[arg-type]


def test_a_clean_summary_passes():
    assert problems("A child was listed because of a parent's debt; the listing was ordered deleted.") == []


@pytest.mark.parametrize(
    "summary, expected",
    [
        ("wang fang was listed.", [NAME]),  # any case
        ("Li Ming filed for his son.", [NAME]),  # the filer counts too
        ("Record list-abc was deleted.", [REFERENCE]),
        ("ID 110101201006150021.", [LOOKS_LIKE_ID]),
        ("Call 138 0000 0001.", [LOOKS_LIKE_ID]),
        ("Passport E12345678.", [LOOKS_LIKE_ID]),
        ("Write to someone@example.org.", [LOOKS_LIKE_ID]),
    ],
)
def test_each_kind_of_personal_data_is_named(summary, expected):
    assert problems(summary) == expected


def test_the_raw_national_id_is_named_even_when_short():
    assert problems("Holder of AB12 was listed.", national_id="ab12") == [NATIONAL_ID]


def test_dates_are_not_id_numbers_but_digits_after_them_are():
    assert problems("Listed on 2025-06-02 (2025年6月2日) for RMB 380,000.") == []
    assert problems("ID 2025-06-021234 5678") == [LOOKS_LIKE_ID]


def test_blank_names_and_references_match_nothing():
    assert problems("Anything at all.", names=["", "  "], references=[""]) == []
