"""The clock workflow through the real services, with `now` as an argument (no sleeping)."""

from datetime import UTC, datetime, timedelta

import pytest

from clocks import selectors, services, sweep
from clocks.models import Clock, ClockPause, ClockStatus
from complaints import services as complaint_services
from complaints.models import CaseEvent
from kernel.actors import Actor
from kernel.errors import Conflict, NotAllowed, ServiceError
from outbox.models import OutboxMessage
from tests.factories import NOW, AgencyFactory, BlacklistEntryFactory, OfficerFactory, make_complaint

pytestmark = pytest.mark.django_db


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def clocks_of(complaint) -> dict[str, Clock]:
    return {c.obligation: c for c in Clock.objects.filter(complaint=complaint).order_by("id")}


def referred(**kwargs):
    return make_complaint(status="referred", **kwargs)


# --- starting clocks --------------------------------------------------------------------------


def test_referral_opens_the_agencys_three_clocks_with_explained_due_times():
    complaint = referred()  # referred at NOW: Thu 2026-11-26 17:00 in Shanghai
    clocks = clocks_of(complaint)
    assert set(clocks) == {"acknowledge", "mark_disputed", "respond"}
    ack, respond = clocks["acknowledge"], clocks["respond"]
    assert ack.agency_id == complaint.respondent_id and ack.owed_by == "agency"
    assert ack.rule.code == "omb-acknowledge" and ack.rule_version == 1
    # 2 working days after Thu Nov 26: Fri 27, Mon 30; runs out at Shanghai midnight.
    assert ack.due_on.isoformat() == "2026-11-30"
    assert ack.due_at == utc(2026, 11, 30, 16)
    # 20 days: Dec 16 (a Wednesday, no roll).
    assert respond.rule.code == "omb-agency-response"
    assert respond.due_at == utc(2026, 12, 16, 16)
    assert "20 calendar days" in respond.explanation and "2026-12-16" in respond.explanation
    assert CaseEvent.objects.filter(complaint=complaint, kind="clock_started").count() == 3


def test_urgent_complaint_uses_the_urgent_rule():
    complaint = referred(urgent=True, urgency_reason="travel")
    respond = clocks_of(complaint)["respond"]
    assert respond.rule.code == "omb-agency-response-urgent"
    # 5 working days after Thu Nov 26: Nov 27, 30, Dec 1, 2, 3.
    assert respond.due_on.isoformat() == "2026-12-03"


def test_agency_regime_picks_the_rule_and_the_agencys_calendar():
    agency = AgencyFactory(jurisdiction="US")
    services.agency_regime_set(agency=agency, obligation="respond", rule_code="us-fcra-reinvestigation")
    entry = BlacklistEntryFactory(agency=agency)
    complaint = make_complaint(blacklist_entry=entry, status="referred", now=utc(2026, 11, 25, 15))
    clocks = clocks_of(complaint)
    # The ombudsman's 2 working days on the US calendar: Thanksgiving (Thu Nov 26) is skipped.
    assert clocks["acknowledge"].jurisdiction == "US"
    assert clocks["acknowledge"].due_on.isoformat() == "2026-11-30"
    assert clocks["respond"].rule.code == "us-fcra-reinvestigation"
    assert clocks["respond"].due_on.isoformat() == "2026-12-25"  # 30 days, this rule does not roll
    with pytest.raises(ServiceError) as err:
        services.agency_regime_set(agency=agency, obligation="respond", rule_code="nope")
    assert err.value.field == "rule_code"


def test_clock_start_is_idempotent_and_subject_keys_separate_clocks():
    complaint = referred()
    agency = complaint.respondent
    first = services.clock_start(
        complaint=complaint,
        obligation="information_request",
        now=NOW,
        agency=agency,
        subject_key="information_request:1",
    )
    again = services.clock_start(
        complaint=complaint,
        obligation="information_request",
        now=NOW,
        agency=agency,
        subject_key="information_request:1",
    )
    other = services.clock_start(
        complaint=complaint,
        obligation="information_request",
        now=NOW,
        agency=agency,
        subject_key="information_request:2",
    )
    assert first.pk == again.pk != other.pk
    with pytest.raises(ServiceError) as err:
        services.clock_start(complaint=complaint, obligation="respond", now=NOW)
    assert err.value.field == "agency"
    with pytest.raises(ServiceError) as err:
        services.clock_start(complaint=complaint, obligation="sleep", now=NOW, agency=agency)
    assert err.value.field == "obligation"


# --- meeting and cancelling -------------------------------------------------------------------


def test_meet_is_idempotent_and_a_missing_clock_is_a_conflict():
    complaint = referred()
    agency_actor = Actor.for_agency(complaint.respondent)
    later = NOW + timedelta(days=1)
    met = services.clock_meet(complaint_id=complaint.pk, obligation="acknowledge", now=later, actor=agency_actor)
    assert met.status == ClockStatus.MET and met.met_at == later
    again = services.clock_meet(
        complaint_id=complaint.pk, obligation="acknowledge", now=later + timedelta(hours=1), actor=agency_actor
    )
    assert again.met_at == later
    assert CaseEvent.objects.filter(complaint=complaint, kind="clock_met").count() == 1
    with pytest.raises(Conflict, match="no 'compliance' clock"):
        services.clock_meet(complaint_id=complaint.pk, obligation="compliance", now=later, actor=agency_actor)
    stranger = Actor.for_agency(AgencyFactory())
    with pytest.raises(NotAllowed):
        services.clock_meet(complaint_id=complaint.pk, obligation="respond", now=later, actor=stranger)


def test_agency_answer_meets_its_clocks_and_starts_the_citizens_reply_clock():
    complaint = referred()
    later = NOW + timedelta(days=3)
    complaint_services.complaint_record_agency_response(
        complaint_id=complaint.pk,
        actor=Actor.for_agency(complaint.respondent),
        outcome="corrected",
        explanation="Fixed.",
        now=later,
    )
    clocks = clocks_of(complaint)
    assert clocks["acknowledge"].status == ClockStatus.MET
    assert clocks["respond"].status == ClockStatus.MET
    assert clocks["mark_disputed"].status == ClockStatus.CANCELLED
    reply = clocks["citizen_reply"]
    assert reply.owed_by == "citizen" and reply.agency_id is None and reply.status == ClockStatus.OPEN
    assert reply.rule.code == "omb-citizen-reply"
    complaint_services.complaint_resolve(
        complaint_id=complaint.pk, actor=Actor.for_user(complaint.citizen.user), now=later + timedelta(days=2)
    )
    assert Clock.objects.get(pk=reply.pk).status == ClockStatus.MET


@pytest.mark.parametrize("end", ["withdrawn", "out_of_scope"])
def test_withdrawal_and_out_of_scope_cancel_every_running_clock(end):
    complaint = referred() if end == "withdrawn" else make_complaint(status="screening")
    if end == "withdrawn":
        complaint_services.complaint_withdraw(
            complaint_id=complaint.pk, actor=Actor.for_user(complaint.citizen.user), now=NOW + timedelta(days=1)
        )
        assert {c.status for c in clocks_of(complaint).values()} == {ClockStatus.CANCELLED}
    else:
        services.clock_start(complaint=complaint, obligation="citizen_reply", now=NOW, subject_key="question:1")
        complaint_services.complaint_rule_out_of_scope(
            complaint_id=complaint.pk, actor=Actor.for_user(OfficerFactory()), reason="Not ours.", now=NOW
        )
        assert clocks_of(complaint)["citizen_reply"].status == ClockStatus.CANCELLED


def test_re_referral_to_another_agency_cancels_the_first_agencys_clocks():
    complaint = referred()
    first_agency = complaint.respondent
    complaint_services.complaint_record_agency_response(
        complaint_id=complaint.pk,
        actor=Actor.for_agency(first_agency),
        outcome="misdirected",
        explanation="Not ours.",
        now=NOW + timedelta(days=1),
    )
    other = AgencyFactory()
    complaint_services.complaint_refer(
        complaint_id=complaint.pk, actor=Actor.for_user(OfficerFactory()), now=NOW + timedelta(days=2), respondent=other
    )
    active = Clock.objects.filter(complaint=complaint, status__in=["open", "paused", "missed"])
    assert {(c.agency_id, c.obligation) for c in active if c.owed_by == "agency"} == {
        (other.pk, "acknowledge"),
        (other.pk, "mark_disputed"),
        (other.pk, "respond"),
    }
    assert not Clock.objects.filter(complaint=complaint, agency=first_agency, status__in=["open", "missed"]).exists()


# --- pause ledger -----------------------------------------------------------------------------


def test_pause_and_resume_push_the_due_time_by_the_paused_time():
    complaint = referred()
    respond = clocks_of(complaint)["respond"]
    officer = Actor.for_user(OfficerFactory())
    with pytest.raises(ServiceError) as err:
        services.clock_pause(clock_id=respond.pk, reason="  ", now=NOW, actor=officer)
    assert err.value.field == "reason"
    with pytest.raises(NotAllowed):
        services.clock_pause(clock_id=respond.pk, reason="x", now=NOW, actor=Actor.for_agency(complaint.respondent))
    services.clock_pause(
        clock_id=respond.pk, reason="Waiting for the citizen's ID card copy", now=NOW + timedelta(days=1), actor=officer
    )
    with pytest.raises(Conflict):
        services.clock_pause(clock_id=respond.pk, reason="again", now=NOW + timedelta(days=2), actor=officer)
    agency = Actor.for_agency(complaint.respondent)
    for obligation in ("acknowledge", "mark_disputed"):
        services.clock_meet(complaint_id=complaint.pk, obligation=obligation, now=NOW, actor=agency)
    # While paused the sweep never touches it, even long after its original due time.
    assert sweep.clock_sweep(now=respond.due_at + timedelta(days=30)).claimed == 0
    assert Clock.objects.get(pk=respond.pk).escalation_level == 0
    resumed = services.clock_resume(clock_id=respond.pk, now=NOW + timedelta(days=3, hours=2), actor=officer)
    assert resumed.status == ClockStatus.OPEN
    assert resumed.due_at == respond.due_at + timedelta(days=2, hours=2)
    assert resumed.paused_seconds == (2 * 24 + 2) * 3600
    pause = ClockPause.objects.get(clock=respond)
    assert pause.reason == "Waiting for the citizen's ID card copy" and pause.duration == timedelta(days=2, hours=2)
    assert "Paused from" in resumed.explanation and "2 d 2 h" in resumed.explanation
    with pytest.raises(Conflict):
        services.clock_resume(clock_id=respond.pk, now=NOW + timedelta(days=4), actor=officer)
    # A second pause adds to the ledger and to the total.
    services.clock_pause(clock_id=respond.pk, reason="Second question", now=NOW + timedelta(days=5), actor=officer)
    again = services.clock_resume(clock_id=respond.pk, now=NOW + timedelta(days=6), actor=officer)
    assert again.due_at == respond.due_at + timedelta(days=3, hours=2)
    assert ClockPause.objects.filter(clock=respond).count() == 2


# --- extensions -------------------------------------------------------------------------------


def _fcra_case():
    agency = AgencyFactory(jurisdiction="US")
    services.agency_regime_set(agency=agency, obligation="respond", rule_code="us-fcra-reinvestigation")
    complaint = make_complaint(
        blacklist_entry=BlacklistEntryFactory(agency=agency), status="referred", now=utc(2026, 6, 5, 14)
    )
    return complaint, clocks_of(complaint)["respond"]


def test_fcra_extension_refused_without_new_consumer_information():
    complaint, respond = _fcra_case()
    assert respond.due_on.isoformat() == "2026-07-05"
    with pytest.raises(ServiceError) as err:
        services.clock_extend(
            clock_id=respond.pk,
            now=utc(2026, 6, 20),
            actor=Actor.for_agency(complaint.respondent),
            reason="Need more time",
        )
    assert err.value.field == "consumer_information_at"
    assert "more information inside the first period" in err.value.message
    assert Clock.objects.get(pk=respond.pk).due_at == respond.due_at


def test_fcra_extension_allowed_once_when_the_consumer_sent_information_inside_the_30_days():
    complaint, respond = _fcra_case()
    complaint_services.complaint_post_message(
        complaint_id=complaint.pk,
        actor=Actor.for_user(complaint.citizen.user),
        text="Here is my bank statement.",
        now=utc(2026, 6, 10),
    )
    agency = Actor.for_agency(complaint.respondent)
    extended = services.clock_extend(clock_id=respond.pk, now=utc(2026, 6, 20), actor=agency, reason="Reviewing it")
    # 30 + 15 = 45 days from Jun 5: Jul 20; runs out at New York midnight.
    assert extended.due_on.isoformat() == "2026-07-20"
    assert extended.due_at == utc(2026, 7, 21, 4)
    assert "Extended by 15 calendar days" in extended.explanation
    assert OutboxMessage.objects.filter(dedupe_key=f"clock:{respond.pk}:extended").count() == 1
    with pytest.raises(Conflict):
        services.clock_extend(clock_id=respond.pk, now=utc(2026, 6, 21), actor=agency, reason="Again")


def test_gdpr_extension_only_if_notified_inside_the_first_month():
    agency = AgencyFactory(jurisdiction="DE")
    services.agency_regime_set(agency=agency, obligation="respond", rule_code="eu-gdpr-request")
    complaint = make_complaint(
        blacklist_entry=BlacklistEntryFactory(agency=agency), status="referred", now=utc(2026, 1, 31, 9)
    )
    respond = clocks_of(complaint)["respond"]
    # Jan 31 + 1 month = Feb 28 (a Saturday in Germany) -> Mon Mar 2.
    assert respond.due_on.isoformat() == "2026-03-02"
    actor = Actor.for_agency(agency)
    with pytest.raises(ServiceError) as err:
        services.clock_extend(clock_id=respond.pk, now=utc(2026, 3, 3), actor=actor, reason="Complex")
    assert err.value.field == "extension" and "inside the first period" in err.value.message
    extended = services.clock_extend(clock_id=respond.pk, now=utc(2026, 2, 20), actor=actor, reason="Complex")
    # Three months from Jan 31: Apr 30 (Thursday).
    assert extended.due_on.isoformat() == "2026-04-30"


def test_rules_without_extension_refuse_it():
    complaint = referred()
    with pytest.raises(ServiceError) as err:
        services.clock_extend(clock_id=clocks_of(complaint)["respond"].pk, now=NOW, actor=Actor.system(), reason="x")
    assert err.value.field == "rule"


# --- selectors --------------------------------------------------------------------------------


def test_queues_and_audiences():
    complaint = referred()
    officer = OfficerFactory()
    ack = clocks_of(complaint)["acknowledge"]  # runs out 2026-11-30 16:00 UTC (midnight in Shanghai)
    on_the_day = utc(2026, 11, 30, 2)  # 10:00 in Shanghai on the last day
    assert {c.pk for c in selectors.clocks_due_today(now=on_the_day)} >= {ack.pk}
    assert not selectors.clocks_overdue(now=on_the_day).filter(pk=ack.pk).exists()
    assert selectors.clocks_overdue(now=utc(2026, 12, 1)).filter(pk=ack.pk).exists()
    sweep.clock_sweep(now=utc(2026, 12, 1))
    assert set(selectors.clocks_escalated().values_list("obligation", flat=True)) == {"acknowledge", "mark_disputed"}
    assert selectors.clocks_by_agency(agency=complaint.respondent).count() == 3
    reply = services.clock_start(complaint=complaint, obligation="citizen_reply", now=NOW, subject_key="question:1")
    own = services.clock_start(
        complaint=complaint, obligation="respond", now=NOW, owed_by="ombudsman", rule_code="omb-agency-response"
    )
    assert selectors.clocks_for_complaint(complaint=complaint, audience="officer").count() == 5
    assert own.pk not in {c.pk for c in selectors.clocks_for_complaint(complaint=complaint, audience="citizen")}
    agency_view = {c.pk for c in selectors.clocks_for_complaint(complaint=complaint, audience="agency")}
    assert reply.pk not in agency_view and ack.pk in agency_view and len(agency_view) == 3
    del officer
