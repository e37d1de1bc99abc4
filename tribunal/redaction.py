"""Screening a determination's public summary for personal data, on plain strings (no ORM): the
service gathers the names, record references and ID number of the case and asks this module what
is wrong with the text. The register publishes only summaries with no problems."""

from __future__ import annotations

import re
from collections.abc import Iterable

# 15- or 18-character PRC ID numbers, passport-like codes, and any run of 6+ digits (with or
# without separators), and email addresses: none of these belong in a public summary.
ID_PATTERNS = (
    re.compile(r"\d{17}[\dXx]"),
    re.compile(r"(?<![\w])[A-Za-z]{1,2}\d{6,}"),
    re.compile(r"\d(?:[\s\-./]?\d){5,}"),
    re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+"),
)

# Dates are fine ("listed on 2025-06-02", "2025年6月2日"); they are taken out before looking for
# ID-like numbers.
DATES = re.compile(
    r"(?<!\d)(?:19|20)\d\d(?:[-./](?:0?[1-9]|1[0-2])[-./](?:0?[1-9]|[12]\d|3[01])|年\d{1,2}月\d{1,2}日)(?!\d)"
)

NAME = "it contains the name of a party"
REFERENCE = "it contains the record's reference"
NATIONAL_ID = "it contains the national ID number"
LOOKS_LIKE_ID = "it contains something that looks like an ID number, phone number or email address"


def summary_problems(
    summary: str, *, names: Iterable[str], references: Iterable[str], national_id: str = ""
) -> list[str]:
    """Why `summary` may not be published (empty when it may): it names a party (any of `names`,
    ignoring case), contains one of the record's `references` or the `national_id`, or anything
    that looks like an ID number, a phone number or an email address."""
    problems: list[str] = []
    folded = summary.casefold()
    if any(name.casefold() in folded for name in _nonblank(names)):
        problems.append(NAME)
    if any(ref.casefold() in folded for ref in _nonblank(references)):
        problems.append(REFERENCE)
    if national_id and national_id.casefold() in folded:
        problems.append(NATIONAL_ID)
    without_dates = DATES.sub(" ", summary)
    if any(p.search(without_dates) for p in ID_PATTERNS):
        problems.append(LOOKS_LIKE_ID)
    return problems


def _nonblank(values: Iterable[str]) -> list[str]:
    return [v.strip() for v in values if v and v.strip()]
