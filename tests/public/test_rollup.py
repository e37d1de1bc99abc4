"""The statistics rollup (`public.services`) gives the figures the old per-request computation
gave (kept as `reference_statistics`), on test cases of every kind and on the demo; reading what
changed twice, late or from scratch changes nothing; the pages never read the archive."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from clocks.models import Clock, Obligation
from clocks.sweep import clock_sweep
from complaints import services
from complaints.transitions import Status
from kernel.actors import Actor
from public.models import StatisticsState
from public.services import statistics_rebuild, statistics_refresh, statistics_refresh_cases
from public.statistics import agency_statistics
from tests.factories import (
    NOW,
    AgencyFactory,
    BlacklistEntryFactory,
    OfficerFactory,
    SeniorOfficerFactory,
    make_complaint,
    walk_to,
)
from tests.tribunal.conftest import link
from tribunal.models import CorrectionOrder
from tribunal.services import correction_order_confirm, determination_save_draft, determination_sign

from .reference_statistics import reference_statistics

pytestmark = pytest.mark.django_db


def _figures(stats):  # type: ignore[no-untyped-def]
    return {
        s.agency.slug: (
            s.received,
            s.answered,
            (s.upheld.successes, s.upheld.n),
            (s.on_time.successes, s.on_time.n),
            s.median_days_to_answer,
            s.corrections,
        )
        for s in stats
    }


def _answer(complaint, outcome, *, at):  # type: ignore[no-untyped-def]
    services.complaint_record_agency_response(
        complaint_id=complaint.pk,
        actor=Actor.for_agency(complaint.respondent),
        outcome=outcome,
        explanation="Checked.",
        now=at,
    )


def _mixed_cases() -> None:
    """Answers of every kind at different delays, a misdirected case moved to another agency, a
    determination with orders carried out at recipients, deadlines met, missed and swept."""
    court, bank, bureau, idle = (AgencyFactory(slug=s, name_en=s.title()) for s in ("court", "bank", "bureau", "idle"))
    for i, outcome in enumerate(["corrected", "verified", "deleted", "partially_corrected", "needs_information"] * 3):
        c = make_complaint(blacklist_entry=BlacklistEntryFactory(agency=court if i % 2 else bank))
        walk_to(c, Status.REFERRED, now=NOW - timedelta(days=60 - i))
        _answer(c, outcome, at=NOW - timedelta(days=60 - i) + timedelta(hours=7 * i + 1))
    moved = make_complaint(blacklist_entry=BlacklistEntryFactory(agency=court))
    walk_to(moved, Status.REFERRED, now=NOW - timedelta(days=30))
    _answer(moved, "misdirected", at=NOW - timedelta(days=29))
    services.complaint_refer(
        complaint_id=moved.pk, actor=Actor.for_user(OfficerFactory()), now=NOW - timedelta(days=28), respondent=bureau
    )
    moved.refresh_from_db()
    _answer(moved, "corrected", at=NOW - timedelta(days=20))
    # Decided: upheld, orders at the court and two recipients, two of them carried out.
    decided = make_complaint(blacklist_entry=BlacklistEntryFactory(agency=court))
    link(court, bank, decided.blacklist_entry.category)
    link(court, bureau, decided.blacklist_entry.category)
    walk_to(decided, Status.INVESTIGATION, now=NOW - timedelta(days=15))
    draft = determination_save_draft(
        complaint_id=decided.pk,
        actor=Actor.for_user(OfficerFactory()),
        outcome="upheld",
        findings="Paid.",
        reasons="No basis.",
        public_summary="A paid debt stayed listed.",
        remedies=[{"kind": "delete"}],
        now=NOW - timedelta(days=10),
    )
    determination_sign(
        determination_id=draft.pk,
        actor=Actor.for_user(SeniorOfficerFactory()),
        now=NOW - timedelta(days=10),
        skip_provisional_reason="Decided without comments in this test.",
    )
    for order in CorrectionOrder.objects.filter(complaint=decided).order_by("pk")[:2]:
        correction_order_confirm(
            order_id=order.pk,
            actor=Actor.for_agency(order.agency),
            evidence_before={"status": "active"},
            evidence_after={"status": "deleted"},
            now=NOW - timedelta(days=5),
        )
    # Not answered in time: the sweep marks the deadline missed.
    for _ in range(3):
        late = make_complaint(blacklist_entry=BlacklistEntryFactory(agency=bureau))
        walk_to(late, Status.REFERRED, now=NOW - timedelta(days=90))
    clock_sweep(now=NOW)
    make_complaint(blacklist_entry=BlacklistEntryFactory(agency=idle))  # received only


def test_the_rollup_gives_the_figures_of_the_per_request_computation():
    _mixed_cases()
    statistics_refresh(now=NOW)
    expected = _figures(reference_statistics())
    assert _figures(agency_statistics()) == expected
    assert expected["bureau"][3][1] >= 3  # the missed deadlines are counted
    assert expected["bank"][5] >= 1 and expected["court"][5] >= 1  # an order carried out counts
    assert expected["court"][4] is not None


def test_reading_again_late_or_from_scratch_changes_nothing():
    _mixed_cases()
    statistics_refresh(now=NOW)
    first = _figures(agency_statistics())
    version = StatisticsState.objects.get().version
    statistics_refresh(now=NOW)
    statistics_refresh(now=NOW + timedelta(days=3))
    assert (
        statistics_refresh_cases(complaint_ids=Clock.objects.values_list("complaint_id", flat=True), now=NOW) is False
    )
    assert StatisticsState.objects.get().version == version  # nothing moved: the ETag stays
    statistics_rebuild(now=NOW)
    assert _figures(agency_statistics()) == first


def test_events_not_yet_settled_are_read_again():
    """An event newer than the settling time is read but not passed: a transaction that commits an
    older-numbered event later is still counted on the next run."""
    agency = AgencyFactory(slug="fresh")
    now = timezone.now()
    c = make_complaint(blacklist_entry=BlacklistEntryFactory(agency=agency), now=now)
    statistics_refresh(now=now)
    state = StatisticsState.objects.get()
    assert state.last_event_id < state.seen_event_id
    walk_to(c, Status.REFERRED, now=now)
    _answer(c, "corrected", at=now)
    statistics_refresh(now=now)
    assert _figures(agency_statistics())["fresh"][:2] == (1, 1)
    statistics_refresh(now=now + timedelta(hours=1))
    assert StatisticsState.objects.get().last_event_id == StatisticsState.objects.get().seen_event_id


def test_the_rollup_agrees_on_the_demo():
    call_command("seed_demo")
    statistics_refresh(now=timezone.now())
    assert _figures(agency_statistics()) == _figures(reference_statistics())


def test_a_refresh_costs_the_same_queries_for_few_and_many_changed_cases():
    agency = AgencyFactory(slug="many")

    def changed(n: int) -> int:
        for _ in range(n):
            c = make_complaint(blacklist_entry=BlacklistEntryFactory(agency=agency))
            walk_to(c, Status.REFERRED, now=NOW)
            _answer(c, "corrected", at=NOW)
        with CaptureQueriesContext(connection) as queries:
            statistics_refresh(now=NOW)
        return len(queries)

    changed(1)  # the first run creates the state row
    assert changed(2) == changed(12)


def test_the_pages_read_the_rollup_not_the_archive():
    agency = AgencyFactory(slug="read")
    for _ in range(3):
        c = make_complaint(blacklist_entry=BlacklistEntryFactory(agency=agency))
        walk_to(c, Status.REFERRED, now=NOW)
        _answer(c, "verified", at=NOW)
    statistics_refresh(now=NOW)
    client = Client()
    for url in ("/statistics/", "/statistics.json", "/statistics.csv"):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        tables = " ".join(q["sql"] for q in queries.captured_queries)
        assert "complaints_complaint" not in tables and "clocks_clock" not in tables
        assert "complaints_caseevent" in tables  # only the one look-up: anything new since the last run?
        # 7, and 2 for the ombudsman's own figures on the page and in the JSON
        assert len(queries) <= 9, [q["sql"][:80] for q in queries.captured_queries]


def test_the_periodic_task_reads_everything_in_chunks(monkeypatch):
    from public import tasks

    monkeypatch.setattr(tasks, "CHUNK", 3)
    agency = AgencyFactory(slug="chunked")
    for _ in range(4):
        c = make_complaint(blacklist_entry=BlacklistEntryFactory(agency=agency))
        walk_to(c, Status.REFERRED, now=NOW)
    assert tasks.refresh_statistics() >= 12
    assert _figures(agency_statistics())["chunked"][0] == 4
    assert Clock.objects.filter(obligation=Obligation.RESPOND).count() == 4
