"""Keeping the statistics rollup (`public.models`) in step with the archive, reading only what
changed.

Every change that moves a figure writes a timeline event (a filing, a referral, an answer, a
missed deadline, a determination, an order carried out), so `statistics_refresh` reads the events
after the last one it counted, recomputes what each of their cases adds to the figures
(`case_figures`, a handful of queries per 500 cases) and moves the rollup by the difference from
what the case added before (`CaseFigures`). Running it twice, late or on the same cases again
changes nothing. One refresh at a time: the state row is locked for the run.

Events are numbered when they are written but become visible when their transaction commits, so a
long transaction can commit an event numbered below one already read. The watermark therefore only
passes events older than `SETTLE` (by their time); the cases of newer events are read again on the
next run (which finds no difference for those already counted).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Min

from clocks.models import Clock, ClockStatus, Obligation, OwedBy
from complaints.models import AgencyOutcome, AgencyResponse, CaseEvent, Complaint
from complaints.transitions import Action
from tribunal.models import CorrectionOrder, Determination, DeterminationStatus, OrderStatus, Outcome

from .models import (
    FIGURES,
    OWN_FIGURES,
    AgencyAnswerDays,
    AgencyMonthFigures,
    CaseFigures,
    OmbudsmanCloseDays,
    OmbudsmanQuarterFigures,
    StatisticsState,
)

SETTLE = timedelta(minutes=5)
BATCH = 500
CORRECTING_OUTCOMES = {AgencyOutcome.CORRECTED, AgencyOutcome.DELETED, AgencyOutcome.PARTIALLY_CORRECTED}
UPHOLDING = (Outcome.UPHELD, Outcome.PARTLY_UPHELD)

Figures = dict[str, dict[str, int]]  # {str(agency_id): {"received": 1, ..., "tenths": 23}, "omb": {...}}
OWN = "omb"  # the key of the ombudsman's own figures in a case's figures


def _quarter_code(at: datetime) -> int:
    return at.year * 10 + (at.month - 1) // 3 + 1


def quarter_start(code: int) -> date:
    return date(code // 10, (code % 10 - 1) * 3 + 1, 1)


def _month(at: datetime) -> date:
    return date(at.year, at.month, 1)


def case_figures(complaint_ids: list[int]) -> dict[int, tuple[date, Figures]]:
    """What each case adds to the figures, by agency (the definitions in `public.statistics`).
    Seven queries for any number of cases."""
    cases = dict(Complaint.objects.filter(pk__in=complaint_ids).values_list("pk", "respondent_id").order_by())
    filed_closed = {
        pk: (submitted, closed)
        for pk, submitted, closed in Complaint.objects.filter(pk__in=complaint_ids)
        .values_list("pk", "submitted_at", "closed_at")
        .order_by()
    }
    months = {pk: _month(submitted) for pk, (submitted, _closed) in filed_closed.items()}
    own: dict[int, list[bool]] = defaultdict(list)
    for cid, status, met_at, due_at in Clock.objects.filter(
        complaint_id__in=complaint_ids, owed_by=OwedBy.OMBUDSMAN, status__in=[ClockStatus.MET, ClockStatus.MISSED]
    ).values_list("complaint_id", "status", "met_at", "due_at"):
        own[cid].append(status == ClockStatus.MET and met_at is not None and met_at <= due_at)
    first_answer: dict[int, datetime] = {}
    corrected: set[int] = set()
    for cid, agency_id, outcome, at in (
        AgencyResponse.objects.filter(complaint_id__in=complaint_ids)
        .values_list("complaint_id", "agency_id", "outcome", "responded_at")
        .order_by("responded_at", "id")
    ):
        if cases.get(cid) != agency_id:
            continue  # an answer from an agency the case was later moved away from (misdirected)
        first_answer.setdefault(cid, at)
        if outcome in CORRECTING_OUTCOMES:
            corrected.add(cid)
    ordered: dict[int, set[int]] = defaultdict(set)
    for cid, agency_id in CorrectionOrder.objects.filter(
        complaint_id__in=complaint_ids, status=OrderStatus.CONFIRMED
    ).values_list("complaint_id", "agency_id"):
        ordered[cid].add(agency_id)
    determined = set(
        CaseEvent.objects.filter(complaint_id__in=complaint_ids, kind=Action.ISSUE_DETERMINATION.value)
        .values_list("complaint_id", flat=True)
        .order_by()
    )
    upheld_by_determination: set[int] = set()
    for cid, outcome in Determination.objects.filter(
        complaint_id__in=complaint_ids, status=DeterminationStatus.ISSUED
    ).values_list("complaint_id", "outcome"):
        determined.add(cid)
        if outcome in UPHOLDING:
            upheld_by_determination.add(cid)
    referred_at = dict(
        CaseEvent.objects.filter(complaint_id__in=complaint_ids, kind=Action.REFER.value)
        .values("complaint_id")
        .annotate(first=Min("created_at"))
        .values_list("complaint_id", "first")
        .order_by()
    )
    on_time: dict[int, list[tuple[int, bool]]] = defaultdict(list)
    for cid, agency_id, status, met_at, due_at in Clock.objects.filter(
        complaint_id__in=complaint_ids,
        owed_by=OwedBy.AGENCY,
        obligation=Obligation.RESPOND,
        status__in=[ClockStatus.MET, ClockStatus.MISSED],
    ).values_list("complaint_id", "agency_id", "status", "met_at", "due_at"):
        met = status == ClockStatus.MET and met_at is not None and met_at <= due_at
        on_time[cid].append((agency_id, met))

    out: dict[int, tuple[date, Figures]] = {}
    for cid, respondent in cases.items():
        figures: dict[int, dict[str, int]] = defaultdict(lambda: dict.fromkeys(FIGURES, 0))
        mine = figures[respondent]
        mine["received"] = 1
        answered = cid in first_answer
        if answered:
            mine["answered"] = 1
            start = referred_at.get(cid)
            if start is not None and first_answer[cid] >= start:
                mine["tenths"] = round((first_answer[cid] - start).total_seconds() / 8640)
        if cid in corrected:
            mine["corrections"] = 1
        for agency_id in ordered.get(cid, ()):
            if not (agency_id == respondent and cid in corrected):
                figures[agency_id]["corrections"] = 1
        if answered or cid in determined:
            mine["decided"] = 1
            if cid in corrected or cid in upheld_by_determination:
                mine["upheld"] = 1
        for agency_id, met in on_time.get(cid, ()):
            figures[agency_id]["on_time_decided"] += 1
            figures[agency_id]["on_time_met"] += int(met)
        result: Figures = {
            str(a): {k: v for k, v in f.items() if v or k in ("received", "tenths")} for a, f in figures.items()
        }
        submitted, closed = filed_closed[cid]
        mine_own: dict[str, int] = {"q": _quarter_code(closed or submitted)}
        if closed is not None:
            mine_own["closed"] = 1
            mine_own["tenths"] = max(0, round((closed - submitted).total_seconds() / 8640))
        if own.get(cid):
            mine_own["own_decided"] = len(own[cid])
            mine_own["own_met"] = sum(own[cid])
        result[OWN] = mine_own
        out[cid] = (months[cid], result)
    return out


def _apply(complaint_ids: list[int]) -> bool:
    """Recompute these cases and move the rollup by the difference. True if any figure moved."""
    new = case_figures(complaint_ids)
    old = {row.complaint_id: row for row in CaseFigures.objects.filter(complaint_id__in=complaint_ids)}
    month_delta: dict[tuple[int, date], dict[str, int]] = defaultdict(lambda: dict.fromkeys(FIGURES, 0))
    days_delta: dict[tuple[int, int], int] = defaultdict(int)
    own_delta: dict[int, dict[str, int]] = defaultdict(lambda: dict.fromkeys(OWN_FIGURES, 0))
    close_delta: dict[tuple[int, int], int] = defaultdict(int)

    def add(month: date, figures: Figures, sign: int) -> None:
        for agency, f in figures.items():
            if agency == OWN:
                for name in OWN_FIGURES:
                    own_delta[f["q"]][name] += sign * f.get(name, 0)
                if "tenths" in f:
                    close_delta[(f["q"], f["tenths"])] += sign
                continue
            key = (int(agency), month)
            for name in FIGURES:
                month_delta[key][name] += sign * f.get(name, 0)
            if "tenths" in f:
                days_delta[(int(agency), f["tenths"])] += sign

    changed_rows: list[CaseFigures] = []
    for cid in complaint_ids:
        before, after = old.get(cid), new.get(cid)
        if before is not None and after is not None and (before.month, before.figures) == after:
            continue
        if before is not None:
            add(before.month, before.figures, -1)
        if after is not None:
            add(after[0], after[1], +1)
            changed_rows.append(CaseFigures(complaint_id=cid, month=after[0], figures=after[1]))
    month_delta = {k: v for k, v in month_delta.items() if any(v.values())}
    days_delta = {k: v for k, v in days_delta.items() if v}
    own_delta = {k: v for k, v in own_delta.items() if any(v.values())}
    close_delta = {k: v for k, v in close_delta.items() if v}
    if not changed_rows and not month_delta and not days_delta and not own_delta and not close_delta:
        return False
    CaseFigures.objects.bulk_create(
        changed_rows, update_conflicts=True, unique_fields=["complaint_id"], update_fields=["month", "figures"]
    )
    _move_months(month_delta)
    _move_days(days_delta)
    _move_own(own_delta, close_delta)
    return bool(month_delta or days_delta or own_delta or close_delta)


def _move_own(quarters: dict[int, dict[str, int]], days: dict[tuple[int, int], int]) -> None:
    if quarters:
        starts = {code: quarter_start(code) for code in quarters}
        rows = {r.quarter: r for r in OmbudsmanQuarterFigures.objects.filter(quarter__in=starts.values())}
        for code, d in quarters.items():
            row = rows.setdefault(starts[code], OmbudsmanQuarterFigures(quarter=starts[code]))
            for name, value in d.items():
                setattr(row, name, getattr(row, name) + value)
        OmbudsmanQuarterFigures.objects.bulk_create(
            list(rows.values()), update_conflicts=True, unique_fields=["quarter"], update_fields=list(OWN_FIGURES)
        )
    if days:
        keys = {(quarter_start(q), t): n for (q, t), n in days.items()}
        close_rows = {
            (c.quarter, c.tenths): c
            for c in OmbudsmanCloseDays.objects.filter(
                quarter__in={q for q, _ in keys}, tenths__in={t for _, t in keys}
            )
            if (c.quarter, c.tenths) in keys
        }
        for (quarter, tenths), n in keys.items():
            close = close_rows.setdefault((quarter, tenths), OmbudsmanCloseDays(quarter=quarter, tenths=tenths))
            close.n += n
        OmbudsmanCloseDays.objects.bulk_create(
            list(close_rows.values()), update_conflicts=True, unique_fields=["quarter", "tenths"], update_fields=["n"]
        )


def _move_months(delta: dict[tuple[int, date], dict[str, int]]) -> None:
    if not delta:
        return
    agencies = {a for a, _ in delta}
    months = {m for _, m in delta}
    rows = {
        (r.agency_id, r.month): r
        for r in AgencyMonthFigures.objects.filter(agency_id__in=agencies, month__in=months)
        if (r.agency_id, r.month) in delta
    }
    for (agency_id, month), d in delta.items():
        row = rows.setdefault((agency_id, month), AgencyMonthFigures(agency_id=agency_id, month=month))
        for name, value in d.items():
            setattr(row, name, getattr(row, name) + value)
    AgencyMonthFigures.objects.bulk_create(
        list(rows.values()),
        update_conflicts=True,
        unique_fields=["agency", "month"],
        update_fields=list(FIGURES),
    )


def _move_days(delta: dict[tuple[int, int], int]) -> None:
    if not delta:
        return
    rows = {
        (r.agency_id, r.tenths): r
        for r in AgencyAnswerDays.objects.filter(agency_id__in={a for a, _ in delta}, tenths__in={t for _, t in delta})
        if (r.agency_id, r.tenths) in delta
    }
    for (agency_id, tenths), d in delta.items():
        row = rows.setdefault((agency_id, tenths), AgencyAnswerDays(agency_id=agency_id, tenths=tenths))
        row.n += d
    AgencyAnswerDays.objects.bulk_create(
        list(rows.values()), update_conflicts=True, unique_fields=["agency", "tenths"], update_fields=["n"]
    )


def _state_locked(*, wait: bool = True) -> StatisticsState | None:
    """The state row, locked for this run; None if another run holds it and `wait` is False."""
    StatisticsState.objects.get_or_create(pk=1)
    return StatisticsState.objects.select_for_update(skip_locked=not wait).filter(pk=1).first()


def _apply_batches(complaint_ids: Iterable[int]) -> bool:
    ids = sorted(set(complaint_ids))
    moved = False
    for i in range(0, len(ids), BATCH):
        moved = _apply(ids[i : i + BATCH]) or moved
    return moved


def statistics_refresh(*, now: datetime, max_events: int | None = None, wait: bool = True) -> int:
    """Count the timeline events written since the last run (at most `max_events`, oldest first)
    into the rollup. Returns how many events were read (0 also when `wait` is False and another
    run is under way)."""
    with transaction.atomic():
        state = _state_locked(wait=wait)
        if state is None:
            return 0
        events = CaseEvent.objects.filter(pk__gt=state.last_event_id).order_by("pk")
        rows = list(events.values_list("pk", "complaint_id", "created_at")[:max_events])
        if not rows:
            state.refreshed_at = now
            state.save(update_fields=["refreshed_at"])
            return 0
        settled = state.last_event_id
        for pk, _cid, at in rows:
            if at > now - SETTLE:
                break
            settled = pk
        moved = _apply_batches(cid for _pk, cid, _at in rows)
        state.last_event_id = settled
        state.seen_event_id = max(state.seen_event_id, rows[-1][0])
        state.refreshed_at = now
        fields = ["last_event_id", "seen_event_id", "refreshed_at"]
        if moved:
            state.version += 1
            state.changed_at = now
            fields += ["version", "changed_at"]
        state.save(update_fields=fields)
        return len(rows)


def statistics_refresh_cases(*, complaint_ids: Iterable[int], now: datetime) -> bool:
    """Recompute these cases now (after a change that wrote no timeline event, such as a data fix
    by hand). True if any figure moved."""
    with transaction.atomic():
        state = _state_locked()
        assert state is not None
        moved = _apply_batches(complaint_ids)
        if moved:
            state.version += 1
            state.changed_at = now
            state.save(update_fields=["version", "changed_at"])
        return moved


def statistics_rebuild(*, now: datetime) -> int:
    """Recompute every case from scratch (after a restore or a bulk load), in batches of 500."""
    with transaction.atomic():
        state = _state_locked()
        assert state is not None
        seen = CaseEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        last = (
            CaseEvent.objects.filter(created_at__lte=now - SETTLE).order_by("-pk").values_list("pk", flat=True).first()
            or 0
        )
        CaseFigures.objects.all().delete()
        AgencyMonthFigures.objects.all().delete()
        AgencyAnswerDays.objects.all().delete()
        OmbudsmanQuarterFigures.objects.all().delete()
        OmbudsmanCloseDays.objects.all().delete()
        ids = Complaint.objects.order_by("pk").values_list("pk", flat=True)
        batch: list[int] = []
        done = 0
        for cid in ids.iterator(chunk_size=5000):
            batch.append(cid)
            if len(batch) == BATCH:
                _apply(batch)
                done += len(batch)
                batch = []
        if batch:
            _apply(batch)
            done += len(batch)
        state.last_event_id, state.seen_event_id = last, seen
        state.version += 1
        state.changed_at = state.refreshed_at = now
        state.save()
        return done


def statistics_refresh_if_behind(*, now: datetime, max_events: int = 2000) -> None:
    """For the pages: count events written since the last run, if any (one indexed look-up when
    there are none), without waiting for a run under way. The periodic task does the rest."""
    seen = StatisticsState.objects.filter(pk=1).values_list("seen_event_id", flat=True).first() or 0
    if CaseEvent.objects.filter(pk__gt=seen).exists():
        statistics_refresh(now=now, max_events=max_events, wait=False)


def statistics_watermark() -> int:
    return StatisticsState.objects.filter(pk=1).values_list("last_event_id", flat=True).first() or 0


def statistics_state() -> dict[str, Any]:
    state = StatisticsState.objects.filter(pk=1).values_list("version", "changed_at").first()
    version, changed_at = state if state else (0, None)
    return {"version": version, "changed_at": changed_at}
