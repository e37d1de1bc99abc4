"""The provisional decision: a senior officer shares a signed draft; the citizen and the agency
each get a 14-day comment period with reminders; their comments join the case; the final
decision is signed after the period (saying how the comments were considered), or the step is
skipped with a recorded reason."""

from __future__ import annotations

from datetime import timedelta

import pytest

from clocks.models import Clock, ClockNotice, ClockStatus, NoticeKind, Obligation, OwedBy
from clocks.sweep import clock_sweep
from complaints.models import CaseEvent
from kernel.actors import Actor
from kernel.errors import Conflict, NotAllowed, ServiceError
from outbox.models import OutboxMessage
from tests.factories import NOW, AgencyFactory, SeniorOfficerFactory
from tribunal import services as ts
from tribunal.models import DeterminationStatus, ProvisionalComment

from .test_services import DELETE, SUMMARY, investigating, investigating_after_referral

pytestmark = pytest.mark.django_db


def draft_of(complaint, officer, **kw):  # type: ignore[no-untyped-def]
    values = {
        "outcome": "upheld",
        "findings": "The entry was derived from the parent's record.",
        "reasons": "Only a debtor's own conduct may be recorded.",
        "remedies": DELETE,
        "public_summary": SUMMARY,
    }
    values.update(kw)
    return ts.determination_save_draft(complaint_id=complaint.pk, actor=Actor.for_user(officer), now=NOW, **values)


def shared(graph, officer, senior):  # type: ignore[no-untyped-def]
    complaint = investigating_after_referral(graph)
    draft = draft_of(complaint, officer)
    det = ts.determination_share_provisional(determination_id=draft.pk, actor=Actor.for_user(senior), now=NOW)
    return complaint, det


def comment_clocks(complaint):  # type: ignore[no-untyped-def]
    return {c.owed_by: c for c in Clock.objects.filter(complaint=complaint, obligation=Obligation.PROVISIONAL_COMMENT)}


def test_sharing_starts_a_comment_period_for_each_party_and_tells_them(graph, officer, senior):
    complaint, det = shared(graph, officer, senior)
    assert det.status == DeterminationStatus.PROVISIONAL
    assert det.provisional_signed_by == senior
    assert det.provisional_text["outcome"] == "upheld"
    clocks = comment_clocks(complaint)
    assert set(clocks) == {OwedBy.CITIZEN, OwedBy.AGENCY}
    assert clocks[OwedBy.AGENCY].agency_id == complaint.respondent_id
    assert all(c.status == ClockStatus.OPEN and c.rule.code == "omb-provisional-comment" for c in clocks.values())
    # 14 calendar days (a last day that is not a working day rolls forward)
    assert (clocks[OwedBy.CITIZEN].due_on - clocks[OwedBy.CITIZEN].received_on).days >= 14
    event = CaseEvent.objects.get(complaint=complaint, kind="determination_provisional")
    assert event.visibility == "parties"
    mail = OutboxMessage.objects.filter(topic="email.determination.provisional")
    assert complaint.citizen.user.email in {m.recipient for m in mail}
    assert all(f"/cases/{complaint.reference}/" in m.payload["body"] for m in mail)
    hook = OutboxMessage.objects.get(topic="determination.provisional")
    data = hook.payload["data"]
    assert data["reference"] == complaint.reference
    assert data["outcome"] == "upheld"
    assert data["comments_due_at"].endswith("Z")


def test_the_drafter_cannot_share_and_a_case_officer_cannot_either(graph, officer, senior):
    complaint = investigating(graph)
    draft = draft_of(complaint, officer)
    with pytest.raises(NotAllowed):
        ts.determination_share_provisional(determination_id=draft.pk, actor=Actor.for_user(officer), now=NOW)
    own = investigating(graph)
    own_draft = draft_of(own, senior)
    with pytest.raises(NotAllowed):
        ts.determination_share_provisional(determination_id=own_draft.pk, actor=Actor.for_user(senior), now=NOW)


def test_comments_join_the_case_and_meet_the_party_clock(graph, officer, senior):
    complaint, det = shared(graph, officer, senior)
    citizen = Actor.for_user(complaint.citizen.user)
    agency = Actor.for_agency(complaint.respondent)
    later = NOW + timedelta(days=2)
    ts.provisional_comment_add(determination_id=det.pk, actor=citizen, comment="The entry is still online.", now=later)
    clocks = comment_clocks(complaint)
    assert clocks[OwedBy.CITIZEN].status == ClockStatus.MET
    assert clocks[OwedBy.AGENCY].status == ClockStatus.OPEN
    # a second comment from the same side is welcome while its period runs
    ts.provisional_comment_add(determination_id=det.pk, actor=citizen, comment="And a screenshot.", now=later)
    ts.provisional_comment_add(determination_id=det.pk, actor=agency, comment="We accept the finding.", now=later)
    assert comment_clocks(complaint)[OwedBy.AGENCY].status == ClockStatus.MET
    assert list(ProvisionalComment.objects.filter(determination=det).values_list("party", flat=True)) == [
        "citizen",
        "citizen",
        "agency",
    ]
    assert CaseEvent.objects.filter(complaint=complaint, kind="provisional_comment").count() == 3
    # the officer hears of each (nobody assigned: the senior officers)
    assert OutboxMessage.objects.filter(topic="email.determination.provisional_comment").count() >= 3


def test_another_agency_cannot_comment(graph, officer, senior):
    _complaint, det = shared(graph, officer, senior)
    with pytest.raises(NotAllowed):
        ts.provisional_comment_add(
            determination_id=det.pk, actor=Actor.for_agency(AgencyFactory()), comment="x", now=NOW
        )


def test_no_comment_after_the_period(graph, officer, senior):
    complaint, det = shared(graph, officer, senior)
    due = comment_clocks(complaint)[OwedBy.CITIZEN].due_at
    with pytest.raises(Conflict, match="comment period ended"):
        ts.provisional_comment_add(
            determination_id=det.pk,
            actor=Actor.for_user(complaint.citizen.user),
            comment="Too late.",
            now=due + timedelta(minutes=1),
        )


def test_an_empty_comment_is_refused(graph, officer, senior):
    complaint, det = shared(graph, officer, senior)
    with pytest.raises(ServiceError) as err:
        ts.provisional_comment_add(
            determination_id=det.pk, actor=Actor.for_user(complaint.citizen.user), comment="  ", now=NOW
        )
    assert err.value.field == "comment"


def test_a_draft_is_not_signed_without_the_step_or_a_reason(graph, officer, senior):
    complaint = investigating(graph)
    draft = draft_of(complaint, officer)
    with pytest.raises(Conflict) as err:
        ts.determination_sign(determination_id=draft.pk, actor=Actor.for_user(senior), now=NOW)
    assert err.value.field == "skip_provisional_reason"
    det = ts.determination_sign(
        determination_id=draft.pk,
        actor=Actor.for_user(senior),
        now=NOW,
        skip_provisional_reason="The agency is in default: it never answered.",
    )
    assert det.status == DeterminationStatus.ISSUED
    assert det.provisional_skip_reason == "The agency is in default: it never answered."
    skipped = CaseEvent.objects.get(complaint=complaint, kind="provisional_skipped")
    assert skipped.message == "The agency is in default: it never answered."


def test_final_waits_for_the_period_then_must_say_how_comments_were_considered(graph, officer, senior):
    complaint, det = shared(graph, officer, senior)
    signer = Actor.for_user(SeniorOfficerFactory())
    ts.provisional_comment_add(
        determination_id=det.pk, actor=Actor.for_user(complaint.citizen.user), comment="Please add an apology.", now=NOW
    )
    with pytest.raises(Conflict, match="may comment until"):  # the agency's period still runs
        ts.determination_sign(determination_id=det.pk, actor=signer, now=NOW + timedelta(days=3))
    after = comment_clocks(complaint)[OwedBy.AGENCY].due_at + timedelta(hours=1)
    with pytest.raises(ServiceError) as err:
        ts.determination_sign(determination_id=det.pk, actor=signer, now=after)
    assert err.value.field == "comments_considered"
    # the officer revises the draft (it may change) and says how the comment was weighed
    draft_of(
        complaint,
        officer,
        reasons="Only a debtor's own conduct may be recorded; the listing harmed the child.",
        comments_considered="The citizen asked for an apology; it is ordered.",
    )
    det.refresh_from_db()
    assert det.status == DeterminationStatus.PROVISIONAL  # still the same decision being worked on
    assert det.provisional_text["reasons"] == "Only a debtor's own conduct may be recorded."  # what was shared
    final = ts.determination_sign(determination_id=det.pk, actor=signer, now=after)
    assert final.status == DeterminationStatus.ISSUED
    assert final.comments_considered == "The citizen asked for an apology; it is ordered."
    clocks = comment_clocks(complaint)
    assert clocks[OwedBy.CITIZEN].status == ClockStatus.MET
    assert clocks[OwedBy.AGENCY].status == ClockStatus.CANCELLED  # ended by the final decision


def test_both_parties_commenting_lets_the_final_be_signed_early(graph, officer, senior):
    complaint, det = shared(graph, officer, senior)
    soon = NOW + timedelta(days=1)
    for actor in (Actor.for_user(complaint.citizen.user), Actor.for_agency(complaint.respondent)):
        ts.provisional_comment_add(determination_id=det.pk, actor=actor, comment="Agreed.", now=soon)
    draft_of(complaint, officer, comments_considered="Both parties agreed with the provisional decision.")
    final = ts.determination_sign(determination_id=det.pk, actor=Actor.for_user(SeniorOfficerFactory()), now=soon)
    assert final.status == DeterminationStatus.ISSUED


def test_the_comment_period_reminds_then_tells_the_officer_when_missed(graph, officer, senior):
    complaint, _det = shared(graph, officer, senior)
    clock = comment_clocks(complaint)[OwedBy.CITIZEN]
    clock_sweep(now=clock.due_at - timedelta(days=1))
    assert ClockNotice.objects.filter(clock=clock, kind=NoticeKind.REMINDER).exists()
    clock_sweep(now=clock.due_at + timedelta(minutes=5))
    clock.refresh_from_db()
    assert clock.status == ClockStatus.MISSED
    assert ClockNotice.objects.filter(clock=clock, kind=NoticeKind.ESCALATION, level=1).exists()
    assert not ClockNotice.objects.filter(clock=clock, kind=NoticeKind.ESCALATION, level=2).exists()
    clock_sweep(now=clock.due_at + timedelta(days=10))
    assert not ClockNotice.objects.filter(clock=clock, kind=NoticeKind.ESCALATION, level=2).exists()
    # the case did not move: a missed comment period is not a default
    complaint.refresh_from_db()
    assert complaint.status == "investigation"


def test_an_agency_that_never_had_the_case_gets_no_comment_period(graph, officer, senior):
    complaint = investigating(graph)  # investigated straight from screening: never referred
    draft = draft_of(complaint, officer)
    ts.determination_share_provisional(determination_id=draft.pk, actor=Actor.for_user(senior), now=NOW)
    assert set(comment_clocks(complaint)) == {OwedBy.CITIZEN}
