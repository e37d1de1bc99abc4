"""Public statistics per agency, with a minimum sample size and Wilson 95% intervals so that an
agency with three cases is never ranked above or below one with three hundred on luck alone.

The figures come from the rollup per agency per month (`public.models`), never from the archive:

- received: complaints filed against the agency (the current respondent), any status;
- answered: of those, answered at least once by that agency;
- upheld: among complaints answered or decided by a determination, those the agency corrected,
  partly corrected or deleted in its answer, or a determination upheld (fully or in part);
- answered on time: among the agency's response deadlines met or missed, met by the due time;
- median days to answer: from the first referral to the agency's first answer, counted in tenths
  of a day;
- corrections made: complaints the agency corrected in its answer or by carrying out a
  correction order (confirmed).

And the ombudsman's own timeliness per quarter (`ombudsman_timeliness`): cases closed in the
quarter and the median days from filing to closing; the deadlines the ombudsman itself owes
(deciding a review) that fell due, and the share met in time."""

from __future__ import annotations

import hashlib
import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, cast

from django.db.models import Sum

from agencies.models import Agency

from .models import FIGURES, AgencyAnswerDays, AgencyMonthFigures, OmbudsmanCloseDays, OmbudsmanQuarterFigures
from .services import statistics_state

MIN_SAMPLE = 10
Z95 = 1.959963984540054


def wilson_interval(successes: int, n: int, z: float = Z95) -> tuple[float, float]:
    """Wilson score interval for a binomial proportion (95% by default)."""
    if n <= 0:
        return (0.0, 1.0)
    if not 0 <= successes <= n:
        raise ValueError("successes must be between 0 and n")
    p = successes / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    low = 0.0 if successes == 0 else max(0.0, centre - half)
    high = 1.0 if successes == n else min(1.0, centre + half)
    return (low, high)


@dataclass
class Rate:
    successes: int
    n: int
    min_sample: int = MIN_SAMPLE

    @property
    def enough(self) -> bool:
        return self.n >= self.min_sample

    @property
    def share(self) -> float | None:
        return self.successes / self.n if self.n and self.enough else None

    @property
    def interval(self) -> tuple[float, float] | None:
        return wilson_interval(self.successes, self.n) if self.enough else None

    def as_dict(self) -> dict[str, Any]:
        low_high = self.interval
        return {
            "successes": self.successes,
            "n": self.n,
            "share": round(self.share, 4) if self.share is not None else None,
            "ci95_low": round(low_high[0], 4) if low_high else None,
            "ci95_high": round(low_high[1], 4) if low_high else None,
            "enough_data": self.enough,
        }


@dataclass
class AgencyStats:
    agency: Agency
    received: int = 0
    upheld: Rate = field(default_factory=lambda: Rate(0, 0))
    on_time: Rate = field(default_factory=lambda: Rate(0, 0))
    median_days_to_answer: float | None = None
    answered: int = 0
    corrections: int = 0

    def as_row(self) -> dict[str, Any]:
        return {
            "agency": self.agency.slug,
            "name_en": self.agency.name_en,
            "name_zh": self.agency.name_zh,
            "received": self.received,
            "answered": self.answered,
            "upheld": self.upheld.as_dict(),
            "answered_on_time": self.on_time.as_dict(),
            "median_days_to_answer": self.median_days_to_answer,
            "corrections_made": self.corrections,
        }


def _median_tenths(buckets: list[tuple[int, int]]) -> float | None:
    """The median of values given as (tenths of a day, how many), in days to one decimal."""
    total = sum(n for _t, n in buckets)
    if total <= 0:
        return None
    # The middle one (odd count) or the two middle ones (even count), 0-based positions.
    wanted = sorted({(total - 1) // 2, total // 2})
    found: list[int] = []
    seen = 0
    for tenths, n in buckets:
        while wanted and wanted[0] < seen + n:
            found.append(tenths)
            wanted.pop(0)
        seen += n
    return round(sum(found) / len(found) / 10, 1)


def agency_statistics(*, now: datetime | None = None) -> list[AgencyStats]:
    """The figures per agency, read from the rollup (`public.models`, kept by
    `public.services.statistics_refresh`): one query for the agencies, one grouped query over the
    rows per agency per month, one for the answer-time distribution. Nothing here reads a case."""
    agencies = {a.pk: a for a in Agency.objects.all().order_by("name_en")}
    stats = {pk: AgencyStats(agency=a) for pk, a in agencies.items()}
    sums = AgencyMonthFigures.objects.order_by().values("agency_id").annotate(**{name: Sum(name) for name in FIGURES})
    for values in sums:
        row = cast(dict[str, Any], values)
        s = stats.get(row["agency_id"])
        if s is None:
            continue
        s.received = row["received"]
        s.answered = row["answered"]
        s.corrections = row["corrections"]
        s.upheld = Rate(row["upheld"], row["decided"])
        s.on_time = Rate(row["on_time_met"], row["on_time_decided"])
    buckets: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for agency_id, tenths, n in (
        AgencyAnswerDays.objects.filter(n__gt=0).order_by("agency_id", "tenths").values_list("agency_id", "tenths", "n")
    ):
        buckets[agency_id].append((tenths, n))
    for agency_id, rows in buckets.items():
        if agency_id in stats:
            stats[agency_id].median_days_to_answer = _median_tenths(rows)
    return sorted(stats.values(), key=lambda s: (-s.received, s.agency.name_en))


@dataclass
class OwnQuarter:
    """The ombudsman's own timeliness in one quarter: the cases it closed (and the median days
    from filing to closing), and its own deadlines (deciding a review, ...) met on time."""

    quarter: date
    closed: int
    median_days_to_close: float | None
    own_deadlines: Rate

    @property
    def label(self) -> str:
        return f"{self.quarter.year} Q{(self.quarter.month - 1) // 3 + 1}"

    def as_row(self) -> dict[str, Any]:
        return {
            "quarter": self.label,
            "closed": self.closed,
            "median_days_to_close": self.median_days_to_close,
            "own_deadlines_met": self.own_deadlines.as_dict(),
        }


def ombudsman_timeliness() -> list[OwnQuarter]:
    """The ombudsman's own figures per quarter, newest first, from the rollup (two queries)."""
    buckets: dict[date, list[tuple[int, int]]] = defaultdict(list)
    for quarter, tenths, n in (
        OmbudsmanCloseDays.objects.filter(n__gt=0).order_by("quarter", "tenths").values_list("quarter", "tenths", "n")
    ):
        buckets[quarter].append((tenths, n))
    rows = OmbudsmanQuarterFigures.objects.order_by("-quarter")
    return [
        OwnQuarter(
            quarter=r.quarter,
            closed=r.closed,
            median_days_to_close=_median_tenths(buckets.get(r.quarter, [])),
            own_deadlines=Rate(r.own_met, r.own_decided),
        )
        for r in rows
        if r.closed or r.own_decided
    ]


RATE_FIELDS = ("successes", "n", "share", "ci95_low", "ci95_high", "enough_data")

# The CSV carries the JSON's fields, the two rates flattened (`upheld_share`,
# `answered_on_time_ci95_low`, ...).
CSV_COLUMNS = [
    "agency",
    "name_en",
    "name_zh",
    "received",
    "answered",
    *(f"upheld_{f}" for f in RATE_FIELDS),
    *(f"answered_on_time_{f}" for f in RATE_FIELDS),
    "median_days_to_answer",
    "corrections_made",
]


def csv_row(s: AgencyStats) -> list[Any]:
    row = s.as_row()
    flat: dict[str, Any] = {k: v for k, v in row.items() if not isinstance(v, dict)}
    for rate in ("upheld", "answered_on_time"):
        for f in RATE_FIELDS:
            flat[f"{rate}_{f}"] = row[rate][f]
    return [flat[c] for c in CSV_COLUMNS]


def statistics_version() -> tuple[str, datetime | None]:
    """An ETag and a Last-Modified for the statistics: the rollup's version (it moves whenever a
    figure moves) and the agencies' names; two small indexed reads."""
    state = statistics_state()
    agencies = hashlib.sha256(
        repr(list(Agency.objects.order_by("pk").values_list("pk", "slug", "name_en", "name_zh"))).encode()
    ).hexdigest()[:16]
    return f"{state['version']}-{agencies}", state["changed_at"]
