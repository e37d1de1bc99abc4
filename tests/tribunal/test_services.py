"""The tribunal's services against the database (SQLite by default, PostgreSQL in CI)."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.management import call_command

from citizens.models import RecordStatus
from clocks.models import Clock, ClockStatus
from clocks.sweep import clock_sweep
from complaints import services as cs
from complaints.models import CaseEvent, Complaint
from complaints.transitions import Status
from kernel.actors import Actor
from kernel.errors import Conflict, NotAllowed, ServiceError
from outbox.models import OutboxMessage
from tests.factories import NOW, AgencyFactory, OfficerFactory, SeniorOfficerFactory, make_complaint
from tribunal import services as ts
from tribunal.models import (
    CorrectionOrder,
    CriteriaDisclosure,
    DeletionWatch,
    DeterminationStatus,
    InformationRequestStatus,
    OrderStatus,
)

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
DELETE = [{"kind": "delete"}, {"kind": "apology"}, {"kind": "compensation", "amount": "500", "currency": "CNY"}]
SUMMARY = "A child was listed because of a parent's debt. The listing had no legal basis and was ordered deleted."


def investigating(graph, **kw):
    return make_complaint(blacklist_entry=graph.entry, status="investigation", category="derived_from_relative", **kw)


def investigating_after_referral(graph, **kw):
    """A case the agency had (referred, then investigated): the agency is a party to the decision."""
    complaint = make_complaint(blacklist_entry=graph.entry, status="referred", category="derived_from_relative", **kw)
    cs.complaint_open_investigation(
        complaint_id=complaint.pk, actor=Actor.for_user(OfficerFactory()), reason="Contested.", now=NOW
    )
    complaint.refresh_from_db()
    return complaint


def issue(
    complaint,
    officer,
    senior,
    remedies=DELETE,
    outcome="upheld",
    summary=SUMMARY,
    now=NOW,
    findings="The entry was derived from the parent's record.",
    reasons="Only a debtor's own conduct may be recorded.",
):
    """Draft by `officer`, signed by `senior`: the determination as issued."""
    draft = ts.determination_save_draft(
        complaint_id=complaint.pk,
        actor=Actor.for_user(officer),
        outcome=outcome,
        findings=findings,
        reasons=reasons,
        remedies=remedies,
        public_summary=summary,
        now=now,
    )
    return ts.determination_sign(
        determination_id=draft.pk,
        actor=Actor.for_user(senior),
        now=now,
        skip_provisional_reason="Decided without comments in this test.",
    )


def evidence_deleted():
    return {"before": {"status": "active", "list": "dishonest debtors"}, "after": {"status": "deleted"}}


# --- information requests ---------------------------------------------------------------------


def test_information_request_to_a_non_party_starts_its_clock_and_webhook(graph, officer):
    complaint = investigating(graph)
    req = ts.information_request_create(
        complaint_id=complaint.pk,
        agency=graph.bank,  # not the respondent
        actor=Actor.for_user(officer),
        questions=["Where did you get the listing?", "Which decisions did it affect?"],
        requested_documents=["The record as received"],
        now=NOW,
    )
    clock = Clock.objects.get(subject_key=f"information_request:{req.pk}")
    assert clock.obligation == "information_request" and clock.agency == graph.bank
    assert req.due_at == clock.due_at
    assert NOW + timedelta(days=14) < clock.due_at < NOW + timedelta(days=17)
    hook = OutboxMessage.objects.get(topic="information_request.created")
    assert hook.agency_id == graph.bank.pk and hook.payload["data"]["questions"][0].startswith("Where")
    assert "national_id" not in str(hook.payload).replace("national_id_masked", "")
    assert complaint.events.filter(kind="information_requested", actor_user=officer).exists()


def test_information_request_guards(graph, officer):
    complaint = make_complaint(blacklist_entry=graph.entry, status="referred")
    with pytest.raises(Conflict):
        ts.information_request_create(
            complaint_id=complaint.pk, agency=graph.bank, actor=Actor.for_user(officer), questions=["Q"], now=NOW
        )
    complaint = investigating(graph)
    citizen_actor = Actor.for_user(complaint.citizen.user)
    with pytest.raises(NotAllowed):
        ts.information_request_create(
            complaint_id=complaint.pk, agency=graph.bank, actor=citizen_actor, questions=["Q"], now=NOW
        )
    with pytest.raises(ServiceError) as err:
        ts.information_request_create(
            complaint_id=complaint.pk, agency=graph.bank, actor=Actor.for_user(officer), questions=[], now=NOW
        )
    assert err.value.field == "questions"


def test_information_request_answer_with_files_meets_the_clock(graph, officer):
    complaint = investigating(graph)
    req = ts.information_request_create(
        complaint_id=complaint.pk, agency=graph.bank, actor=Actor.for_user(officer), questions=["Q?"], now=NOW
    )
    with pytest.raises(NotAllowed):
        ts.information_request_answer(
            request_id=req.pk, actor=Actor.for_agency(graph.air), answer_text="not mine", now=NOW
        )
    with pytest.raises(ServiceError) as bad:
        ts.information_request_answer(
            request_id=req.pk,
            actor=Actor.for_agency(graph.bank),
            answer_text="Here",
            files=[ts.Upload(io.BytesIO(b"MZ\x90\x00 not a pdf"), "x.exe")],
            now=NOW,
        )
    assert bad.value.field == "file"
    later = NOW + timedelta(days=3)
    req = ts.information_request_answer(
        request_id=req.pk,
        actor=Actor.for_agency(graph.bank),
        answer_text="We received it from the court on 2025-06-03.",
        answers=[{"question": "Q?", "answer": "From the court."}],
        files=[ts.Upload(io.BytesIO(PDF), "../../etc/record.pdf")],
        now=later,
    )
    assert req.status == InformationRequestStatus.ANSWERED
    doc = req.documents.get()
    assert doc.content_type == "application/pdf" and doc.original_name == "record.pdf"
    assert Clock.objects.get(subject_key=req.subject_key).status == ClockStatus.MET
    with pytest.raises(Conflict):
        ts.information_request_answer(request_id=req.pk, actor=Actor.for_agency(graph.bank), answer_text="x", now=later)


def test_information_request_cancel_cancels_the_clock(graph, officer):
    complaint = investigating(graph)
    req = ts.information_request_create(
        complaint_id=complaint.pk, agency=graph.rail, actor=Actor.for_user(officer), questions=["Q?"], now=NOW
    )
    ts.information_request_cancel(request_id=req.pk, actor=Actor.for_user(officer), reason="Answered by phone", now=NOW)
    assert Clock.objects.get(subject_key=req.subject_key).status == ClockStatus.CANCELLED


# --- determinations ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "summary, problem",
    [
        ("{name} was listed because of a parent.", "name of a party"),
        ("The person with ID 110101201006150021 was listed.", "looks like an ID"),
        ("Call 138 0000 0001 for details.", "looks like an ID"),
        ("Write to someone@example.org.", "email"),
        ("Record {ref} was deleted.", "record's reference"),
    ],
)
def test_public_summary_refuses_personal_data(graph, officer, summary, problem):
    complaint = investigating(graph)
    text = summary.format(name=complaint.citizen.full_name.upper(), ref=graph.entry.agency_record_id)
    with pytest.raises(ServiceError) as err:
        ts.determination_save_draft(
            complaint_id=complaint.pk,
            actor=Actor.for_user(officer),
            outcome="upheld",
            findings="f",
            reasons="r",
            remedies=DELETE,
            public_summary=text,
            now=NOW,
        )
    assert err.value.field == "public_summary"
    assert problem in err.value.message


def test_public_summary_allows_dates_and_amounts(graph):
    complaint = investigating(graph)
    text = "Listed on 2025-06-02 (2025年6月2日) for a debt of RMB 380,000; deleted within 15 days."
    assert ts.public_summary_problems(text, complaint) == []
    assert ts.public_summary_problems("ID 2025-06-021234 5678", complaint) != []


@pytest.mark.parametrize(
    "outcome, remedies, field",
    [
        ("not_upheld", [{"kind": "apology"}], "remedies"),
        ("upheld", [], "remedies"),
        ("upheld", [{"kind": "lift_sanction", "sanction": "teleport"}], "remedies"),
        ("upheld", [{"kind": "compensation", "amount": "-3"}], "remedies"),
        ("upheld", [{"kind": "correct"}], "remedies"),
        ("upheld", [{"kind": "delete"}, {"kind": "annotate"}], "remedies"),
        ("maybe", [{"kind": "apology"}], "outcome"),
    ],
)
def test_draft_validates_outcome_and_remedies(graph, officer, outcome, remedies, field):
    complaint = investigating(graph)
    with pytest.raises(ServiceError) as err:
        ts.determination_save_draft(
            complaint_id=complaint.pk,
            actor=Actor.for_user(officer),
            outcome=outcome,
            findings="f",
            reasons="r",
            remedies=remedies,
            public_summary=SUMMARY,
            now=NOW,
        )
    assert err.value.field == field


def test_two_different_people_draft_and_sign(graph, officer, senior):
    complaint = investigating(graph)
    draft = ts.determination_save_draft(
        complaint_id=complaint.pk,
        actor=Actor.for_user(senior),
        outcome="upheld",
        findings="f",
        reasons="r",
        remedies=DELETE,
        public_summary=SUMMARY,
        now=NOW,
    )
    with pytest.raises(NotAllowed):  # the drafter cannot sign, even as a senior officer
        ts.determination_sign(
            determination_id=draft.pk,
            actor=Actor.for_user(senior),
            now=NOW,
            skip_provisional_reason="Decided without comments in this test.",
        )
    with pytest.raises(NotAllowed):  # a case officer cannot sign at all
        ts.determination_sign(
            determination_id=draft.pk,
            actor=Actor.for_user(officer),
            now=NOW,
            skip_provisional_reason="Decided without comments in this test.",
        )
    # the officer edits the draft: now the officer is the drafter and the senior may sign
    ts.determination_save_draft(
        complaint_id=complaint.pk,
        actor=Actor.for_user(officer),
        outcome="upheld",
        findings="f2",
        reasons="r",
        remedies=DELETE,
        public_summary=SUMMARY,
        now=NOW,
    )
    det = ts.determination_sign(
        determination_id=draft.pk,
        actor=Actor.for_user(senior),
        now=NOW,
        skip_provisional_reason="Decided without comments in this test.",
    )
    assert det.status == DeterminationStatus.ISSUED and det.number and det.findings == "f2"
    with pytest.raises(Conflict):
        ts.determination_sign(
            determination_id=draft.pk,
            actor=Actor.for_user(SeniorOfficerFactory()),
            now=NOW,
            skip_provisional_reason="Decided without comments in this test.",
        )


def test_signing_issues_orders_to_every_holder_once(graph, officer, senior):
    complaint = investigating(graph)
    det = issue(complaint, officer, senior)
    complaint.refresh_from_db()
    assert complaint.status == Status.COMPLIANCE
    orders = {o.agency.slug: o for o in CorrectionOrder.objects.filter(determination=det)}
    # court + its four recipients + the bureau (through the bank); the cycle bureau->bank->...
    # and bureau->court give nobody a second order; other-category, inactive and expired links
    # are not followed.
    assert sorted(orders) == ["air", "bank", "bureau", "court", "rail", "school"]
    assert orders["bureau"].path == ["court", "bank", "bureau"] and orders["bureau"].depth == 2
    assert orders["court"].received_via is None and orders["rail"].received_via == graph.court
    # the respondent carries out every remedy; recipients only those that change the record
    assert [a["kind"] for a in orders["court"].actions] == ["delete", "apology", "compensation"]
    assert [a["kind"] for a in orders["rail"].actions] == ["delete"]
    for order in orders.values():
        clock = Clock.objects.get(subject_key=f"correction_order:{order.pk}")
        assert clock.obligation == "compliance" and clock.agency_id == order.agency_id
        assert order.due_at == clock.due_at
    hooks = OutboxMessage.objects.filter(topic="correction.ordered")
    assert sorted(h.agency.slug for h in hooks) == sorted(orders)
    issued = OutboxMessage.objects.get(topic="determination.issued")
    assert issued.agency_id == graph.court.pk and issued.payload["data"]["outcome"] == "upheld"
    assert DeletionWatch.objects.filter(complaint=complaint, active=True).count() == 1
    # the citizen (and the parent who filed) were told
    assert OutboxMessage.objects.filter(topic="email.status.determination", complaint_id=complaint.pk).exists()


def test_apology_only_goes_to_the_respondent(graph, officer, senior):
    complaint = investigating(graph)
    det = issue(complaint, officer, senior, remedies=[{"kind": "apology"}], outcome="partly_upheld")
    assert [o.agency.slug for o in det.orders.all()] == ["court"]


def test_not_upheld_closes_without_orders(graph, officer, senior):
    complaint = investigating(graph)
    issue(complaint, officer, senior, remedies=[], outcome="not_upheld")
    complaint.refresh_from_db()
    assert complaint.status == Status.CLOSED
    assert not CorrectionOrder.objects.exists()


# --- confirmation, waiver, closing ------------------------------------------------------------


def test_confirm_checks_agency_and_evidence_and_last_one_closes(graph, officer, senior):
    complaint = investigating(graph)
    det = issue(complaint, officer, senior)
    orders = list(det.orders.order_by("depth", "id"))
    court_order = next(o for o in orders if o.agency == graph.court)
    with pytest.raises(NotAllowed):
        ts.correction_order_confirm(
            order_id=court_order.pk,
            actor=Actor.for_agency(graph.rail),
            evidence_before={"a": 1},
            evidence_after={"status": "deleted"},
            now=NOW,
        )
    with pytest.raises(ServiceError) as err:
        ts.correction_order_confirm(
            order_id=court_order.pk,
            actor=Actor.for_agency(graph.court),
            evidence_before={"status": "active"},
            evidence_after={"status": "active"},
            now=NOW,
        )
    assert err.value.field == "evidence_after"
    with pytest.raises(ServiceError) as err:
        ts.correction_order_confirm(
            order_id=court_order.pk,
            actor=Actor.for_agency(graph.court),
            evidence_before={},
            evidence_after={"status": "deleted"},
            now=NOW,
        )
    assert err.value.field == "evidence_before"
    # the case cannot be closed by hand while orders are outstanding
    with pytest.raises(Conflict):
        cs.complaint_close(complaint_id=complaint.pk, actor=Actor.for_user(officer), now=NOW)
    later = NOW + timedelta(days=2)
    ev = evidence_deleted()
    for order in orders[:-1]:
        ts.correction_order_confirm(
            order_id=order.pk,
            actor=Actor.for_agency(order.agency),
            evidence_before=ev["before"],
            evidence_after=ev["after"],
            now=later,
        )
        complaint.refresh_from_db()
        assert complaint.status == Status.COMPLIANCE
    graph.entry.refresh_from_db()
    assert graph.entry.status == RecordStatus.DELETED
    with pytest.raises(NotAllowed):
        ts.correction_order_waive(order_id=orders[-1].pk, actor=Actor.for_user(officer), reason="x", now=later)
    with pytest.raises(ServiceError):
        ts.correction_order_waive(order_id=orders[-1].pk, actor=Actor.for_user(senior), reason=" ", now=later)
    ts.correction_order_waive(
        order_id=orders[-1].pk,
        actor=Actor.for_user(senior),
        reason="The agency showed it never loaded the record.",
        now=later,
    )
    complaint.refresh_from_db()
    assert complaint.status == Status.CLOSED
    close = complaint.events.get(kind="close")
    assert close.actor_kind == "system"
    assert Clock.objects.get(subject_key=orders[-1].subject_key).status == ClockStatus.CANCELLED
    with pytest.raises(Conflict):
        ts.correction_order_confirm(
            order_id=orders[0].pk,
            actor=Actor.for_agency(orders[0].agency),
            evidence_before=ev["before"],
            evidence_after=ev["after"],
            now=later,
        )


def test_correct_field_and_lift_sanction_evidence(graph, officer, senior):
    complaint = investigating(graph)
    remedies = [
        {"kind": "correct", "field": "reason", "new_value": "Listed in error"},
        {"kind": "lift_sanction", "sanction": "schools"},
    ]
    det = issue(complaint, officer, senior, remedies=remedies)
    order = det.orders.get(agency=graph.court)
    with pytest.raises(ServiceError, match="reason"):
        ts.correction_order_confirm(
            order_id=order.pk,
            actor=Actor.for_agency(graph.court),
            evidence_before={"reason": "debt"},
            evidence_after={"reason": "debt", "sanctions": []},
            now=NOW,
        )
    with pytest.raises(ServiceError, match="schools"):
        ts.correction_order_confirm(
            order_id=order.pk,
            actor=Actor.for_agency(graph.court),
            evidence_before={"reason": "debt"},
            evidence_after={"reason": "Listed in error", "sanctions": ["schools"]},
            now=NOW,
        )
    ts.correction_order_confirm(
        order_id=order.pk,
        actor=Actor.for_agency(graph.court),
        evidence_before={"reason": "debt", "sanctions": ["schools", "rail_travel"]},
        evidence_after={"reason": "Listed in error", "sanctions": ["rail_travel"]},
        now=NOW,
    )
    graph.entry.refresh_from_db()
    assert graph.entry.status == RecordStatus.CORRECTED and graph.entry.sanctions == ["rail_travel"]


def test_disclose_criteria_order_fills_the_register(graph, officer, senior):
    complaint = investigating(graph)
    det = issue(complaint, officer, senior, remedies=[{"kind": "disclose_criteria"}])
    order = det.orders.get()
    with pytest.raises(ServiceError) as err:
        ts.correction_order_confirm(
            order_id=order.pk,
            actor=Actor.for_agency(graph.court),
            evidence_before={"published": False},
            evidence_after={"published": True},
            now=NOW,
        )
    assert err.value.field == "scoring_criteria"
    ts.correction_order_confirm(
        order_id=order.pk,
        actor=Actor.for_agency(graph.court),
        evidence_before={"published": False},
        evidence_after={"published": True},
        scoring_criteria=[{"factor": "judgment performance", "description": "Unpaid effective judgments"}],
        now=NOW,
    )
    disclosure = CriteriaDisclosure.objects.get(agency=graph.court)
    assert disclosure.version == 1 and disclosure.source_order == order


# --- agencies' own corrections ----------------------------------------------------------------


def test_agency_deleting_its_record_propagates_to_its_recipients_only(graph):
    complaint = make_complaint(blacklist_entry=graph.entry, status="referred")
    cs.complaint_record_agency_response(
        complaint_id=complaint.pk,
        actor=Actor.for_agency(graph.court),
        outcome="deleted",
        explanation="Removed: a child may not be listed for a parent's debt.",
        now=NOW,
    )
    orders = CorrectionOrder.objects.filter(complaint=complaint)
    assert sorted(o.agency.slug for o in orders) == ["air", "bank", "bureau", "rail", "school"]
    assert all(o.trigger == "agency_correction" and o.actions == [{"kind": "delete"}] for o in orders)
    watch = DeletionWatch.objects.get(complaint=complaint)
    assert graph.court in watch.agencies.all()
    # the citizen confirms the correction, but the case cannot close while recipients have not acted
    cs.complaint_resolve(complaint_id=complaint.pk, actor=Actor.for_user(complaint.citizen.user), now=NOW)
    with pytest.raises(Conflict):
        cs.complaint_close(complaint_id=complaint.pk, actor=Actor.system(), now=NOW)


def test_agency_correcting_fields_propagates_the_fields(graph):
    complaint = make_complaint(blacklist_entry=graph.entry, status="referred")
    cs.complaint_record_agency_response(
        complaint_id=complaint.pk,
        actor=Actor.for_agency(graph.court),
        outcome="corrected",
        explanation="Fixed.",
        corrections=[{"field": "reason", "old_value": "debt", "new_value": "none"}],
        now=NOW,
    )
    order = CorrectionOrder.objects.get(complaint=complaint, agency=graph.rail)
    assert order.actions == [{"kind": "correct", "field": "reason", "new_value": "none"}]
    with pytest.raises(ServiceError):
        ts.correction_order_confirm(
            order_id=order.pk,
            actor=Actor.for_agency(graph.rail),
            evidence_before={"reason": "debt"},
            evidence_after={"reason": "debt"},
            now=NOW,
        )


def test_verified_answer_propagates_nothing(graph):
    complaint = make_complaint(blacklist_entry=graph.entry, status="referred")
    cs.complaint_record_agency_response(
        complaint_id=complaint.pk,
        actor=Actor.for_agency(complaint.respondent),
        outcome="verified",
        explanation="Checked.",
        now=NOW,
    )
    complaint.refresh_from_db()
    assert complaint.agency_responses.get().outcome == "verified"
    assert complaint.status == "investigation"  # a verified answer is checked independently
    assert not CorrectionOrder.objects.exists()


# --- criteria register ------------------------------------------------------------------------


def test_scoring_criteria_from_responses_are_versioned():
    complaint = make_complaint(
        status="referred", category="undisclosed_criteria", remedies_sought=["disclose_criteria"]
    )
    agency = complaint.respondent
    crit = [{"factor": "payment history", "description": "Late payments in 24 months", "direction_or_weight": "-"}]
    cs.complaint_record_agency_response(
        complaint_id=complaint.pk,
        actor=Actor.for_agency(agency),
        outcome="verified",
        explanation="Here are the criteria.",
        scoring_criteria=crit,
        now=NOW,
    )
    first = CriteriaDisclosure.objects.get(agency=agency)
    assert first.version == 1 and first.criteria[0]["factor"] == "payment history"
    assert first.criteria[0]["data_source"] == ""
    # the same criteria again: no new version; changed criteria: version 2, dated
    assert ts.criteria_disclosure_record(agency=agency, criteria=first.criteria, now=NOW) == first
    later = NOW + timedelta(days=30)
    second = ts.criteria_disclosure_record(
        agency=agency, criteria=[*first.criteria, {**first.criteria[0], "factor": "address stability"}], now=later
    )
    assert second.version == 2 and second.disclosed_at == later


def test_malformed_criteria_refused():
    complaint = make_complaint(status="referred")
    with pytest.raises(ServiceError) as err:
        cs.complaint_record_agency_response(
            complaint_id=complaint.pk,
            actor=Actor.for_agency(complaint.respondent),
            outcome="verified",
            explanation="x",
            scoring_criteria=[{"description": "no factor"}],
            now=NOW,
        )
    assert err.value.field == "scoring_criteria"


# --- re-insertion watch -----------------------------------------------------------------------


def _closed_case_with_deletion(graph, officer, senior):
    complaint = investigating(graph)
    det = issue(complaint, officer, senior)
    for order in det.orders.all():
        ev = evidence_deleted()
        ts.correction_order_confirm(
            order_id=order.pk,
            actor=Actor.for_agency(order.agency),
            evidence_before=ev["before"],
            evidence_after=ev["after"],
            now=NOW,
        )
    complaint.refresh_from_db()
    assert complaint.status == Status.CLOSED
    return complaint


def test_reinsertion_reopens_the_case_and_alerts_the_officer(graph, officer, senior):
    complaint = _closed_case_with_deletion(graph, officer, senior)
    cs.complaint_assign(complaint_id=complaint.pk, officer=officer, actor=Actor.for_user(senior), now=NOW)
    later = NOW + timedelta(days=90)
    token = complaint.citizen.national_id_hash
    # another person's record, and the same person's record of another category: no match
    ts.record_reported(
        agency=graph.rail, citizen_match_token="0" * 64, agency_record_id="X", category=graph.category, now=later
    )
    ts.record_reported(
        agency=graph.rail, citizen_match_token=token, agency_record_id="Y", category=graph.other_category, now=later
    )
    complaint.refresh_from_db()
    assert complaint.status == Status.CLOSED
    reported = ts.record_reported(
        agency=graph.air, citizen_match_token=token, agency_record_id="AIR-1", category=graph.category, now=later
    )
    assert reported.matched_watch is not None
    complaint.refresh_from_db()
    assert complaint.status == Status.INVESTIGATION
    reopen = complaint.events.get(kind="reopen")
    assert reopen.actor_kind == "system" and "AIR-1" in reopen.message
    assert complaint.events.filter(kind="reinsertion_detected").exists()
    alert = OutboxMessage.objects.get(topic="email.officer_alert", complaint_id=complaint.pk)
    assert alert.recipient == officer.email


def test_reinsertion_matches_by_record_id_and_validates_token(graph, officer, senior):
    complaint = _closed_case_with_deletion(graph, officer, senior)
    with pytest.raises(ServiceError) as err:
        ts.record_reported(agency=graph.court, citizen_match_token="110101", agency_record_id="Z", now=NOW)
    assert err.value.field == "citizen_match_token"
    ts.record_reported(
        agency=graph.court,
        citizen_match_token=complaint.citizen.national_id_hash,
        agency_record_id=graph.entry.agency_record_id,
        now=NOW,
    )
    complaint.refresh_from_db()
    assert complaint.status == Status.INVESTIGATION
    # alerts go to the senior officers when nobody is assigned
    assert OutboxMessage.objects.filter(topic="email.officer_alert", recipient=senior.email).exists()


def test_timeline_records_actor_of_each_step(graph, officer, senior):
    complaint = investigating(graph)
    issue(complaint, officer, senior)
    kinds = list(complaint.events.values_list("kind", "actor_kind"))
    assert ("determination_drafted", "officer") in kinds
    assert ("issue_determination", "senior_officer") in kinds
    assert ("correction_ordered", "senior_officer") in kinds
    assert ("start_compliance", "senior_officer") in kinds
    assert CaseEvent.objects.filter(complaint=complaint, kind="correction_ordered").count() == 6


def test_inactive_respondent_still_gets_its_order(graph, officer, senior):
    complaint = investigating(graph)
    AgencyFactory._meta.model.objects.filter(pk=graph.rail.pk).update(active=False)
    det = issue(complaint, officer, senior)
    assert det.orders.filter(agency=graph.rail, status=OrderStatus.ORDERED).exists()


def test_the_case_transition_alone_cannot_issue_a_determination(graph, senior):
    complaint = investigating(graph)
    with pytest.raises(ServiceError) as err:
        cs.complaint_issue_determination(complaint_id=complaint.pk, actor=Actor.for_user(senior), now=NOW, summary="x")
    assert err.value.field == "determination"
    complaint.refresh_from_db()
    assert complaint.status == Status.INVESTIGATION


def test_criteria_complaint_needs_the_structured_answer():
    complaint = make_complaint(
        status="referred", category="undisclosed_criteria", remedies_sought=["disclose_criteria"]
    )
    with pytest.raises(ServiceError) as err:
        cs.complaint_record_agency_response(
            complaint_id=complaint.pk,
            actor=Actor.for_agency(complaint.respondent),
            outcome="verified",
            explanation="Our algorithm is a trade secret.",
            now=NOW,
        )
    assert err.value.field == "scoring_criteria"
    complaint.refresh_from_db()
    assert complaint.status == Status.REFERRED  # nothing recorded
    cs.complaint_record_agency_response(  # misdirected needs no criteria
        complaint_id=complaint.pk,
        actor=Actor.for_agency(complaint.respondent),
        outcome="misdirected",
        explanation="Not our score.",
        now=NOW,
    )


@pytest.mark.parametrize("kind", ["information_request", "correction_order"])
def test_overdue_requests_and_orders_escalate_to_senior_officers_without_status_change(graph, officer, senior, kind):
    complaint = investigating(graph)
    if kind == "information_request":
        subject = ts.information_request_create(
            complaint_id=complaint.pk, agency=graph.bank, actor=Actor.for_user(officer), questions=["Q?"], now=NOW
        ).subject_key
    else:
        subject = issue(complaint, officer, senior).orders.get(agency=graph.bank).subject_key
    status_before = Complaint.objects.get(pk=complaint.pk).status
    clock = Clock.objects.get(subject_key=subject)
    clock_sweep(now=clock.due_at + timedelta(days=8))
    clock.refresh_from_db()
    assert clock.status == ClockStatus.MISSED and clock.escalation_level == 3
    assert Complaint.objects.get(pk=complaint.pk).status == status_before
    assert OutboxMessage.objects.filter(
        complaint_id=complaint.pk, topic="email.clock.escalated", recipient=senior.email
    ).exists()


def test_import_command_runs_the_reinsertion_watch(graph, officer, senior, tmp_path):
    complaint = _closed_case_with_deletion(graph, officer, senior)
    csv_file = tmp_path / "records.csv"
    csv_file.write_text(
        "citizen_match_token,agency_record_id,category,list_name\n"
        f"{'b' * 64},R-1,{graph.category.code},x\n"
        f"{complaint.citizen.national_id_hash},R-2,{graph.category.code},Restricted list\n"
        "not-a-token,R-3,,\n"
        f"{'c' * 64},R-4,no-such-code,\n"
    )
    out, err = io.StringIO(), io.StringIO()
    call_command("import_agency_records", graph.rail.slug, str(csv_file), stdout=out, stderr=err)
    assert "2 records imported, 1 matched" in out.getvalue() and "2 errors" in out.getvalue()
    assert "line 4: citizen_match_token" in err.getvalue() and "line 5: unknown category" in err.getvalue()
    complaint.refresh_from_db()
    assert complaint.status == Status.INVESTIGATION
    assert complaint.events.filter(kind="reinsertion_detected", actor_label__contains="(import)").exists()


def test_determination_supersedes_pending_self_correction_orders(graph, officer, senior):
    complaint = make_complaint(blacklist_entry=graph.entry, status="referred")
    cs.complaint_record_agency_response(
        complaint_id=complaint.pk,
        actor=Actor.for_agency(graph.court),
        outcome="corrected",
        explanation="Reason corrected.",
        corrections=[{"field": "reason", "old_value": "debt", "new_value": "none"}],
        now=NOW,
    )
    early = CorrectionOrder.objects.get(complaint=complaint, agency=graph.rail)
    ts.correction_order_confirm(
        order_id=early.pk,
        actor=Actor.for_agency(graph.rail),
        evidence_before={"reason": "debt"},
        evidence_after={"reason": "none"},
        now=NOW,
    )
    cs.complaint_open_investigation(
        complaint_id=complaint.pk, actor=Actor.for_user(complaint.citizen.user), reason="Still listed.", now=NOW
    )
    det = issue(Complaint.objects.get(pk=complaint.pk), officer, senior)
    pending = CorrectionOrder.objects.filter(complaint=complaint, status=OrderStatus.ORDERED)
    assert sorted(o.agency.slug for o in pending) == ["air", "bank", "bureau", "court", "rail", "school"]
    assert all(o.determination_id == det.pk for o in pending)
    superseded = CorrectionOrder.objects.filter(complaint=complaint, status="superseded")
    assert sorted(o.agency.slug for o in superseded) == ["air", "bank", "bureau", "school"]
    assert all(Clock.objects.get(subject_key=o.subject_key).status == ClockStatus.CANCELLED for o in superseded)
    with pytest.raises(Conflict):
        ts.correction_order_confirm(
            order_id=superseded[0].pk,
            actor=Actor.for_agency(superseded[0].agency),
            evidence_before={"a": 1},
            evidence_after={"reason": "none"},
            now=NOW,
        )
