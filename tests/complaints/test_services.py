import threading

import pytest
from django.db import connection, connections

from complaints import services
from complaints.models import CaseEvent, Complaint
from complaints.transitions import STATUS_ACTIONS, TRANSITIONS, Action, Status, TransitionError
from kernel.actors import Actor
from kernel.errors import NotAllowed, ServiceError
from outbox.models import OutboxMessage
from tests.factories import (
    NOW,
    BlacklistEntryFactory,
    CitizenFactory,
    OfficerFactory,
    RecordCategoryFactory,
    SeniorOfficerFactory,
    UserFactory,
    issue_determination,
    make_complaint,
)

pytestmark = pytest.mark.django_db


def _call(action: Action, complaint: Complaint, actor: Actor):
    kw = {"complaint_id": complaint.pk, "actor": actor, "now": NOW}
    fn = {
        Action.START_SCREENING: lambda: services.complaint_start_screening(**kw),
        Action.REFER: lambda: services.complaint_refer(**kw),
        Action.RULE_OUT_OF_SCOPE: lambda: services.complaint_rule_out_of_scope(reason="x", **kw),
        Action.RECORD_AGENCY_RESPONSE: lambda: services.complaint_record_agency_response(
            outcome="needs_information", explanation="x", **kw
        ),
        Action.RESOLVE: lambda: services.complaint_resolve(**kw),
        Action.OPEN_INVESTIGATION: lambda: services.complaint_open_investigation(reason="x", **kw),
        Action.ISSUE_DETERMINATION: lambda: issue_determination(summary="x", **kw),
        Action.START_COMPLIANCE: lambda: services.complaint_start_compliance(**kw),
        Action.CLOSE: lambda: services.complaint_close(**kw),
        Action.WITHDRAW: lambda: services.complaint_withdraw(**kw),
        Action.REOPEN: lambda: services.complaint_reopen(reason="x", **kw),
        Action.SET_ASIDE_ON_REVIEW: lambda: services.complaint_set_aside_on_review(reason="x", **kw),
    }[action]
    return fn()


@pytest.mark.parametrize("action", STATUS_ACTIONS)
@pytest.mark.parametrize("source", list(Status))
def test_service_applies_exactly_the_table(action, source):
    complaint = make_complaint(status=source)
    assert complaint.status == source
    senior = Actor.for_user(SeniorOfficerFactory())
    events_before = complaint.events.count()
    t = TRANSITIONS[action]
    if action == Action.RECORD_AGENCY_RESPONSE:
        actor = Actor.for_agency(complaint.respondent)
    else:
        actor = senior
    if source in t.sources:
        _call(action, complaint, actor)
        complaint.refresh_from_db()
        assert complaint.status == t.target
        last = complaint.events.exclude(to_status="").last()  # clock and screening events follow
        assert (last.from_status, last.to_status, last.kind) == (source, t.target, action.value)
    else:
        with pytest.raises(TransitionError):
            _call(action, complaint, actor)
        complaint.refresh_from_db()
        assert complaint.status == source
        assert complaint.events.count() == events_before


def test_citizen_cannot_act_on_someone_elses_case():
    complaint = make_complaint()
    stranger = Actor.for_user(UserFactory())
    with pytest.raises(NotAllowed):
        services.complaint_withdraw(complaint_id=complaint.pk, actor=stranger, now=NOW)
    own = Actor.for_user(complaint.citizen.user)
    services.complaint_withdraw(complaint_id=complaint.pk, actor=own, now=NOW)
    complaint.refresh_from_db()
    assert complaint.status == Status.WITHDRAWN and complaint.closed_at == NOW


def test_agency_cannot_answer_another_agencys_case():
    complaint = make_complaint(status=Status.REFERRED)
    other = BlacklistEntryFactory().agency
    with pytest.raises(NotAllowed):
        services.complaint_record_agency_response(
            complaint_id=complaint.pk, actor=Actor.for_agency(other), outcome="verified", explanation="x", now=NOW
        )


@pytest.mark.parametrize("outcome", ["verified", "deleted", "misdirected", "needs_information"])
def test_an_answer_that_changes_nothing_cannot_carry_corrections(outcome):
    complaint = make_complaint(status=Status.REFERRED)
    with pytest.raises(ServiceError, match="Corrections belong to a corrected") as refused:
        services.complaint_record_agency_response(
            complaint_id=complaint.pk,
            actor=Actor.for_agency(complaint.respondent),
            outcome=outcome,
            explanation="Checked.",
            corrections=[{"field": "status", "old_value": "listed", "new_value": "listed"}],
            now=NOW,
        )
    assert refused.value.field == "corrections"
    complaint.refresh_from_db()
    assert complaint.status == Status.REFERRED and not complaint.agency_responses.exists()


def test_officer_cannot_sign_a_determination_only_a_senior_can():
    complaint = make_complaint(status=Status.INVESTIGATION)
    with pytest.raises(TransitionError, match="only: senior officer"):
        services.complaint_issue_determination(
            complaint_id=complaint.pk, actor=Actor.for_user(OfficerFactory()), now=NOW, summary="x"
        )


def test_submit_assigns_yearly_references_and_emails_the_citizen():
    a = make_complaint()
    b = make_complaint()
    assert a.reference == "OMB-2026-000001" and b.reference == "OMB-2026-000002"
    assert OutboxMessage.objects.filter(complaint_id=a.pk, channel="email", recipient=a.citizen.email).count() == 1
    ev = a.events.get()
    assert ev.kind == "submitted" and ev.actor_user == a.citizen.user and ev.visibility == "citizen"


def test_representative_files_for_a_minor_and_stranger_cannot():
    parent = UserFactory()
    minor = CitizenFactory(user=None, representative=parent, representative_kind="parent", email="")
    entry = BlacklistEntryFactory(citizen=minor)
    c = services.complaint_submit(
        citizen=minor,
        actor=Actor.for_user(parent),
        respondent=entry.agency,
        blacklist_entry=entry,
        category="derived_from_relative",
        statement="Listed because of my father.",
        remedies_sought=["delete"],
        now=NOW,
    )
    assert c.filed_by == parent
    with pytest.raises(NotAllowed):
        services.complaint_submit(
            citizen=minor,
            actor=Actor.for_user(UserFactory()),
            respondent=entry.agency,
            blacklist_entry=entry,
            category="other",
            statement="x",
            remedies_sought=["delete"],
            now=NOW,
        )


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"statement": "  "}, "statement"),
        ({"category": "nonsense"}, "category"),
        ({"remedies_sought": []}, "remedies_sought"),
        ({"remedies_sought": ["delete", "teleport"]}, "remedies_sought"),
        ({"urgent": True, "urgency_reason": ""}, "urgency_reason"),
    ],
)
def test_submit_rejects_bad_input_naming_the_field(kwargs, field):
    entry = BlacklistEntryFactory()
    base = {"category": "other", "statement": "wrong", "remedies_sought": ["correct"]}
    base.update(kwargs)
    with pytest.raises(ServiceError) as exc:
        services.complaint_submit(
            citizen=entry.citizen,
            actor=Actor.for_user(entry.citizen.user),
            respondent=entry.agency,
            blacklist_entry=entry,
            now=NOW,
            **base,
        )
    assert exc.value.field == field


def test_submit_refuses_a_record_of_another_person_or_agency():
    entry = BlacklistEntryFactory()
    other_person = CitizenFactory()
    with pytest.raises(ServiceError, match="not this person"):
        services.complaint_submit(
            citizen=other_person,
            actor=Actor.for_user(other_person.user),
            respondent=entry.agency,
            blacklist_entry=entry,
            category="other",
            statement="x",
            remedies_sought=["correct"],
            now=NOW,
        )


def test_screening_flags_unlawful_category_derived_entry_and_duplicate():
    jaywalking = RecordCategoryFactory(code="jaywalking-test", lawful=False, legal_basis="")
    entry = BlacklistEntryFactory(category=jaywalking, derived_from_relative=True)
    first = make_complaint(blacklist_entry=entry)
    second = make_complaint(blacklist_entry=entry)
    officer = Actor.for_user(OfficerFactory())
    services.complaint_start_screening(complaint_id=second.pk, actor=officer, now=NOW)
    second.refresh_from_db()
    assert second.flag_unlawful_category and second.flag_derived_from_relative
    assert second.duplicate_of == first
    findings = second.events.get(kind="screening_findings")
    assert findings.visibility == "internal" and findings.data["duplicate_of"] == first.reference
    with pytest.raises(ServiceError, match="duplicate"):
        services.complaint_refer(complaint_id=second.pk, actor=officer, now=NOW)


def test_timeline_is_append_only():
    complaint = make_complaint()
    event = complaint.events.get()
    from complaints.models import AppendOnlyError

    event.message = "rewritten"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        CaseEvent.objects.filter(pk=event.pk).update(message="x")
    with pytest.raises(AppendOnlyError):
        CaseEvent.objects.all().delete()


def test_assignment_only_to_officers_and_recorded():
    complaint = make_complaint()
    officer = OfficerFactory()
    actor = Actor.for_user(officer)
    with pytest.raises(ServiceError):
        services.complaint_assign(complaint_id=complaint.pk, officer=UserFactory(), actor=actor, now=NOW)
    services.complaint_assign(complaint_id=complaint.pk, officer=officer, actor=actor, now=NOW)
    services.complaint_assign(complaint_id=complaint.pk, officer=officer, actor=actor, now=NOW)
    assert complaint.events.filter(kind="assigned").count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_transitions_one_wins_one_clear_error():
    """Two officers act on the same case at the same moment: refer vs rule out of scope."""
    complaint = make_complaint(status=Status.SCREENING)
    officer_a = Actor.for_user(OfficerFactory())
    officer_b = Actor.for_user(OfficerFactory())
    barrier = threading.Barrier(2)
    results: dict[str, object] = {}

    def run(name, fn):
        barrier.wait()
        try:
            fn()
            results[name] = "ok"
        except TransitionError as exc:
            results[name] = exc
        finally:
            connections.close_all()

    threads = [
        threading.Thread(
            target=run,
            args=("refer", lambda: services.complaint_refer(complaint_id=complaint.pk, actor=officer_a, now=NOW)),
        ),
        threading.Thread(
            target=run,
            args=(
                "out",
                lambda: services.complaint_rule_out_of_scope(
                    complaint_id=complaint.pk, actor=officer_b, reason="x", now=NOW
                ),
            ),
        ),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(type(v).__name__ for v in results.values()) == ["TransitionError", "str"]
    err = next(v for v in results.values() if isinstance(v, TransitionError))
    assert "Cannot" in str(err)
    complaint.refresh_from_db()
    assert complaint.status in (Status.REFERRED, Status.OUT_OF_SCOPE)
    assert complaint.events.filter(kind__in=["refer", "rule_out_of_scope"]).count() == 1
    assert connection.vendor == "postgresql"


def test_agency_response_is_stored_structured_and_validated():
    complaint = make_complaint(status=Status.REFERRED)
    agency = Actor.for_agency(complaint.respondent)
    with pytest.raises(ServiceError) as exc:
        services.complaint_record_agency_response(
            complaint_id=complaint.pk, actor=agency, outcome="shrugged", explanation="x", now=NOW
        )
    assert exc.value.field == "outcome"
    response = services.complaint_record_agency_response(
        complaint_id=complaint.pk,
        actor=agency,
        outcome="corrected",
        explanation="Fixed the date.",
        now=NOW,
        corrections=[{"field": "listed_on", "old_value": "2025-01-01", "new_value": "2024-01-01"}],
    )
    assert response.agency == complaint.respondent and response.corrections[0]["field"] == "listed_on"


PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def test_attachment_type_is_sniffed_and_name_is_safe(settings, tmp_path):
    import io

    settings.MEDIA_ROOT = str(tmp_path)
    complaint = make_complaint()
    actor = Actor.for_user(complaint.citizen.user)
    att = services.attachment_add(
        complaint_id=complaint.pk, actor=actor, fileobj=io.BytesIO(PNG), filename="../../etc/passwd.pdf", now=NOW
    )
    assert att.content_type == "image/png" and att.stored_name.endswith(".png")
    assert ".." not in att.file.name and "passwd" not in att.file.name
    with pytest.raises(ServiceError) as exc:
        services.attachment_add(
            complaint_id=complaint.pk, actor=actor, fileobj=io.BytesIO(b"MZ\x90\x00 exe"), filename="x.pdf", now=NOW
        )
    assert exc.value.field == "file"
    with pytest.raises(ServiceError, match="larger"):
        services.attachment_add(
            complaint_id=complaint.pk,
            actor=actor,
            fileobj=io.BytesIO(PNG),
            filename="x.png",
            size=50 * 1024 * 1024,
            now=NOW,
        )


def test_internal_notes_only_from_officers():
    complaint = make_complaint()
    with pytest.raises(NotAllowed):
        services.complaint_post_message(
            complaint_id=complaint.pk,
            actor=Actor.for_user(complaint.citizen.user),
            text="hi",
            visibility="internal",
            now=NOW,
        )
    ev = services.complaint_post_message(
        complaint_id=complaint.pk,
        actor=Actor.for_user(OfficerFactory()),
        text="check ID",
        visibility="internal",
        now=NOW,
    )
    assert ev.kind == "note"
