import pytest

from accounts.models import User
from complaints import services
from complaints.transitions import Status
from kernel.actors import Actor
from kernel.errors import NotAllowed, ServiceError
from tests.factories import NOW, BlacklistEntryFactory, OfficerFactory, SeniorOfficerFactory, make_complaint, walk_to

pytestmark = pytest.mark.django_db


def test_least_loaded_counts_only_open_cases_and_prefers_case_officers():
    senior = SeniorOfficerFactory()
    a, b = OfficerFactory(), OfficerFactory()
    actor = Actor.for_user(senior)
    for _ in range(2):  # a has two open cases
        c = make_complaint(blacklist_entry=BlacklistEntryFactory())
        services.complaint_assign(complaint_id=c.pk, officer=a, actor=actor, now=NOW)
    for _ in range(3):  # b has three finished cases: they do not count
        c = make_complaint(blacklist_entry=BlacklistEntryFactory())
        services.complaint_assign(complaint_id=c.pk, officer=b, actor=actor, now=NOW)
        walk_to(c, Status.WITHDRAWN, now=NOW)
    target = make_complaint(blacklist_entry=BlacklistEntryFactory())
    assigned = services.complaint_assign_automatically(complaint_id=target.pk, actor=actor, now=NOW)
    # walk_to made officers of its own (no open cases): expect the lowest (open load, id) of all officers
    open_statuses = ["submitted", "screening", "referred", "agency_responded", "investigation"]
    expected = min(
        (u.assigned_complaints.exclude(pk=target.pk).filter(status__in=open_statuses).count(), u.pk)
        for u in User.objects.filter(role="officer", is_active=True)
    )
    assert assigned.assigned_officer is not None
    assert assigned.assigned_officer.pk == expected[1] and expected[0] == 0
    assert assigned.assigned_officer.pk not in (a.pk, senior.pk)
    target_b = make_complaint(blacklist_entry=BlacklistEntryFactory())
    User.objects.filter(role="officer").exclude(pk__in=[a.pk, b.pk]).update(is_active=False)
    again = services.complaint_assign_automatically(complaint_id=target_b.pk, actor=actor, now=NOW)
    assert again.assigned_officer == b  # b's three cases are finished; a has two open


def test_falls_back_to_senior_officers_and_refuses_citizens():
    senior = SeniorOfficerFactory()
    target = make_complaint(blacklist_entry=BlacklistEntryFactory())
    User.objects.filter(role="officer").update(is_active=False)
    assigned = services.complaint_assign_automatically(complaint_id=target.pk, actor=Actor.for_user(senior), now=NOW)
    assert assigned.assigned_officer == senior
    with pytest.raises(NotAllowed):
        services.complaint_assign_automatically(
            complaint_id=target.pk, actor=Actor.for_user(target.citizen.user), now=NOW
        )


def test_no_officer_at_all_is_a_service_error():
    target = make_complaint(blacklist_entry=BlacklistEntryFactory())
    officer = OfficerFactory()
    User.objects.filter(role__in=["officer", "senior_officer"]).update(is_active=False)
    with pytest.raises(ServiceError) as exc:
        services.complaint_assign_automatically(complaint_id=target.pk, actor=Actor.for_user(officer), now=NOW)
    assert exc.value.field == "officer"
