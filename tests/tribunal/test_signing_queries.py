"""Signing a determination costs the same number of queries whether 5 or 200 agencies hold the
record (orders, clocks, timeline events and webhooks are written in bulk), and kicks the outbox
relay once for the whole transaction, not once per message."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from clocks.models import Clock
from complaints.models import CaseEvent
from kernel.actors import Actor
from kernel.events import CaseEventKind
from outbox.models import OutboxMessage
from outbox.services import LANE_WEBHOOKS, LaneKick
from tests.factories import NOW, AgencyFactory, BlacklistEntryFactory, RecordCategoryFactory, make_complaint
from tests.tribunal.conftest import link
from tribunal import services as ts
from tribunal.models import CorrectionOrder

pytestmark = pytest.mark.django_db

# 41 since a decision signed without a provisional decision records the reason (one timeline event).
MAX_QUERIES = 41
SUMMARY = "The listing had no legal basis and was ordered deleted."


def _sign_with_holders(n_recipients: int, officer, senior):  # type: ignore[no-untyped-def]
    category = RecordCategoryFactory()
    court = AgencyFactory()
    for _ in range(n_recipients):
        link(court, AgencyFactory(), category)
    entry = BlacklistEntryFactory(agency=court, category=category)
    complaint = make_complaint(blacklist_entry=entry, status="investigation")
    draft = ts.determination_save_draft(
        complaint_id=complaint.pk,
        actor=Actor.for_user(officer),
        outcome="upheld",
        findings="No legal basis.",
        reasons="Only a debtor's own conduct may be recorded.",
        remedies=[{"kind": "delete"}, {"kind": "apology"}],
        public_summary=SUMMARY,
        now=NOW,
    )
    with CaptureQueriesContext(connection) as queries:
        ts.determination_sign(
            determination_id=draft.pk,
            actor=Actor.for_user(senior),
            now=NOW,
            skip_provisional_reason="Decided without comments in this test.",
        )
    assert CorrectionOrder.objects.filter(complaint=complaint).count() == n_recipients + 1
    assert Clock.objects.filter(complaint=complaint, obligation="compliance").count() == n_recipients + 1
    assert (
        CaseEvent.objects.filter(complaint=complaint, kind=CaseEventKind.CORRECTION_ORDERED).count() == n_recipients + 1
    )
    assert (
        OutboxMessage.objects.filter(complaint_id=complaint.pk, topic="correction.ordered").count() == n_recipients + 1
    )
    # The test's transaction never commits: its pending callbacks hold one kick for everything
    # queued in it (filing, walking the case, signing), not one per message.
    assert [entry[1] for entry in connection.run_on_commit].count(LaneKick(LANE_WEBHOOKS)) == 1
    statements = [q["sql"] for q in queries.captured_queries]
    return len(statements), len([q for q in statements if not q.startswith(("SAVEPOINT", "RELEASE SAVEPOINT"))])


# PostgreSQL: SQLite splits a bulk insert into batches by its limit on query variables.
@pytest.mark.postgres
def test_signing_costs_the_same_queries_for_5_and_200_holders(officer, senior):
    five = _sign_with_holders(4, officer, senior)
    two_hundred = _sign_with_holders(199, officer, senior)
    assert five == two_hundred, (five, two_hundred)
    # Every statement counts, the nested steps' savepoints too (and the outer savepoint the test's
    # own transaction adds, which in production is the BEGIN). Outbox rows are queued with
    # INSERT ... ON CONFLICT DO NOTHING, no savepoint each.
    assert two_hundred[0] <= MAX_QUERIES, two_hundred
