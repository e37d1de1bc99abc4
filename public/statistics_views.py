"""Public statistics per agency: page with SVG charts, CSV and JSON downloads."""

from __future__ import annotations

from datetime import datetime

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import condition, require_GET

from kernel.spreadsheets import safe_writer

from .charts import Bar, share_chart
from .services import statistics_refresh_if_behind
from .statistics import (
    CSV_COLUMNS,
    MIN_SAMPLE,
    AgencyStats,
    Rate,
    agency_statistics,
    csv_row,
    ombudsman_timeliness,
    statistics_version,
)


def _version(request: HttpRequest) -> tuple[str, datetime | None]:
    """The rollup's version, once per request: what changed since the last run is counted first
    (the periodic task usually has counted it already)."""
    cached_version: tuple[str, datetime | None] | None = getattr(request, "_statistics_version", None)
    if cached_version is None:
        statistics_refresh_if_behind(now=timezone.now())
        cached_version = statistics_version()
        request._statistics_version = cached_version  # type: ignore[attr-defined]
    return cached_version


def _etag(request: HttpRequest) -> str:
    # The page is rendered in the reader's language: one tag per language.
    return f"{_version(request)[0]}-{get_language()}"


def _last_modified(request: HttpRequest) -> datetime | None:
    return _version(request)[1]


# Conditional GET (ETag / Last-Modified): a client or cache that has the current figures gets
# 304 Not Modified without the rollup being read.
cached = condition(etag_func=_etag, last_modified_func=_last_modified)


def _bars(stats: list[AgencyStats], attr: str) -> list[Bar]:
    bars = []
    for s in stats:
        rate: Rate = getattr(s, attr)
        if rate.share is None or rate.interval is None:
            continue
        low, high = rate.interval
        bars.append(Bar(label=s.agency.display_name, share=rate.share, low=low, high=high, n=rate.n))
    return sorted(bars, key=lambda b: (-b.low, b.label))


@require_GET
@cached
def statistics_page(request: HttpRequest) -> HttpResponse:
    stats = agency_statistics(now=timezone.now())
    upheld_bars = _bars(stats, "upheld")
    on_time_bars = _bars(stats, "on_time")
    context = {
        "stats": stats,
        "min_sample": MIN_SAMPLE,
        "upheld_chart": share_chart(
            bars=upheld_bars,
            # xgettext:no-python-format
            title=_("Share of complaints upheld, with 95% confidence intervals"),
            description=_("One bar per agency with at least %(n)s decided complaints.") % {"n": MIN_SAMPLE},
            chart_id="chart-upheld",
            n_label="n",
        )
        if upheld_bars
        else None,
        "on_time_chart": share_chart(
            bars=on_time_bars,
            # xgettext:no-python-format
            title=_("Share of answers on time, with 95% confidence intervals"),
            description=_("One bar per agency with at least %(n)s answers due.") % {"n": MIN_SAMPLE},
            chart_id="chart-on-time",
            n_label="n",
        )
        if on_time_bars
        else None,
        "too_small": [s for s in stats if s.received and not s.upheld.enough],
        "own": ombudsman_timeliness(),
    }
    return render(request, "public/statistics.html", context)


@require_GET
@cached
def statistics_csv(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="ombudsman-agency-statistics.csv"'
    # UTF-8 byte-order mark (spreadsheet programs then read the Chinese names right); formula-looking
    # cells (an agency name starting with "=") quoted.
    writer = safe_writer(response)
    writer.writerow(CSV_COLUMNS)
    for s in agency_statistics(now=timezone.now()):
        writer.writerow(csv_row(s))
    return response


@require_GET
@cached
def statistics_json(request: HttpRequest) -> JsonResponse:
    rows = [s.as_row() for s in agency_statistics(now=timezone.now())]
    return JsonResponse(
        {
            "generated_at": timezone.now().isoformat(),
            "minimum_sample_size": MIN_SAMPLE,
            "confidence_interval": "Wilson score interval, 95%",
            "definitions": {
                "received": "Complaints filed against the agency (any status).",
                "upheld": (
                    "Among complaints the agency answered or the ombudsman decided: those where the agency "
                    "corrected, partly corrected or deleted the record, or a determination upheld the complaint."
                ),
                "answered_on_time": "Among the agency's response deadlines that have passed or been met: met in time.",
                "median_days_to_answer": "Median calendar days from referral to the agency's first answer.",
                "corrections_made": (
                    "Complaints in which the agency corrected, partly corrected or deleted the record, in its answer "
                    "or by carrying out a correction order (confirmed)."
                ),
            },
            "agencies": rows,
            "ombudsman": {
                "definitions": {
                    "closed": (
                        "Cases the ombudsman closed in the quarter (decided, resolved, withdrawn or out of scope)."
                    ),
                    "median_days_to_close": (
                        "Median calendar days from filing to closing, for cases closed in the quarter."
                    ),
                    "own_deadlines_met": (
                        "Among the deadlines the ombudsman itself owes (deciding a review of a decision) that were met "
                        "or missed: met in time."
                    ),
                },
                "quarters": [q.as_row() for q in ombudsman_timeliness()],
            },
        },
        json_dumps_params={"ensure_ascii": False},
    )
