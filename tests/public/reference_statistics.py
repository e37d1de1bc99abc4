"""The statistics as they were computed per request before the rollup (from the whole archive
in Python): kept only here, as the reference the rollup must agree with."""

from __future__ import annotations

import statistics as pystats
from collections import defaultdict
from datetime import datetime

from django.db.models import Count, F, Q

from agencies.models import Agency
from clocks.models import Clock, ClockStatus, Obligation, OwedBy
from complaints.models import AgencyOutcome, AgencyResponse, CaseEvent, Complaint
from complaints.transitions import Action
from public.statistics import AgencyStats, Rate
from tribunal.models import CorrectionOrder, Determination, DeterminationStatus, OrderStatus, Outcome

CORRECTING_OUTCOMES = (AgencyOutcome.CORRECTED, AgencyOutcome.DELETED, AgencyOutcome.PARTIALLY_CORRECTED)


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


def reference_statistics(*, now: datetime | None = None) -> list[AgencyStats]:
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
