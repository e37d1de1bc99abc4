"""The sweep: reminders once per level, escalation levels once each, catch-up when late, the
level-3 policy by obligation, constant queries per batch."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from clocks import services, sweep
from clocks.models import Clock, ClockNotice, ClockStatus
from clocks.policy import ESCALATION_POLICY, Level3Action, reminder_times
from complaints import services as complaint_services
from complaints.models import CaseEvent
from kernel.actors import Actor
from kernel.errors import ServiceError
from outbox.models import OutboxMessage
from outbox.services import outbox_email, outbox_webhook
from tests.clocks.conftest import make_due_clocks
from tests.factories import NOW, OfficerFactory, SeniorOfficerFactory, make_complaint

pytestmark = pytest.mark.django_db


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def referred_with_only_respond_running():
    complaint = make_complaint(status="referred")
    officer = OfficerFactory(email="officer-on-case@example.org")
    complaint_services.complaint_assign(
        complaint_id=complaint.pk, officer=officer, actor=Actor.for_user(officer), now=NOW
    )
    agency = Actor.for_agency(complaint.respondent)
    for obligation in ("acknowledge", "mark_disputed"):
        services.clock_meet(complaint_id=complaint.pk, obligation=obligation, now=NOW, actor=agency)
    return complaint, Clock.objects.get(complaint=complaint, obligation="respond")


def topics(complaint, prefix: str = "") -> list[str]:
    return sorted(
        f"{m.channel}:{m.topic}"
        for m in OutboxMessage.objects.filter(complaint_id=complaint.pk, topic__contains="clock")
        | OutboxMessage.objects.filter(complaint_id=complaint.pk, topic="referral.escalated")
    )


def test_policy_is_plain_data():
    assert ESCALATION_POLICY["respond"].level3 == Level3Action.OPEN_INVESTIGATION_IN_DEFAULT
    assert ESCALATION_POLICY["information_request"].level3 == Level3Action.ALERT_SENIOR_OFFICER
    assert ESCALATION_POLICY["compliance"].level3 == Level3Action.ALERT_SENIOR_OFFICER
    # 20-day clock from Thu Nov 26 17:00 Shanghai to Dec 17 00:00: halfway, then the start of Tue Dec 15.
    times = reminder_times(started_at=NOW, due_at=utc(2026, 12, 16, 16), jurisdiction="CN")
    assert times == {1: utc(2026, 12, 6, 12, 30), 2: utc(2026, 12, 14, 16)}


def test_the_whole_ladder_each_step_once():
    SeniorOfficerFactory(email="senior@example.org")
    complaint, respond = referred_with_only_respond_running()
    key = f"clock:{respond.pk}"

    # Nothing before the first reminder.
    assert sweep.clock_sweep(now=utc(2026, 12, 6, 12)).claimed == 0
    # Halfway: reminder 1 to the agency (webhook + email), once however often the sweep runs.
    for _ in range(2):
        sweep.clock_sweep(now=utc(2026, 12, 6, 13))
    assert OutboxMessage.objects.filter(dedupe_key__startswith=f"{key}:reminder:1").count() == 2
    assert OutboxMessage.objects.get(dedupe_key=f"{key}:reminder:1:webhook").topic == "clock.reminder"
    # The last working day before the due day: reminder 2.
    sweep.clock_sweep(now=utc(2026, 12, 14, 17))
    sweep.clock_sweep(now=utc(2026, 12, 14, 18))
    assert ClockNotice.objects.filter(clock=respond, kind="reminder").count() == 2
    # Due: level 1 to the agency (clock.missed) and the assigned officer.
    sweep.clock_sweep(now=utc(2026, 12, 16, 16))
    sweep.clock_sweep(now=utc(2026, 12, 16, 17))
    respond.refresh_from_db()
    assert (respond.status, respond.escalation_level) == (ClockStatus.MISSED, 1)
    assert OutboxMessage.objects.get(dedupe_key=f"{key}:escalation:1:webhook").topic == "clock.missed"
    assert (
        OutboxMessage.objects.get(dedupe_key=f"{key}:escalation:1:officer").recipient == "officer-on-case@example.org"
    )
    # +3 days: level 2 to the escalation contact and the senior officers.
    sweep.clock_sweep(now=utc(2026, 12, 19, 16))
    assert OutboxMessage.objects.get(dedupe_key=f"{key}:escalation:2:webhook").topic == "referral.escalated"
    assert OutboxMessage.objects.get(dedupe_key=f"{key}:escalation:2:agency-escalation").recipient.startswith(
        "director@"
    )
    assert OutboxMessage.objects.filter(dedupe_key=f"{key}:escalation:2:senior:senior@example.org").count() == 1
    complaint.refresh_from_db()
    assert complaint.status == "referred"
    # +7 days: level 3, the case moves to investigation with the agency in default.
    result = sweep.clock_sweep(now=utc(2026, 12, 23, 16))
    assert result.investigations == 1
    complaint.refresh_from_db()
    assert complaint.status == "investigation" and complaint.agency_in_default
    # Nothing more, ever.
    assert sweep.clock_sweep(now=utc(2027, 6, 1)).claimed == 0
    levels = list(
        ClockNotice.objects.filter(clock=respond, kind="escalation").order_by("level").values_list("level", flat=True)
    )
    assert levels == [1, 2, 3]
    assert CaseEvent.objects.filter(complaint=complaint, kind="clock_escalated").count() == 3
    assert CaseEvent.objects.filter(complaint=complaint, kind="clock_reminder").count() == 2
    assert CaseEvent.objects.filter(complaint=complaint, kind="open_investigation").get().actor_kind == "system"
    webhooks = sorted(
        OutboxMessage.objects.filter(
            complaint_id=complaint.pk,
            channel="webhook",
            topic__in=["clock.reminder", "clock.missed", "referral.escalated"],
        ).values_list("topic", flat=True)
    )
    assert webhooks == ["clock.missed", "clock.reminder", "clock.reminder", "referral.escalated", "referral.escalated"]


def test_hours_late_catches_up_without_double_notices():
    complaint, respond = referred_with_only_respond_running()
    # First sweep ever runs 8 days after the due time: levels 1, 2, 3 in order, no stale reminders.
    result = sweep.clock_sweep(now=respond.due_at + timedelta(days=8))
    assert result.reminders == 0 and result.by_level == {1: 1, 2: 1, 3: 1}
    assert complaint.__class__.objects.get(pk=complaint.pk).status == "investigation"
    assert sweep.clock_sweep(now=respond.due_at + timedelta(days=9)).claimed == 0
    assert ClockNotice.objects.filter(clock=respond).count() == 3


def test_a_late_sweep_sends_only_the_latest_reminder():
    _complaint, respond = referred_with_only_respond_running()
    result = sweep.clock_sweep(now=utc(2026, 12, 15, 1))  # after both reminder times, before due
    assert result.reminders == 1
    assert list(ClockNotice.objects.filter(clock=respond).values_list("kind", "level")) == [("reminder", 2)]
    assert sweep.clock_sweep(now=utc(2026, 12, 15, 2)).claimed == 0


def test_met_and_cancelled_clocks_never_escalate():
    complaint = make_complaint(status="referred")
    agency = Actor.for_agency(complaint.respondent)
    services.clock_meet(complaint_id=complaint.pk, obligation="acknowledge", now=NOW, actor=agency)
    mark = Clock.objects.get(complaint=complaint, obligation="mark_disputed")
    services.clock_cancel(
        clock_id=mark.pk, reason="Not applicable to this list.", now=NOW, actor=Actor.for_user(OfficerFactory())
    )
    sweep.clock_sweep(now=NOW + timedelta(days=60))
    assert not ClockNotice.objects.filter(
        clock__complaint=complaint, clock__obligation__in=["acknowledge", "mark_disputed"]
    ).exists()
    assert (
        ClockNotice.objects.filter(clock__complaint=complaint, clock__obligation="respond", kind="escalation").count()
        == 3
    )


def test_missing_an_information_request_alerts_a_senior_officer_without_changing_the_case():
    SeniorOfficerFactory(email="senior2@example.org")
    complaint = make_complaint(status="investigation")
    clock = services.clock_start(
        complaint=complaint,
        obligation="information_request",
        now=NOW,
        agency=complaint.respondent,
        subject_key="information_request:12",
    )
    sweep.clock_sweep(now=clock.due_at + timedelta(days=8))
    complaint.refresh_from_db()
    assert complaint.status == "investigation" and not complaint.agency_in_default
    assert OutboxMessage.objects.filter(dedupe_key=f"clock:{clock.pk}:escalation:3:senior:senior2@example.org").exists()
    assert "alert to the senior officers" in ClockNotice.objects.get(clock=clock, level=3).detail


def test_a_missed_citizen_reply_only_tells_the_officer():
    complaint = make_complaint(status="agency_responded")
    reply = services.clock_start(complaint=complaint, obligation="citizen_reply", now=NOW, subject_key="question:3")
    sweep.clock_sweep(now=reply.due_at + timedelta(days=30))
    assert list(ClockNotice.objects.filter(clock=reply, kind="escalation").values_list("level", flat=True)) == [1]


def test_notices_are_unique_per_clock_kind_and_level():
    complaint = make_complaint(status="referred")
    clock = Clock.objects.filter(complaint=complaint).first()
    ClockNotice.objects.create(clock=clock, kind="escalation", level=1, created_at=NOW)
    with pytest.raises(IntegrityError), transaction.atomic():
        ClockNotice.objects.create(clock=clock, kind="escalation", level=1, created_at=NOW)


def test_queries_per_batch_do_not_grow_with_the_batch_count():
    complaints = [make_complaint(status="investigation") for _ in range(3)]

    def count(n: int) -> int:
        make_due_clocks(complaints=complaints, n=n, now=NOW)
        with CaptureQueriesContext(connection) as ctx:
            result = sweep.clock_sweep(now=NOW, batch_size=10)
        assert result.claimed == n
        return len(ctx.captured_queries)

    empty = count(0)
    ten = count(10)
    thirty = count(30)
    per_batch = ten - empty
    assert thirty - empty == 3 * per_batch
    assert per_batch <= 8  # claim, notices, events, outbox, clock update (+ savepoints)


def test_bulk_rows_read_back_as_the_rows_outbox_services_write():
    """The sweep builds its rows with the outbox's row builders but writes them with COPY (its own
    value conversion); read back, they must equal the rows `outbox_webhook`/`outbox_email` save
    through the ORM."""
    complaint = make_complaint(status="investigation")
    [clock_id] = make_due_clocks(complaints=[complaint], n=1, now=NOW)
    sweep.clock_sweep(now=NOW)
    bulk_hook = OutboxMessage.objects.get(dedupe_key=f"clock:{clock_id}:escalation:1:webhook")
    bulk_mail = OutboxMessage.objects.get(dedupe_key=f"clock:{clock_id}:escalation:1:agency")
    hook = outbox_webhook(
        agency_id=bulk_hook.agency_id,
        event_type=bulk_hook.topic,
        data=bulk_hook.payload["data"],
        dedupe_key="compare-webhook",
        now=NOW,
        complaint_id=complaint.pk,
    )
    mail = outbox_email(
        to=bulk_mail.recipient,
        subject=bulk_mail.payload["subject"],
        body=bulk_mail.payload["body"],
        topic=bulk_mail.topic,
        dedupe_key="compare-email",
        now=NOW,
        complaint_id=complaint.pk,
    )
    assert hook is not None and mail is not None
    fields = ("channel", "topic", "recipient", "agency_id", "complaint_id", "payload", "status", "next_attempt_at")
    for bulk, one in ((bulk_hook, hook), (bulk_mail, mail)):
        one.refresh_from_db()
        assert {f: getattr(bulk, f) for f in fields} == {f: getattr(one, f) for f in fields}
        assert (bulk.created_at, bulk.attempts, bulk.leased_until) == (one.created_at, 0, None)
    assert bulk_hook.payload == {
        "type": "clock.missed",
        "timestamp": NOW.isoformat(),
        "data": bulk_hook.payload["data"],
    }
    assert bulk_hook.payload["data"]["clock_id"] == clock_id and bulk_hook.payload["data"]["level"] == 1


def test_a_refused_level_3_move_is_recorded_and_does_not_block_the_batch(monkeypatch):
    complaint, respond = referred_with_only_respond_running()
    other = make_complaint(status="investigation")
    [other_clock] = make_due_clocks(complaints=[other], n=1, now=respond.due_at + timedelta(days=8))

    def refuse(**kwargs):
        raise ServiceError("an open correction order blocks it")

    monkeypatch.setattr(sweep, "transition", refuse)
    result = sweep.clock_sweep(now=respond.due_at + timedelta(days=8))
    assert result.investigations == 0 and result.claimed == 2
    assert CaseEvent.objects.filter(complaint=complaint, kind="clock_escalation_blocked").count() == 1
    assert ClockNotice.objects.filter(clock=respond, kind="escalation").count() == 3
    assert ClockNotice.objects.filter(clock_id=other_clock, kind="escalation", level=1).exists()
    complaint.refresh_from_db()
    assert complaint.status == "referred"
