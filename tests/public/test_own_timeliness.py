"""The ombudsman's own timeliness on the public statistics (issue 15): per quarter, the cases it
closed and the median days from filing to closing, and the share of its own deadlines (deciding a
review) met; kept by the rollup like the agencies' figures (read again or rebuilt: the same)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client

from clocks.models import Clock, Obligation
from clocks.sweep import clock_sweep
from complaints import services as cs
from kernel.actors import Actor
from public.services import statistics_rebuild, statistics_refresh
from public.statistics import ombudsman_timeliness
from tests.factories import NOW, SeniorOfficerFactory, make_complaint
from tests.tribunal.conftest import graph, officer, senior  # noqa: F401  (fixtures)
from tests.tribunal.test_services import investigating, issue
from tribunal import services as ts

pytestmark = pytest.mark.django_db


def _rows():  # type: ignore[no-untyped-def]
    return [
        (q.label, q.closed, q.median_days_to_close, (q.own_deadlines.successes, q.own_deadlines.n))
        for q in ombudsman_timeliness()
    ]


def test_closed_cases_and_own_deadlines_per_quarter(graph, officer, senior):  # noqa: F811
    for days in (4, 10, 30):  # filed on NOW (2026 Q4), withdrawn after 4, 10 and 30 days (2026 Q4)
        c = make_complaint(now=NOW)
        cs.complaint_withdraw(complaint_id=c.pk, actor=Actor.for_user(c.citizen.user), now=NOW + timedelta(days=days))
    # two reviews: one decided in time, one left to run out (both due in 2027 Q1 cases filed in Q4)
    on_time = investigating(graph)
    issue(on_time, officer, senior)
    review = ts.review_request(
        complaint_id=on_time.pk, actor=Actor.for_user(on_time.citizen.user), reasons="Too low.", now=NOW
    )
    ts.review_decide(
        review_id=review.pk,
        actor=Actor.for_user(SeniorOfficerFactory()),
        outcome="confirmed",
        reasons="Fine.",
        now=NOW + timedelta(days=5),
    )
    late = investigating(graph)
    issue(late, officer, senior)
    ts.review_request(complaint_id=late.pk, actor=Actor.for_user(late.citizen.user), reasons="Wrong.", now=NOW)
    due = Clock.objects.get(complaint=late, obligation=Obligation.REVIEW).due_at
    clock_sweep(now=due + timedelta(hours=1))
    statistics_refresh(now=due + timedelta(days=1))
    rows = _rows()
    assert rows == [("2026 Q4", 3, 10.0, (1, 2))]
    statistics_rebuild(now=due + timedelta(days=1))
    assert _rows() == rows

    page = Client().get("/statistics/").content.decode()
    assert "Our own timeliness" in page and "2026 Q4" in page and "1 of 2 (too few for a share)" in page
    data = Client().get("/statistics.json").json()
    assert data["ombudsman"]["quarters"][0]["median_days_to_close"] == 10.0
    assert data["ombudsman"]["quarters"][0]["own_deadlines_met"]["n"] == 2
