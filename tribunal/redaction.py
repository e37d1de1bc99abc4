"""Screening a determination's public summary for personal data, on plain strings (no ORM): the
service gathers the names, record references and ID number of the case and asks this module what
is wrong with the text. The register publishes only summaries with no problems.

Text is compared after `normalise`, so disguises do not get a name through (issue 10, attack 8):
NFKC (full-width letters and digits, ligatures, non-breaking spaces become plain ones), format
characters removed (Unicode category Cf: zero-width spaces and joiners, soft hyphens, direction
marks), letters that look like Latin ones folded to them (Cyrillic "а", Greek "ο"...: the Unicode
confusables table, through the `confusable_homoglyphs` library), case folded, and every run of
white space one space. A name matches when its words stand together in any order, with or without
spaces between them ("Fang Wang", "WangFang"), or anywhere as written.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache
from itertools import permutations

from confusable_homoglyphs import confusables

WORD = re.compile(r"\w+")
SPACES = re.compile(r"\s+")
# Names of more words than this are matched word by word (all present), not by permutation.
MAX_PERMUTED_WORDS = 5

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


@lru_cache(maxsize=4096)
def _fold_char(ch: str) -> str:
    """A letter that looks like a Latin one, as that Latin letter; any other character as it is.
    Han, Latin and common characters are never folded (Chinese names stay Chinese)."""
    if ch.isascii() or not ch.isalpha() or unicodedata.name(ch, "").startswith(("CJK", "LATIN")):
        return ch
    found = confusables.is_confusable(ch, greedy=True, preferred_aliases=["latin"])
    for item in found or ():
        for glyph in item["homoglyphs"]:
            if glyph["n"].startswith("LATIN") and len(glyph["c"]) == 1:
                return str(glyph["c"])
    return ch


def normalise(text: str) -> str:
    """The text as the screening compares it: NFKC, no format characters, confusable letters
    folded to Latin, case folded, white space collapsed to single spaces."""
    text = unicodedata.normalize("NFKC", text or "")
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Cf")
    # Case folded first: a lowercase lookalike has one Latin twin (Cyrillic "і" is "i"; its capital
    # "І" looks like both "I" and "l").
    text = "".join(_fold_char(ch) for ch in text.casefold()).casefold()
    return SPACES.sub(" ", text).strip()


def _names_a_party(summary: str, name: str) -> bool:
    """`name` (normalised) appears in `summary` (normalised): as written, or its words side by side
    in any order with or without spaces, or, for a name of many words, every word as a word."""
    if name in summary:
        return True
    tokens = WORD.findall(name)
    if not tokens:
        return False
    words = WORD.findall(summary)
    if len(tokens) > MAX_PERMUTED_WORDS:
        return set(tokens) <= set(words)
    spellings = {"".join(p) for p in permutations(tokens)}
    if any(spelling in "".join(words) for spelling in spellings if not spelling.isascii()):
        return True  # Chinese (and other unspaced) names: anywhere in the text, spaces ignored
    longest = max(len(s) for s in spellings)
    for i in range(len(words)):
        joined = ""
        for word in words[i:]:
            joined += word
            if joined in spellings:
                return True
            if len(joined) >= longest:
                break
    return False


def summary_problems(
    summary: str, *, names: Iterable[str], references: Iterable[str], national_id: str = ""
) -> list[str]:
    """Why `summary` may not be published (empty when it may): it names a party (any of `names`),
    contains one of the record's `references` or the `national_id`, or anything that looks like an
    ID number, a phone number or an email address; all compared after `normalise`."""
    problems: list[str] = []
    text = normalise(summary)
    spaceless = text.replace(" ", "")
    if any(_names_a_party(text, normalise(name)) for name in _nonblank(names)):
        problems.append(NAME)
    if any(normalise(ref) in text or normalise(ref).replace(" ", "") in spaceless for ref in _nonblank(references)):
        problems.append(REFERENCE)
    if national_id and normalise(national_id).replace(" ", "") in spaceless:
        problems.append(NATIONAL_ID)
    without_dates = DATES.sub(" ", text)
    if any(p.search(without_dates) for p in ID_PATTERNS):
        problems.append(LOOKS_LIKE_ID)
    return problems


def _nonblank(values: Iterable[str]) -> list[str]:
    return [v.strip() for v in values if v and v.strip()]
