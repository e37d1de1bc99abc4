"""Public statistics per agency, with a minimum sample size and Wilson 95% intervals so that an
agency with three cases is never ranked above or below one with three hundred on luck alone."""

from __future__ import annotations

import hashlib
import math
import statistics as pystats
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import Count, F, Q

from agencies.models import Agency
from clocks.models import Clock, ClockStatus, Obligation, OwedBy
from complaints.models import AgencyOutcome, AgencyResponse, CaseEvent, Complaint
from complaints.transitions import Action
from tribunal.models import CorrectionOrder, Determination, DeterminationStatus, OrderStatus, Outcome

MIN_SAMPLE = 10
Z95 = 1.959963984540054
CORRECTING_OUTCOMES = (AgencyOutcome.CORRECTED, AgencyOutcome.DELETED, AgencyOutcome.PARTIALLY_CORRECTED)


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


def _on_time_by_agency() -> dict[int, tuple[int, int]]:
    """(met in time, decided) per agency over its clocks for answering complaints: a clock is
    decided once it is met or missed; it counts as on time when met by its due time."""
    rows = (
        Clock.objects.filter(
            owed_by=OwedBy.AGENCY, obligation=Obligation.RESPOND, status__in=[ClockStatus.MET, ClockStatus.MISSED]
        )
        .values("agency_id")
        .annotate(
            decided=Count("pk"),
            met=Count("pk", filter=Q(status=ClockStatus.MET, met_at__lte=F("due_at"))),
        )
    )
    return {r["agency_id"]: (r["met"], r["decided"]) for r in rows}


def agency_statistics(*, now: datetime | None = None) -> list[AgencyStats]:
    agencies = {a.pk: a for a in Agency.objects.all().order_by("name_en")}
    stats = {pk: AgencyStats(agency=a) for pk, a in agencies.items()}
    complaints = Complaint.objects.values_list("pk", "respondent_id")
    respondent_of: dict[int, int] = {}
    for pk, agency_id in complaints:
        respondent_of[pk] = agency_id
        stats[agency_id].received += 1

    # First answer per complaint from the respondent, and whether any answer corrected the record.
    first_answer: dict[int, datetime] = {}
    corrected: set[int] = set()
    for cid, agency_id, outcome, at in AgencyResponse.objects.values_list(
        "complaint_id", "agency_id", "outcome", "responded_at"
    ).order_by("responded_at"):
        if respondent_of.get(cid) != agency_id:
            continue  # an answer from an agency the case was later moved away from (misdirected)
        first_answer.setdefault(cid, at)
        if outcome in CORRECTING_OUTCOMES:
            if cid not in corrected:
                stats[agency_id].corrections += 1
            corrected.add(cid)

    # A correction the agency carried out on the ombudsman's order counts too (the court that
    # deleted the record when ordered to has made a correction, though its answer was "verified").
    counted = {(respondent_of[cid], cid) for cid in corrected}
    for agency_id, cid in (
        CorrectionOrder.objects.filter(status=OrderStatus.CONFIRMED).values_list("agency_id", "complaint_id").distinct()
    ):
        if agency_id in stats and (agency_id, cid) not in counted:
            counted.add((agency_id, cid))
            stats[agency_id].corrections += 1

    determined: set[int] = set(
        CaseEvent.objects.filter(kind=Action.ISSUE_DETERMINATION.value).values_list("complaint_id", flat=True)
    ) | set(Determination.objects.filter(status=DeterminationStatus.ISSUED).values_list("complaint_id", flat=True))
    upheld_by_determination = _upheld_determinations()

    referred_at: dict[int, datetime] = {}
    for cid, at in (
        CaseEvent.objects.filter(kind=Action.REFER.value)
        .values_list("complaint_id", "created_at")
        .order_by("created_at")
    ):
        referred_at.setdefault(cid, at)

    days: dict[int, list[float]] = defaultdict(list)
    upheld_k: dict[int, int] = defaultdict(int)
    decided_n: dict[int, int] = defaultdict(int)
    for cid, agency_id in respondent_of.items():
        answered = cid in first_answer
        if answered:
            stats[agency_id].answered += 1
            start = referred_at.get(cid)
            if start is not None and first_answer[cid] >= start:
                days[agency_id].append((first_answer[cid] - start).total_seconds() / 86400)
        if answered or cid in determined:
            decided_n[agency_id] += 1
            if cid in corrected or cid in upheld_by_determination:
                upheld_k[agency_id] += 1

    on_time = _on_time_by_agency()
    for agency_id, s in stats.items():
        s.upheld = Rate(upheld_k[agency_id], decided_n[agency_id])
        met, total = on_time.get(agency_id, (0, 0))
        s.on_time = Rate(met, total)
        if days[agency_id]:
            s.median_days_to_answer = round(pystats.median(days[agency_id]), 1)
    return sorted(stats.values(), key=lambda s: (-s.received, s.agency.name_en))


def _upheld_determinations() -> set[int]:
    """Complaints whose issued determination upheld them, fully or in part."""
    return set(
        Determination.objects.filter(
            status=DeterminationStatus.ISSUED, outcome__in=[Outcome.UPHELD, Outcome.PARTLY_UPHELD]
        ).values_list("complaint_id", flat=True)
    )


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
    """An ETag and a Last-Modified for the statistics, from a few indexed lookups: every change
    that moves a figure writes a timeline event (a filing, an answer, a missed deadline, an order
    carried out), so the newest event (and the agencies' names) say whether anything changed."""
    last = CaseEvent.objects.order_by("-id").values_list("id", "created_at").first()
    agencies = hashlib.sha256(
        repr(list(Agency.objects.order_by("pk").values_list("pk", "slug", "name_en", "name_zh"))).encode()
    ).hexdigest()[:16]
    event_id, at = last if last else (0, None)
    return f"{event_id}-{agencies}", at
