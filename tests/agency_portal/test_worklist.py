"""The work list: the agency's running clocks, nearest deadline first, with counts, filters and
search by reference or the agency's own record id; exports as CSV and JSON."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from clocks.models import Clock, ClockStatus
from kernel.actors import Actor
from tests.factories import make_complaint
from tests.tribunal.test_services import investigating, issue
from tribunal import services as ts

from .conftest import make_member, signed_in

pytestmark = pytest.mark.django_db


def test_rows_are_sorted_by_deadline_and_say_what_is_owed(graph, officer, senior):  # type: ignore[no-untyped-def]
    now = timezone.now()
    referral = make_complaint(
        status="referred", entry_kwargs={"agency": graph.bank, "agency_record_id": "B-77"}, now=now
    )
    ts.information_request_create(
        complaint_id=investigating(graph).pk, agency=graph.bank, actor=Actor.for_user(officer), questions=["?"], now=now
    )
    issue(investigating(graph), officer, senior, now=now)
    make_complaint(status="referred", entry_kwargs={"agency": graph.rail})  # another agency's: absent
    client = signed_in(make_member(graph.bank))
    page = client.get(reverse("agency_portal:worklist"))
    assert page.status_code == 200
    items = page.context["items"]
    assert [i.clock.due_at for i in items] == sorted(i.clock.due_at for i in items)
    kinds = {i.kind for i in items}
    assert kinds == {"referral", "information_request", "correction_order"}
    assert {i.complaint.respondent_id for i in items if i.kind == "referral"} == {graph.bank.pk}
    owed = {str(i.clock.get_obligation_display()) for i in items}
    assert {"Acknowledge the referral", "Answer an information request", "Carry out an order"} <= owed
    html = page.content.decode()
    assert referral.reference in html and "B-77" in html

    by_record = client.get(reverse("agency_portal:worklist"), {"q": "b-77"}).context["items"]
    assert {i.complaint.pk for i in by_record} == {referral.pk}
    by_ref = client.get(reverse("agency_portal:worklist"), {"q": referral.reference}).context["items"]
    assert {i.complaint.pk for i in by_ref} == {referral.pk}
    orders = client.get(reverse("agency_portal:worklist"), {"kind": "correction_order"}).context["items"]
    assert [i.kind for i in orders] == ["correction_order"]
    bad = client.get(reverse("agency_portal:worklist"), {"kind": "nonsense"})
    assert bad.status_code == 400 and "kind" in bad.context["form"].errors


def test_counts_due_today_overdue_and_escalated(graph):  # type: ignore[no-untyped-def]
    now = timezone.now()
    a = make_complaint(status="referred", entry_kwargs={"agency": graph.court}, now=now)
    b = make_complaint(status="referred", entry_kwargs={"agency": graph.court}, now=now)
    Clock.objects.filter(complaint=a, obligation="acknowledge").update(due_at=now - timedelta(hours=1))
    Clock.objects.filter(complaint=b, obligation="acknowledge").update(
        due_at=now - timedelta(days=2), status=ClockStatus.MISSED, escalation_level=1
    )
    make_complaint(status="referred", entry_kwargs={"agency": graph.rail}, now=now)
    rail_clock = Clock.objects.filter(agency=graph.rail).first()
    Clock.objects.filter(pk=rail_clock.pk).update(due_at=now - timedelta(hours=1))  # not the court's
    client = signed_in(make_member(graph.court))
    counts = client.get(reverse("agency_portal:worklist")).context["counts"]
    assert counts["overdue"] == 2 and counts["escalated"] == 1
    escalated = client.get(reverse("agency_portal:worklist"), {"state": "escalated"}).context["items"]
    assert [i.complaint.pk for i in escalated] == [b.pk]


def test_exports_are_scoped(graph):  # type: ignore[no-untyped-def]
    mine = make_complaint(status="referred", entry_kwargs={"agency": graph.court, "agency_record_id": "=cmd|x"})
    theirs = make_complaint(status="referred", entry_kwargs={"agency": graph.rail})
    client = signed_in(make_member(graph.court))
    for what in ("worklist", "history"):
        raw = client.get(reverse("agency_portal:export", args=[what, "csv"]))
        assert raw.status_code == 200 and raw["Content-Type"].startswith("text/csv")
        text = raw.content.decode("utf-8-sig")
        assert mine.reference in text and theirs.reference not in text
        assert "'=cmd|x" in text
        body = json.loads(client.get(reverse("agency_portal:export", args=[what, "json"])).content)
        assert {r["reference"] for r in body["rows"]} == {mine.reference}
    assert client.get(reverse("agency_portal:export", args=["worklist", "xlsx"])).status_code == 404
    assert client.get(reverse("agency_portal:export", args=["users", "csv"])).status_code == 404
