"""Pure tests of the public-summary screening (no database)."""

from __future__ import annotations

import pytest

from tribunal.redaction import LOOKS_LIKE_ID, NAME, NATIONAL_ID, REFERENCE, normalise, summary_problems


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


# --- disguised names (issue 10, attack 8: each of these was published) ------------------------


@pytest.mark.parametrize(
    "summary",
    [
        "Wang\u00a0Fang was listed.",  # non-breaking space
        "Wang\u200bFang was listed.",  # zero-width space instead of the space
        "Wa\u200bng Fa\u200dng was listed.",  # zero-width space and joiner inside the words
        "Wang  Fang was listed.",  # doubled space
        "Wang \t\n Fang was listed.",  # any white space
        "Fang Wang was listed.",  # swapped order
        "FANG, WANG was listed.",  # swapped, with a comma
        "W\u0430ng F\u0430ng was listed.",  # Cyrillic a
        "Wang F\u03b1ng was listed.",  # Greek alpha
        "\uff37\uff41\uff4e\uff47 Fang was listed.",  # full-width letters
        "WangFang was listed.",  # no space at all
        "Wang\u00adFang was listed.",  # soft hyphen
        "Li\u2060Ming filed for his son.",  # word joiner
    ],
)
def test_disguised_names_are_caught(summary):
    assert problems(summary) == [NAME]


@pytest.mark.parametrize("summary", ["王\u00a0芳的记录被删除。", "王 芳的记录被删除。", "王\u200b芳的记录被删除。"])
def test_disguised_chinese_names_are_caught(summary):
    assert problems(summary, names=["王芳"]) == [NAME]


def test_disguised_references_and_ids_are_caught():
    assert problems("Record LIST\u200b-ABC was deleted.") == [REFERENCE]
    assert problems("Record L\u0406ST-ABC was deleted.") == [REFERENCE]  # Cyrillic І
    assert NATIONAL_ID in problems("Holder of A\u200bB 12.", national_id="AB12")
    assert problems(
        "ID \uff11\uff11\uff10\uff11\uff10\uff11\uff12\uff10\uff11\uff10\uff10\uff16\uff11\uff15\uff10\uff10\uff12\uff11."
    ) == [LOOKS_LIKE_ID]  # full-width digits
    assert problems("Call 138\u00a00000\u200b0001.") == [LOOKS_LIKE_ID]


@pytest.mark.parametrize(
    "summary",
    [
        "A child was listed because of a parent's debt; the listing was ordered deleted.",
        "The fang-shaped logo of the agency was not at issue.",  # one of the name's words alone
        "Wangling county court listed the debt.",  # a word that only starts like the name
        "信用记录被删除，赔偿已支付。",
        "Ο διάδικος — Греческий и кириллический текст stays readable.",
    ],
)
def test_clean_summaries_still_pass(summary):
    assert problems(summary) == []


def test_normalise():
    assert normalise("  W\u0430ng\u00a0\u00a0F\u200bang\u3000Ｘ ") == "wang fang x"
    assert normalise("王\u200b芳") == "王芳"
