"""The paper's hardest case, end to end, against PostgreSQL, Redis and a real Celery worker.

A 16-year-old is put on a court's dishonest-debtor list because of her father's debt; the list is
shared with a rail operator, an airline, a school-admissions scheme and a bank. Her father files
for her. The court never answers: the clock sweep escalates it level by level to default and the
case goes to investigation. The ombudsman asks the bank (not a party) for information, decides,
and orders all five agencies to delete the entry. Three confirm on time; the bank's order is
waived with a reason; the school-admissions scheme misses its deadline, is escalated by the real
worker's sweep, then confirms through the agency API. The case closes by itself, and the timeline
shows every step with who took it.

Time: the story starts 60 days ago, so the first sweep (court in default) runs through the sweep
service at an explicit past time, and the last one through the real `clocks.tasks.sweep_clocks`
task on the worker at the real current time; API calls happen at the real current time too.
"""

from __future__ import annotations

import time
from datetime import date, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from agencies.models import RecordCategory
from citizens.models import BlacklistEntry, RecordStatus, RepresentativeKind
from clocks.models import Clock, ClockNotice, ClockStatus, NoticeKind
from clocks.sweep import clock_sweep
from clocks.tasks import sweep_clocks
from complaints import services as cs
from complaints.models import Complaint
from complaints.transitions import Status
from kernel.actors import Actor
from kernel.errors import NotAllowed
from outbox.models import OutboxMessage
from tests.agency_api.conftest import make_caller
from tests.factories import (
    AgencyFactory,
    CitizenFactory,
    DataSharingLinkFactory,
    OfficerFactory,
    SeniorOfficerFactory,
    UserFactory,
)
from tribunal import services as ts
from tribunal.models import CorrectionOrder, OrderStatus

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

DELETED = {"status": "deleted"}


def _wait_for(predicate, timeout: float = 60.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.25)
    raise AssertionError("the worker did not get there in time")


def test_minor_listed_for_a_parent_is_corrected_everywhere(celery_worker_process):
    real_now = timezone.now()
    t0 = real_now - timedelta(days=60)

    # --- the world: a court's list shared with four bodies --------------------------------
    family = RecordCategory.objects.get(code="derived-family-member")
    judgment = RecordCategory.objects.get(code="court-judgment-default")
    court = AgencyFactory(slug="e2e-court", name_en="Harbour Court (dishonest-debtor list)")
    rail = AgencyFactory(slug="e2e-rail", name_en="National Rail Ticketing")
    air = AgencyFactory(slug="e2e-air", name_en="SkyBridge Airlines")
    school = AgencyFactory(slug="e2e-school", name_en="Harbour School Admissions")
    bank = AgencyFactory(slug="e2e-bank", name_en="Harbour Commercial Bank")
    for recipient in (rail, air, school, bank):
        DataSharingLinkFactory(source=court, recipient=recipient, since=date(2020, 1, 1)).categories.set(
            [judgment, family]
        )
    officer = OfficerFactory(email="e2e-officer@example.org", full_name="Chen Jing")
    senior = SeniorOfficerFactory(email="e2e-senior@example.org", full_name="Wang Fang")
    father_user = UserFactory(email="e2e-father@example.org", full_name="Zhang Min")
    father = CitizenFactory(user=father_user, full_name="Zhang Min", date_of_birth=date(1978, 1, 1))
    daughter = CitizenFactory(
        user=None,
        full_name="Zhang Xiaoyu",
        email="",
        date_of_birth=date(2010, 6, 15),
        parent=father,
        representative=father_user,
        representative_kind=RepresentativeKind.PARENT,
    )
    assert daughter.is_minor(t0.date())
    father_entry = BlacklistEntry.objects.create(
        citizen=father,
        agency=court,
        agency_record_id="(2025)HG-ZX-0417",
        list_name="Dishonest judgment debtors",
        category=judgment,
        reason="Unpaid business loan",
        listed_on=date(2025, 4, 17),
        sanctions=["air_travel", "rail_travel", "schools"],
    )
    entry = BlacklistEntry.objects.create(
        citizen=daughter,
        agency=court,
        agency_record_id="(2025)HG-ZX-0417-D1",
        list_name="Dishonest judgment debtors (family restriction)",
        category=family,
        reason="Child of listed debtor",
        listed_on=date(2025, 6, 2),
        sanctions=["schools", "rail_travel", "air_travel"],
        derived_from_relative=True,
        derived_from=father_entry,
    )

    # --- the father files for his daughter ------------------------------------------------
    complaint = cs.complaint_submit(
        citizen=daughter,
        actor=Actor.for_user(father_user),
        respondent=court,
        blacklist_entry=entry,
        category="derived_from_relative",
        statement="My daughter was listed because of my debt. She cannot enrol in high school or take the train.",
        remedies_sought=["delete", "lift_sanction"],
        urgent=True,
        urgency_reason="school",
        now=t0,
    )
    o, s = Actor.for_user(officer), Actor.for_user(senior)
    cs.complaint_assign(complaint_id=complaint.pk, officer=officer, actor=o, now=t0 + timedelta(minutes=30))
    complaint = cs.complaint_start_screening(complaint_id=complaint.pk, actor=o, now=t0 + timedelta(hours=1))
    assert complaint.flag_unlawful_category and complaint.flag_derived_from_relative
    cs.complaint_refer(complaint_id=complaint.pk, actor=o, now=t0 + timedelta(hours=2))
    respond = Clock.objects.get(complaint=complaint, obligation="respond", agency=court)
    assert respond.rule.code == "omb-agency-response-urgent"

    # --- the court never answers: the sweep escalates it to default ------------------------
    first_sweep = t0 + timedelta(days=25)
    result = clock_sweep(now=first_sweep)
    assert result.investigations == 1
    complaint.refresh_from_db()
    assert complaint.status == Status.INVESTIGATION and complaint.agency_in_default
    assert set(
        ClockNotice.objects.filter(clock=respond, kind=NoticeKind.ESCALATION).values_list("level", flat=True)
    ) == {
        1,
        2,
        3,
    }

    # --- investigation: an information request to the bank (not a party) -------------------
    request = ts.information_request_create(
        complaint_id=complaint.pk,
        agency=bank,
        actor=o,
        questions=["When did you receive the listing, and which decisions did it affect?"],
        requested_documents=["The record as you hold it"],
        now=first_sweep + timedelta(days=1),
    )
    ts.information_request_answer(
        request_id=request.pk,
        actor=Actor.for_agency(bank, "Harbour Commercial Bank (API)"),
        answer_text="Received 2025-06-03 through the joint-punishment feed; a student-account application was refused.",
        now=first_sweep + timedelta(days=3),
    )

    # --- the determination: drafted by the officer, signed by the senior officer -----------
    decided = first_sweep + timedelta(days=5)
    draft = ts.determination_save_draft(
        complaint_id=complaint.pk,
        actor=o,
        outcome="upheld",
        findings="The entry was extended to a minor from her father's record; the court did not answer in time.",
        reasons="Only a debtor's own conduct may be recorded (Guo Ban Fa [2020] No. 49); family extension has no "
        "legal basis in the catalogue. The court is in default.",
        remedies=[{"kind": "delete"}, {"kind": "apology"}],
        public_summary="A minor was listed on a court's dishonest-debtor list because of a parent's debt and "
        "barred from school enrolment and rail travel. The listing had no legal basis; the court and every body "
        "it shared the list with were ordered to delete it.",
        now=decided,
    )
    with pytest.raises(NotAllowed, match="senior officer"):  # the drafting officer cannot sign
        ts.determination_sign(
            determination_id=draft.pk,
            actor=o,
            now=decided,
            skip_provisional_reason="Decided without comments in this test.",
        )
    det = ts.determination_sign(
        determination_id=draft.pk,
        actor=s,
        now=decided + timedelta(hours=1),
        skip_provisional_reason="Decided without comments in this test.",
    )
    complaint.refresh_from_db()
    assert complaint.status == Status.COMPLIANCE
    orders = {order.agency_id: order for order in CorrectionOrder.objects.filter(determination=det)}
    assert set(orders) == {court.pk, rail.pk, air.pk, school.pk, bank.pk}  # all five, each once
    hooks = OutboxMessage.objects.filter(complaint_id=complaint.pk, topic="correction.ordered")
    assert sorted(h.agency_id for h in hooks) == sorted(orders)
    assert (
        OutboxMessage.objects.filter(complaint_id=complaint.pk, topic="determination.issued", agency=court).count() == 1
    )
    for order in orders.values():
        assert Clock.objects.get(subject_key=order.subject_key).obligation == "compliance"

    # --- three confirm on time; the bank's order is waived with a reason ----------------------
    on_time = decided + timedelta(days=3)
    for agency in (court, rail, air):
        ts.correction_order_confirm(
            order_id=orders[agency.pk].pk,
            actor=Actor.for_agency(agency, f"{agency.name_en} (API)"),
            evidence_before={"status": "active", "record": entry.agency_record_id},
            evidence_after=DELETED,
            now=on_time,
        )
    ts.correction_order_waive(
        order_id=orders[bank.pk].pk,
        actor=s,
        reason="The bank's answer to the information request shows it kept no copy after the refusal; "
        "its feed extract from the court was purged on 2025-12-31.",
        now=on_time + timedelta(hours=1),
    )
    complaint.refresh_from_db()
    assert complaint.status == Status.COMPLIANCE  # the school has not acted

    # --- the school misses its deadline: the real worker's sweep escalates it ---------------
    school_clock = Clock.objects.get(subject_key=orders[school.pk].subject_key)
    assert school_clock.due_at < real_now - timedelta(days=7)  # past every escalation level
    sweep_clocks.delay()
    _wait_for(lambda: ClockNotice.objects.filter(clock=school_clock, kind=NoticeKind.ESCALATION, level=3).exists())
    school_clock.refresh_from_db()
    assert school_clock.status == ClockStatus.MISSED and school_clock.escalation_level == 3
    assert OutboxMessage.objects.filter(
        complaint_id=complaint.pk, topic="email.clock.escalated", recipient=senior.email
    ).exists()
    complaint.refresh_from_db()
    assert complaint.status == Status.COMPLIANCE  # level 3 of an order alerts; it changes no status

    # the father sees who held the record and where each order stands
    web = Client()
    web.force_login(father_user)
    holders = web.get(f"/api/v1/cases/{complaint.reference}/record-holders/").json()
    states = {row["agency_slug"]: (row["status"], row["escalation_level"]) for row in holders["orders"]}
    assert states == {
        "e2e-court": ("confirmed", 0),
        "e2e-rail": ("confirmed", 0),
        "e2e-air": ("confirmed", 0),
        "e2e-bank": ("waived", 0),
        "e2e-school": ("ordered", 3),
    }
    assert {h["agency_slug"] for h in holders["holders"]} == set(states)
    stranger = Client()
    stranger.force_login(UserFactory())
    assert stranger.get(f"/api/v1/cases/{complaint.reference}/record-holders/").status_code == 404

    # --- then the school confirms through the agency API; the case closes -------------------
    school_api = make_caller(school)
    listed = school_api.get("/api/v1/agency/corrections/?status=ordered").json()["results"]
    assert [row["id"] for row in listed] == [orders[school.pk].pk]
    response = school_api.post(
        f"/api/v1/agency/corrections/{orders[school.pk].pk}/confirm",
        {
            "evidence_before": {"status": "active", "list": "restricted enrolment"},
            "evidence_after": DELETED,
            "note": "Removed from the enrolment screening list.",
        },
        format="json",
        HTTP_IDEMPOTENCY_KEY="school-confirm-1",
    )
    assert response.status_code == 200, response.content
    complaint.refresh_from_db()
    assert complaint.status == Status.CLOSED and complaint.closed_at is not None
    entry.refresh_from_db()
    assert entry.status == RecordStatus.DELETED
    assert CorrectionOrder.objects.filter(complaint=complaint, status=OrderStatus.ORDERED).count() == 0

    # --- the timeline shows every step, in order, with its actor ----------------------------
    events = list(Complaint.objects.get(pk=complaint.pk).events.order_by("created_at", "id"))
    assert [e.pk for e in events] == sorted(e.pk for e in events)  # written in time order
    assert all(e.actor_label for e in events)
    steps = [(e.kind, e.actor_kind, e.actor_label) for e in events]

    def step(kind: str, actor_kind: str, label: str | None = None) -> int:
        for i, (k, a, lbl) in enumerate(steps):
            if k == kind and a == actor_kind and (label is None or label in lbl):
                return i
        raise AssertionError(f"no {kind} by {actor_kind} {label or ''} in {steps}")

    order_of_steps = [
        step("submitted", "citizen", "Zhang Min"),
        step("start_screening", "officer", "Chen Jing"),
        step("refer", "officer"),
        step("clock_escalated", "system"),
        step("open_investigation", "system"),
        step("information_requested", "officer"),
        step("information_answered", "agency", "Harbour Commercial Bank"),
        step("determination_drafted", "officer"),
        step("issue_determination", "senior_officer", "Wang Fang"),
        step("correction_ordered", "senior_officer"),
        step("start_compliance", "senior_officer"),
        step("correction_confirmed", "agency", "Harbour Court"),
        step("correction_waived", "senior_officer"),
        step("correction_confirmed", "agency", school_api.client.label),
        step("close", "system"),
    ]
    assert order_of_steps == sorted(order_of_steps)
    assert sum(1 for k, _a, _l in steps if k == "correction_ordered") == 5
    assert sum(1 for k, _a, _l in steps if k == "correction_confirmed") == 4
    school_escalations = [
        e for e in events if e.kind == "clock_escalated" and e.data.get("clock_id") == school_clock.pk
    ]
    assert len(school_escalations) == 3, [e.data for e in events if e.kind == "clock_escalated"]
