"""One lock order (complaints.lifecycle): the case first, then its child rows. Signing a
determination (which supersedes the holder's pending orders), confirming an order and waiving
one run at the same moment on one case, each thread on its own PostgreSQL connection: no
deadlock, and no step's write is lost or overwritten by another's."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection, connections

from clocks.models import Clock, ClockStatus
from complaints import services as cs
from complaints.models import CaseEvent
from complaints.transitions import Status
from kernel.actors import Actor
from kernel.errors import Conflict
from tests.factories import NOW, BlacklistEntryFactory, SeniorOfficerFactory, make_complaint
from tribunal import services as ts
from tribunal.models import CorrectionOrder, CorrectionTrigger, Determination, DeterminationStatus, OrderStatus

from .test_services import SUMMARY

ROUNDS = 10
ENDING_EVENTS = {
    "correction_confirmed": OrderStatus.CONFIRMED,
    "correction_waived": OrderStatus.WAIVED,
    "correction_superseded": OrderStatus.SUPERSEDED,
}


def _case_with_draft_and_pending_orders(graph, officer):  # type: ignore[no-untyped-def]
    """A case under investigation with a draft determination, after the holder corrected its own
    record: its five recipients hold pending orders."""
    entry = BlacklistEntryFactory(agency=graph.court, category=graph.category, sanctions=["schools"])
    complaint = make_complaint(blacklist_entry=entry, status="referred")
    cs.complaint_record_agency_response(
        complaint_id=complaint.pk,
        actor=Actor.for_agency(graph.court),
        outcome="corrected",
        explanation="Reason corrected.",
        corrections=[{"field": "reason", "old_value": "debt", "new_value": "none"}],
        now=NOW,
    )
    cs.complaint_open_investigation(
        complaint_id=complaint.pk, actor=Actor.for_user(complaint.citizen.user), reason="Still listed.", now=NOW
    )
    draft = ts.determination_save_draft(
        complaint_id=complaint.pk,
        actor=Actor.for_user(officer),
        outcome="upheld",
        findings="f",
        reasons="r",
        remedies=[{"kind": "correct", "field": "reason", "new_value": "none"}, {"kind": "apology"}],
        public_summary=SUMMARY,
        now=NOW,
    )
    orders = {o.agency.slug: o for o in CorrectionOrder.objects.filter(complaint=complaint).select_related("agency")}
    return complaint, draft, orders


def _run_together(steps: dict[str, Callable[[], Any]]) -> dict[str, object]:
    """Start every step at the same moment, each in its own thread (so its own connection)."""
    barrier = threading.Barrier(len(steps))
    results: dict[str, object] = {}

    def run(name: str, fn: Callable[[], Any]) -> None:
        try:
            barrier.wait()
            fn()
            results[name] = "ok"
        except Exception as exc:  # every outcome is checked below
            results[name] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=item) for item in steps.items()]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not any(t.is_alive() for t in threads), "a step is still waiting for a lock"
    return results


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_sign_confirm_and_waive_at_once_never_deadlock_nor_lose_a_write(graph, officer, senior):
    assert connection.vendor == "postgresql"
    other_senior = Actor.for_user(SeniorOfficerFactory())
    evidence = {"evidence_before": {"reason": "debt"}, "evidence_after": {"reason": "none"}}
    for _round in range(ROUNDS):
        complaint, draft, orders = _case_with_draft_and_pending_orders(graph, officer)
        rail, air, school = orders["rail"], orders["air"], orders["school"]
        results = _run_together(
            {
                "sign": lambda: ts.determination_sign(
                    determination_id=draft.pk,
                    actor=Actor.for_user(senior),
                    now=NOW,
                    skip_provisional_reason="Decided without comments in this test.",
                ),
                # the rail's order is confirmed and waived at once: one of them (at most) wins
                "confirm_rail": lambda: ts.correction_order_confirm(
                    order_id=rail.pk, actor=Actor.for_agency(graph.rail), now=NOW, **evidence
                ),
                "waive_rail": lambda: ts.correction_order_waive(
                    order_id=rail.pk, actor=other_senior, reason="Never loaded.", now=NOW
                ),
                "confirm_air": lambda: ts.correction_order_confirm(
                    order_id=air.pk, actor=Actor.for_agency(graph.air), now=NOW, **evidence
                ),
                "waive_school": lambda: ts.correction_order_waive(
                    order_id=school.pk, actor=other_senior, reason="Never loaded.", now=NOW
                ),
            }
        )
        # every step either happened or was refused as a conflict (never a deadlock or another error)
        for name, result in results.items():
            assert result == "ok" or isinstance(result, Conflict), f"{name}: {result!r}"
        assert results["sign"] == "ok"
        assert [results["confirm_rail"], results["waive_rail"]].count("ok") <= 1

        # the determination is issued once and the case is in compliance with its orders out
        det = Determination.objects.get(pk=draft.pk)
        assert det.status == DeterminationStatus.ISSUED
        complaint.refresh_from_db()
        assert complaint.status == Status.COMPLIANCE
        issued = CorrectionOrder.objects.filter(determination=det)
        assert sorted(o.agency.slug for o in issued) == ["air", "bank", "bureau", "court", "rail", "school"]
        assert all(o.status == OrderStatus.ORDERED for o in issued)

        # each of the holder's orders ended exactly once, as its one ending event says, its
        # clock stopped accordingly, and a step reported as done is the one that ended it
        events = CaseEvent.objects.filter(complaint=complaint, kind__in=ENDING_EVENTS)
        ended_by = {e.data["order_id"]: e.kind for e in events}
        assert len(ended_by) == events.count()
        for order in CorrectionOrder.objects.filter(complaint=complaint, trigger=CorrectionTrigger.AGENCY_CORRECTION):
            assert order.status == ENDING_EVENTS[ended_by[order.pk]]
            clock = Clock.objects.get(subject_key=order.subject_key)
            expected = ClockStatus.MET if order.status == OrderStatus.CONFIRMED else ClockStatus.CANCELLED
            assert clock.status == expected
        statuses = {
            o.agency.slug: o.status for o in CorrectionOrder.objects.filter(pk__in=[rail.pk, air.pk, school.pk])
        }
        for name, slug, status in (
            ("confirm_rail", "rail", OrderStatus.CONFIRMED),
            ("waive_rail", "rail", OrderStatus.WAIVED),
            ("confirm_air", "air", OrderStatus.CONFIRMED),
            ("waive_school", "school", OrderStatus.WAIVED),
        ):
            assert (results[name] == "ok") == (statuses[slug] == status), (name, statuses)
