"""Review of a final determination: a party asks once, within 30 days, with reasons; a senior
officer who took no part decides it (the drafter, the signer and the assigned officer are
refused) within the ombudsman's own clock; confirmed, varied or set aside."""

from __future__ import annotations

from datetime import timedelta

import pytest

from clocks.models import Clock, ClockStatus, Obligation, OwedBy
from complaints import services as cs
from complaints.models import CaseEvent
from kernel.actors import Actor
from kernel.errors import Conflict, NotAllowed, ServiceError
from outbox.models import OutboxMessage
from tests.factories import NOW, AgencyFactory, SeniorOfficerFactory
from tribunal import services as ts
from tribunal.models import CorrectionOrder, DeterminationReview, OrderStatus

from .test_services import investigating, issue

pytestmark = pytest.mark.django_db

REMEDIES = [{"kind": "delete"}, {"kind": "compensation", "amount": "500", "currency": "CNY"}]


def decided(graph, officer, senior, remedies=REMEDIES):  # type: ignore[no-untyped-def]
    complaint = investigating(graph)
    det = issue(complaint, officer, senior, remedies=remedies)
    complaint.refresh_from_db()
    return complaint, det


def ask(complaint, *, when=NOW + timedelta(days=3), reasons="The compensation is too low."):  # type: ignore[no-untyped-def]
    return ts.review_request(
        complaint_id=complaint.pk, actor=Actor.for_user(complaint.citizen.user), reasons=reasons, now=when
    )


def test_a_party_asks_once_within_30_days_and_uninvolved_seniors_hear(graph, officer, senior):
    complaint, det = decided(graph, officer, senior)
    bystander = SeniorOfficerFactory()
    review = ask(complaint)
    assert review.party == "citizen" and review.determination == det
    clock = Clock.objects.get(complaint=complaint, obligation=Obligation.REVIEW)
    assert clock.owed_by == OwedBy.OMBUDSMAN and clock.status == ClockStatus.OPEN
    assert clock.rule.code == "omb-review"
    assert CaseEvent.objects.filter(complaint=complaint, kind="review_requested").exists()
    told = set(
        OutboxMessage.objects.filter(topic="email.determination.review_requested").values_list("recipient", flat=True)
    )
    assert bystander.email in told and senior.email not in told  # the signer took part
    assert OutboxMessage.objects.filter(topic="determination.review_requested").exists()
    with pytest.raises(Conflict, match="once"):
        ts.review_request(
            complaint_id=complaint.pk, actor=Actor.for_agency(complaint.respondent), reasons="Us too.", now=NOW
        )


def test_no_review_after_30_days_and_none_without_reasons(graph, officer, senior):
    complaint, det = decided(graph, officer, senior)
    with pytest.raises(ServiceError) as err:
        ask(complaint, reasons=" ")
    assert err.value.field == "reasons"
    with pytest.raises(Conflict, match="30 days after the decision"):
        ask(complaint, when=det.issued_at + timedelta(days=31))
    assert not DeterminationReview.objects.exists()


def test_another_agency_cannot_ask(graph, officer, senior):
    complaint, _det = decided(graph, officer, senior)
    with pytest.raises(NotAllowed):
        ts.review_request(complaint_id=complaint.pk, actor=Actor.for_agency(AgencyFactory()), reasons="x", now=NOW)


def test_only_a_senior_who_took_no_part_decides(graph, officer, senior):
    complaint, _det = decided(graph, officer, senior)
    review = ask(complaint)
    assigned = SeniorOfficerFactory()
    cs.complaint_assign(complaint_id=complaint.pk, actor=Actor.for_user(assigned), officer=assigned, now=NOW)
    for who in (senior, assigned):  # the signer; the senior assigned to the case
        with pytest.raises(NotAllowed, match="took part"):
            ts.review_decide(
                review_id=review.pk, actor=Actor.for_user(who), outcome="confirmed", reasons="Fine.", now=NOW
            )
    with pytest.raises(NotAllowed):  # the drafter is a case officer: not even a senior
        ts.review_decide(review_id=review.pk, actor=Actor.for_user(officer), outcome="confirmed", reasons="x", now=NOW)
    reviewer = SeniorOfficerFactory()
    decided_review = ts.review_decide(
        review_id=review.pk,
        actor=Actor.for_user(reviewer),
        outcome="confirmed",
        reasons="The compensation follows the published scale.",
        now=NOW + timedelta(days=10),
    )
    assert decided_review.outcome == "confirmed" and decided_review.decided_by == reviewer
    assert Clock.objects.get(complaint=complaint, obligation=Obligation.REVIEW).status == ClockStatus.MET
    assert OutboxMessage.objects.filter(topic="email.determination.review_decided").exists()
    with pytest.raises(Conflict, match="already been decided"):
        ts.review_decide(
            review_id=review.pk, actor=Actor.for_user(SeniorOfficerFactory()), outcome="set_aside", reasons="x", now=NOW
        )


def test_set_aside_supersedes_pending_orders_and_reopens_the_investigation(graph, officer, senior):
    complaint, det = decided(graph, officer, senior)
    assert complaint.status == "compliance"
    review = ask(complaint)
    ts.review_decide(
        review_id=review.pk,
        actor=Actor.for_user(SeniorOfficerFactory()),
        outcome="set_aside",
        reasons="The agency's evidence was not considered.",
        now=NOW + timedelta(days=5),
    )
    complaint.refresh_from_db()
    assert complaint.status == "investigation"
    orders = CorrectionOrder.objects.filter(determination=det)
    assert orders.exists() and set(orders.values_list("status", flat=True)) == {OrderStatus.SUPERSEDED}
    assert not Clock.objects.filter(complaint=complaint, obligation="compliance", status=ClockStatus.OPEN).exists()
    # a new decision can now be drafted
    ts.determination_save_draft(
        complaint_id=complaint.pk,
        actor=Actor.for_user(officer),
        outcome="partly_upheld",
        findings="f",
        reasons="r",
        remedies=[{"kind": "delete"}],
        public_summary="A listing was reconsidered on review and ordered deleted.",
        now=NOW + timedelta(days=6),
    )


def test_varied_changes_the_orders(graph, officer, senior):
    complaint, det = decided(graph, officer, senior)
    origin = CorrectionOrder.objects.get(determination=det, agency=complaint.respondent)
    recipients = CorrectionOrder.objects.filter(determination=det).exclude(pk=origin.pk).count()
    review = ask(complaint)
    varied = [{"kind": "delete"}, {"kind": "apology"}]
    ts.review_decide(
        review_id=review.pk,
        actor=Actor.for_user(SeniorOfficerFactory()),
        outcome="varied",
        reasons="An apology is owed; compensation is not within the ombudsman's scale for this category.",
        remedies=varied,
        now=NOW + timedelta(days=5),
    )
    det.refresh_from_db()
    review.refresh_from_db()
    assert det.remedies == varied
    assert review.remedies_before == [
        {"kind": "delete"},
        {"kind": "compensation", "amount": "500.00", "currency": "CNY"},
    ]
    origin.refresh_from_db()
    # compensation no longer ordered; the apology joins the respondent's pending order
    assert origin.actions == [{"kind": "delete"}, {"kind": "apology"}]
    assert CorrectionOrder.objects.filter(determination=det).exclude(agency=complaint.respondent).count() == recipients
    with pytest.raises(ServiceError, match="different"):
        ts.review_decide(
            review_id=ask_again(graph, officer, senior).pk,
            actor=Actor.for_user(SeniorOfficerFactory()),
            outcome="varied",
            reasons="x",
            remedies=[{"kind": "delete"}, {"kind": "compensation", "amount": "500.00", "currency": "CNY"}],
            now=NOW,
        )


def ask_again(graph, officer, senior):  # type: ignore[no-untyped-def]
    complaint, _det = decided(graph, officer, senior)
    return ask(complaint)
