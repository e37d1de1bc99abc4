"""The retention schedule (privacy.services.retention_run, beat ops.tasks.apply_retention): run
twice, it erases exactly the expired cases, deletes their files from storage, keeps the data of a
person with another live case, and leaves the public statistics and registers unchanged."""

from __future__ import annotations

import io
import json
from datetime import timedelta

import pytest
from django.conf import settings
from django.core.files.storage import default_storage
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from citizens.models import AccessKind, AccessLogEntry, Citizen
from complaints import services
from complaints.models import Attachment, CaseEvent, Complaint
from complaints.transitions import Status
from kernel.actors import Actor
from kernel.events import CaseEventKind
from outbox.models import OutboxMessage
from privacy.models import ERASED, Erasure, ErasureKind
from privacy.services import retention_run
from public.services import statistics_rebuild, statistics_refresh
from public.statistics import agency_statistics
from tests.factories import (
    NOW,
    AgencyFactory,
    BlacklistEntryFactory,
    CitizenFactory,
    OfficerFactory,
    make_complaint,
    walk_to,
)
from tribunal.models import DeletionWatch, Determination, DeterminationReview, ProvisionalComment

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
YEAR = timedelta(days=365)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)


def _case(citizen, agency, *, closed_ago: timedelta | None, status=Status.CLOSED, statement="My secret story."):
    """A case filed and (unless `closed_ago` is None) finished `closed_ago` before NOW, with a
    message and a file from the citizen."""
    at = NOW - (closed_ago or timedelta(days=10)) - timedelta(days=30)
    entry = BlacklistEntryFactory(citizen=citizen, agency=agency)
    complaint = make_complaint(blacklist_entry=entry, now=at, statement=statement)
    actor = Actor.for_user(citizen.user)
    services.complaint_post_message(complaint_id=complaint.pk, actor=actor, text="Call me on 138 0000 0000.", now=at)
    services.attachment_add(complaint_id=complaint.pk, actor=actor, fileobj=io.BytesIO(PDF), filename="id.pdf", now=at)
    if closed_ago is not None and status == "determined_then_closed":
        walk_to(complaint, Status.COMPLIANCE, now=NOW - closed_ago)
        services.complaint_close(
            complaint_id=complaint.pk, actor=Actor.for_user(OfficerFactory()), now=NOW - closed_ago
        )
    elif closed_ago is not None:
        walk_to(complaint, status, now=NOW - closed_ago)
    complaint.refresh_from_db()
    return complaint


def _registers() -> dict[str, object]:
    client = APIClient()
    out: dict[str, object] = {}
    for url in (
        "/api/v1/registers/determinations/",
        "/api/v1/registers/scoring-criteria/",
        "/api/v1/registers/conflicts-of-interest/",
        "/statistics.json",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        body = json.loads(response.content)
        if isinstance(body, dict):
            body.pop("generated_at", None)
        out[url] = body
    return out


def _statistics() -> list[object]:
    return [s.as_row() for s in agency_statistics(now=NOW)]


@pytest.fixture
def world():
    agency = AgencyFactory()
    alone = CitizenFactory()  # one expired case: case and person erased
    busy = CitizenFactory()  # one expired case, one open: the case erased, the person kept
    recent = CitizenFactory()  # closed 400 days ago: files deleted, data kept
    other = CitizenFactory()  # open case: untouched
    cases = {
        "expired": _case(alone, agency, closed_ago=4 * YEAR),
        "withdrawn": _case(busy, agency, closed_ago=4 * YEAR, status=Status.WITHDRAWN),
        "open_of_busy": _case(busy, agency, closed_ago=None),
        "recent": _case(recent, agency, closed_ago=timedelta(days=400)),
        "determined": _case(alone, agency, closed_ago=4 * YEAR, status="determined_then_closed"),
        "pending_decision": _case(other, agency, closed_ago=4 * YEAR, status=Status.DETERMINATION),
        "open": _case(other, agency, closed_ago=None),
    }
    return {"agency": agency, "alone": alone, "busy": busy, "recent": recent, "other": other, **cases}


def test_run_twice_erases_exactly_the_expired_cases_and_keeps_statistics_and_registers(world):
    decision = Determination.objects.get(complaint=world["determined"])
    Determination.objects.filter(pk=decision.pk).update(
        provisional_text={"outcome": "upheld", "findings": "Zhang's debt was paid.", "reasons": "R."},
        comments_considered="The citizen's comment on her illness was weighed.",
    )
    ProvisionalComment.objects.create(
        determination=decision, party="citizen", author_label="Laura", text="I was ill.", created_at=NOW - 5 * YEAR
    )
    review = DeterminationReview.objects.create(
        determination=decision,
        party="citizen",
        requested_by_label="Laura (citizen)",
        reasons="The officer ignored my illness.",
        requested_at=NOW - 5 * YEAR,
    )
    statistics_rebuild(now=NOW)
    stats_before, registers_before = _statistics(), _registers()
    assert registers_before["/api/v1/registers/determinations/"]["count"] == 2  # type: ignore[index]
    expired_files = [
        a.file.name
        for a in Attachment.objects.filter(complaint__in=[world["expired"], world["withdrawn"], world["determined"]])
    ]
    recent_files = [a.file.name for a in Attachment.objects.filter(complaint=world["recent"])]
    kept_files = [
        a.file.name
        for a in Attachment.objects.filter(
            complaint__in=[world["open"], world["open_of_busy"], world["pending_decision"]]
        )
    ]
    assert all(default_storage.exists(n) for n in expired_files + recent_files + kept_files)

    first = retention_run(now=NOW)
    assert first.cases_erased == 3
    assert first.persons_erased == 1
    assert first.files_deleted == 4  # the three expired cases', and the one closed 400 days ago (evidence: 1 year)

    erased_ids = {world["expired"].pk, world["withdrawn"].pk, world["determined"].pk}
    assert set(Erasure.objects.filter(kind=ErasureKind.CASE).values_list("subject_id", flat=True)) == erased_ids
    for key in ("expired", "withdrawn", "determined"):
        c = Complaint.objects.get(pk=world[key].pk)
        assert c.statement == ERASED
        assert "secret" not in c.search_text
        messages = list(c.events.exclude(message="").values_list("message", flat=True))
        assert messages and set(messages) == {ERASED}
        assert c.events.filter(kind=CaseEventKind.PERSONAL_DATA_ERASED).count() == 1
    for key in ("open_of_busy", "recent", "pending_decision", "open"):
        c = Complaint.objects.get(pk=world[key].pk)
        assert c.statement == "My secret story."
        assert not c.events.filter(kind=CaseEventKind.PERSONAL_DATA_ERASED).exists()
        assert c.events.filter(message="Call me on 138 0000 0000.").exists()

    assert not any(default_storage.exists(n) for n in expired_files + recent_files)
    assert all(default_storage.exists(n) for n in kept_files)
    assert set(Attachment.objects.filter(file="").values_list("original_name", flat=True)) == {ERASED}
    assert Attachment.objects.filter(file="").count() == 4

    decision.refresh_from_db()
    assert (decision.findings, decision.comments_considered, decision.provisional_text["findings"]) == (ERASED,) * 3
    assert decision.provisional_text["outcome"] == "upheld" and decision.public_summary == "Upheld."
    assert set(ProvisionalComment.objects.values_list("text", "author_label")) == {(ERASED, ERASED)}
    review.refresh_from_db()
    assert (review.reasons, review.requested_by_label, review.decision_reasons) == (ERASED, ERASED, "")

    alone = Citizen.objects.get(pk=world["alone"].pk)
    assert (alone.full_name, alone.email, alone.phone, alone.national_id_ciphertext) == (ERASED, "", "", "")
    assert alone.national_id_hash == f"erased:{alone.pk}"  # no re-insertion watch holds it
    busy = Citizen.objects.get(pk=world["busy"].pk)
    assert busy.full_name == world["busy"].full_name and busy.national_id_ciphertext

    # Statistics (recomputed from the archive and refreshed from the new events) and registers: unchanged.
    statistics_refresh(now=NOW + timedelta(hours=1))
    assert _statistics() == stats_before
    statistics_rebuild(now=NOW + timedelta(hours=1))
    assert _statistics() == stats_before
    assert _registers() == registers_before

    events_after_first = CaseEvent.objects.count()
    second = retention_run(now=NOW + timedelta(minutes=5))
    assert second.as_dict() == dict.fromkeys(second.as_dict(), 0)
    assert CaseEvent.objects.count() == events_after_first
    assert Erasure.objects.filter(kind=ErasureKind.CASE).count() == 3


def test_a_watched_hash_stays_until_the_watch_ends(world):
    alone = world["alone"]
    DeletionWatch.objects.create(
        complaint=world["expired"], citizen_match_token=alone.national_id_hash, created_at=NOW - 4 * YEAR
    )
    retention_run(now=NOW)
    person = Citizen.objects.get(pk=alone.pk)
    assert person.full_name == ERASED and person.national_id_ciphertext == ""
    assert person.national_id_hash == alone.national_id_hash  # the watch still needs it

    report = retention_run(now=NOW + 2 * YEAR)  # past the watch's five years
    assert report.watches_ended == 1 and report.hashes_released == 1
    assert Citizen.objects.get(pk=alone.pk).national_id_hash == f"erased:{alone.pk}"
    assert DeletionWatch.objects.get().citizen_match_token == ""


def test_other_kinds_follow_their_periods(world):
    citizen = world["other"]
    officer = OfficerFactory()
    for at in (NOW - 4 * YEAR, NOW - timedelta(days=1)):
        AccessLogEntry.objects.create(
            at=at, citizen=citizen, kind=AccessKind.CASE, reader_kind="officer", reader_user=officer, why="t"
        )
    OutboxMessage.objects.filter(pk__in=OutboxMessage.objects.values("pk")[:1]).update(
        status="delivered", created_at=NOW - YEAR
    )
    report = retention_run(now=NOW)
    assert report.access_log_deleted == 1
    assert list(AccessLogEntry.objects.values_list("at", flat=True)) == [NOW - timedelta(days=1)]
    assert report.outbox_payloads_erased >= 1
    assert OutboxMessage.objects.filter(payload={}, recipient=ERASED).count() == report.outbox_payloads_erased


def _expired_cases(n: int, agency) -> None:
    for _ in range(n):
        _case(CitizenFactory(), agency, closed_ago=4 * YEAR)


def test_queries_do_not_grow_with_the_cases():
    agency = AgencyFactory()
    _expired_cases(2, agency)
    with CaptureQueriesContext(connection) as small:
        assert retention_run(now=NOW, batch_size=50).cases_erased == 2
    _expired_cases(8, agency)
    with CaptureQueriesContext(connection) as large:
        assert retention_run(now=NOW, batch_size=50).cases_erased == 8
    assert len(large) == len(small)


def test_beat_runs_the_job_nightly():
    entry = settings.CELERY_BEAT_SCHEDULE["apply-retention"]
    assert entry["task"] == "ops.tasks.apply_retention"
    assert set(settings.RETENTION) >= {
        "closed_case",
        "evidence_files",
        "access_log",
        "sessions",
        "oauth_tokens",
        "outbox_payloads",
        "identity_claims",
        "representation_proofs",
        "reinsertion_watch",
    }
    assert settings.RETENTION["sessions"].total_seconds() == settings.SESSION_COOKIE_AGE


def test_an_erased_file_is_a_404_and_the_page_says_why(world):
    from django.test import Client

    retention_run(now=NOW)
    complaint = world["expired"]
    attachment = complaint.attachments.get()
    client = Client()
    client.force_login(world["alone"].user)
    assert client.get(f"/cases/{complaint.reference}/files/{attachment.pk}/").status_code == 404
    page = client.get(f"/cases/{complaint.reference}/").content.decode()
    assert "File deleted under the retention schedule" in page
    assert "My secret story." not in page


def test_an_erased_outbox_message_is_not_sent_again(world):
    from outbox.services import outbox_requeue

    message = OutboxMessage.objects.order_by("created_at").first()
    OutboxMessage.objects.filter(pk=message.pk).update(status="delivered", created_at=NOW - YEAR)
    retention_run(now=NOW)
    assert outbox_requeue(message_id=message.pk, now=NOW) is False
    OutboxMessage.objects.filter(pk=message.pk).update(payload={"subject": "x", "body": "y"})
    assert outbox_requeue(message_id=message.pk, now=NOW) is True


def test_questions_and_deadline_reasons_are_erased_their_times_kept(world):
    from clocks.models import Clock, ClockPause
    from tribunal.models import InformationRequest

    complaint = world["expired"]
    request = InformationRequest.objects.create(
        complaint=complaint,
        agency=world["agency"],
        questions=["Was the debt of Laura paid?"],
        requested_documents=["Laura's receipt"],
        due_at=NOW - 4 * YEAR,
        created_by=OfficerFactory(),
        created_at=NOW - 5 * YEAR,
        answer_text="Yes, she paid.",
        answers=[{"question": "Was the debt of Laura paid?", "answer": "Yes"}],
    )
    clock = Clock.objects.filter(complaint=complaint).first()
    assert clock is not None
    pause = ClockPause.objects.create(
        clock=clock, paused_at=NOW - 5 * YEAR, reason="She is in hospital.", paused_by="x"
    )
    open_pause = ClockPause.objects.create(
        clock=Clock.objects.filter(complaint=world["recent"]).first(),
        paused_at=NOW,
        reason="Waiting on him.",
        paused_by="x",
    )
    retention_run(now=NOW)
    request.refresh_from_db()
    assert (request.questions, request.requested_documents, request.answer_text) == ([ERASED], [ERASED], ERASED)
    assert request.answers == [{"question": ERASED, "answer": ERASED}]
    pause.refresh_from_db()
    assert pause.reason == ERASED and pause.paused_at == NOW - 5 * YEAR
    assert all(
        r in ("", ERASED) for r in Clock.objects.filter(complaint=complaint).values_list("cancel_reason", flat=True)
    )
    open_pause.refresh_from_db()
    assert open_pause.reason == "Waiting on him."


def test_a_batch_selected_before_another_run_erased_it_is_skipped_under_the_lock(world):
    """Two runs at once select the same cases; the second, once it has the locks, finds them
    erased and writes nothing (no second event, no second audit row)."""
    from django.db import transaction

    from privacy.erasure import cases_erase, persons_erase

    ids = [world["expired"].pk, world["determined"].pk]
    with transaction.atomic():
        assert cases_erase(complaint_ids=ids, now=NOW) == sorted(ids)
        assert persons_erase(citizen_ids=[world["alone"].pk], now=NOW) == [world["alone"].pk]
    events = CaseEvent.objects.count()
    with transaction.atomic():
        assert cases_erase(complaint_ids=ids, now=NOW + timedelta(minutes=1)) == []
        assert persons_erase(citizen_ids=[world["alone"].pk], now=NOW + timedelta(minutes=1)) == []
    assert CaseEvent.objects.count() == events
    assert Erasure.objects.filter(kind__in=[ErasureKind.CASE, ErasureKind.PERSON]).count() == 3
