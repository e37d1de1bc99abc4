"""factory_boy factories for the domain. Complaints are made through the real service."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Any

import factory
from django.utils import timezone

from accounts.models import Role, User
from accounts.services import user_activate_totp, user_mark_email_verified
from agencies.models import Agency, AgencyKind, AgencyMembership, AgencyRole, DataSharingLink, RecordCategory
from citizens.models import BlacklistEntry, Citizen, CreditScoreRecord

NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
# The second factor of factory-made officers and agency users (accounts.services.totp_code_now).
TEST_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("email",)
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.org")
    full_name = factory.Faker("name")
    role = Role.CITIZEN
    password = factory.PostGenerationMethodCall("set_password", "pw-for-tests-2026")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):  # type: ignore[no-untyped-def]
        if create:
            obj.save()
            user_mark_email_verified(user=obj)


class OfficerFactory(UserFactory):
    """An officer with a TOTP second factor (TEST_TOTP_SECRET) unless `second_factor=False`."""

    role = Role.OFFICER
    is_staff = True

    @factory.post_generation
    def second_factor(obj, create, extracted, **kwargs):  # type: ignore[no-untyped-def]
        if create and extracted is not False:
            user_activate_totp(user=obj, secret=TEST_TOTP_SECRET)


class SeniorOfficerFactory(OfficerFactory):
    role = Role.SENIOR_OFFICER


class AgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agency
        django_get_or_create = ("slug",)

    name_en = factory.Sequence(lambda n: f"Agency {n}")
    name_zh = factory.Sequence(lambda n: f"机构{n}")
    slug = factory.Sequence(lambda n: f"agency-{n}")
    kind = AgencyKind.COURT_LIST_OPERATOR
    jurisdiction = "CN"
    escalation_contact_email = factory.LazyAttribute(lambda o: f"director@{o.slug}.example")
    contact_email = factory.LazyAttribute(lambda o: f"disputes@{o.slug}.example")


class ScoringAgencyFactory(AgencyFactory):
    kind = AgencyKind.COMMERCIAL_PLATFORM
    score_min = 350
    score_max = 950
    score_start = 350


class RecordCategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RecordCategory
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"category-{n}")
    name_en = factory.Sequence(lambda n: f"Category {n}")
    legal_basis = "Some statute art. 1"
    lawful = True


class DataSharingLinkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DataSharingLink

    source = factory.SubFactory(AgencyFactory)
    recipient = factory.SubFactory(AgencyFactory)
    since = date(2020, 1, 1)


class CitizenFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Citizen

    user = factory.SubFactory(UserFactory)
    full_name = factory.Faker("name")
    email = factory.LazyAttribute(lambda o: o.user.email if o.user else "")
    date_of_birth = date(1980, 1, 1)
    national_id = factory.Sequence(lambda n: f"11010119800101{n:04d}")

    @classmethod
    def _create(cls, model_class: type[Citizen], *args: Any, **kwargs: Any) -> Citizen:
        raw = kwargs.pop("national_id")
        citizen = model_class(**kwargs)
        citizen.set_national_id(raw)
        citizen.save()
        return citizen


class BlacklistEntryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BlacklistEntry

    citizen = factory.SubFactory(CitizenFactory)
    agency = factory.SubFactory(AgencyFactory)
    agency_record_id = factory.Sequence(lambda n: f"REC-{n:06d}")
    list_name = "List of Dishonest Judgment Debtors"
    category = factory.SubFactory(RecordCategoryFactory)
    reason = "Failure to perform a judgment"
    listed_on = date(2025, 1, 1)
    sanctions = factory.LazyFunction(lambda: ["air_travel", "rail_travel"])


class CreditScoreRecordFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CreditScoreRecord

    citizen = factory.SubFactory(CitizenFactory)
    agency = factory.SubFactory(ScoringAgencyFactory)
    score = 500
    as_of = date(2026, 10, 1)


def make_complaint(*, status: str | None = None, now: datetime = NOW, **kwargs: Any):  # type: ignore[no-untyped-def]
    """A complaint filed through `complaint_submit`, then walked to `status` through the services."""
    from complaints.services import complaint_submit
    from complaints.transitions import Status
    from kernel.actors import Actor

    entry = kwargs.pop("blacklist_entry", None) or BlacklistEntryFactory(**kwargs.pop("entry_kwargs", {}))
    citizen = entry.citizen
    actor = Actor.for_user(citizen.user)
    defaults: dict[str, Any] = {
        "category": "inaccurate_data",
        "statement": "The record is wrong.",
        "remedies_sought": ["correct"],
    }
    defaults.update(kwargs)
    complaint = complaint_submit(
        citizen=citizen, actor=actor, respondent=entry.agency, blacklist_entry=entry, now=now, **defaults
    )
    if status is not None:
        walk_to(complaint, Status(status), now=now)
        complaint.refresh_from_db()
    return complaint


def walk_to(complaint, target, *, now: datetime | None = None):  # type: ignore[no-untyped-def]
    """Drive a complaint to `target` along the shortest path, through the real services."""
    from complaints import services
    from complaints.transitions import Status
    from kernel.actors import Actor

    now = now or timezone.now()
    officer = Actor.for_user(OfficerFactory())
    senior = Actor.for_user(SeniorOfficerFactory())
    agency = Actor.for_agency(complaint.respondent)
    steps = {
        Status.SCREENING: lambda: services.complaint_start_screening(complaint_id=complaint.pk, actor=officer, now=now),
        Status.REFERRED: lambda: services.complaint_refer(complaint_id=complaint.pk, actor=officer, now=now),
        Status.AGENCY_RESPONDED: lambda: services.complaint_record_agency_response(
            complaint_id=complaint.pk, actor=agency, outcome="needs_information", explanation="Checked.", now=now
        ),
        Status.RESOLVED: lambda: services.complaint_resolve(complaint_id=complaint.pk, actor=officer, now=now),
        Status.INVESTIGATION: lambda: services.complaint_open_investigation(
            complaint_id=complaint.pk, actor=officer, reason="Contested.", now=now
        ),
        Status.DETERMINATION: lambda: issue_determination(complaint_id=complaint.pk, actor=senior, now=now),
        Status.COMPLIANCE: lambda: services.complaint_start_compliance(
            complaint_id=complaint.pk, actor=officer, now=now
        ),
        Status.CLOSED: lambda: services.complaint_close(complaint_id=complaint.pk, actor=officer, now=now),
        Status.OUT_OF_SCOPE: lambda: services.complaint_rule_out_of_scope(
            complaint_id=complaint.pk, actor=officer, reason="Not ours.", now=now
        ),
        Status.WITHDRAWN: lambda: services.complaint_withdraw(complaint_id=complaint.pk, actor=officer, now=now),
    }
    paths = {
        Status.SUBMITTED: [],
        Status.SCREENING: [Status.SCREENING],
        Status.REFERRED: [Status.SCREENING, Status.REFERRED],
        Status.AGENCY_RESPONDED: [Status.SCREENING, Status.REFERRED, Status.AGENCY_RESPONDED],
        Status.RESOLVED: [Status.SCREENING, Status.REFERRED, Status.AGENCY_RESPONDED, Status.RESOLVED],
        Status.INVESTIGATION: [Status.SCREENING, Status.INVESTIGATION],
        Status.DETERMINATION: [Status.SCREENING, Status.INVESTIGATION, Status.DETERMINATION],
        Status.COMPLIANCE: [Status.SCREENING, Status.INVESTIGATION, Status.DETERMINATION, Status.COMPLIANCE],
        Status.CLOSED: [Status.SCREENING, Status.REFERRED, Status.AGENCY_RESPONDED, Status.RESOLVED, Status.CLOSED],
        Status.OUT_OF_SCOPE: [Status.OUT_OF_SCOPE],
        Status.WITHDRAWN: [Status.WITHDRAWN],
    }
    for step in paths[target]:
        steps[step]()


def issue_determination(*, complaint_id: int, actor: Any, now: datetime, summary: str = "Upheld."):  # type: ignore[no-untyped-def]
    """Issue a determination the way `tribunal.services.determination_sign` does (a signed row,
    then the transition), without creating correction orders: for walking a case to
    `determination`. Tests of the tribunal itself use the real draft/sign services."""
    from complaints.services import complaint_issue_determination
    from tribunal.models import Determination, DeterminationStatus

    if actor.user is not None and actor.user.is_senior_officer:
        Determination.objects.create(
            complaint_id=complaint_id,
            status=DeterminationStatus.ISSUED,
            outcome="partly_upheld",
            findings="Findings.",
            reasons="Reasons.",
            remedies=[{"kind": "apology"}],
            public_summary=summary,
            drafted_by=OfficerFactory(),
            drafted_at=now,
            updated_at=now,
            signed_by=actor.user,
            issued_at=now,
            number=f"D-T-{uuid.uuid4().hex[:12]}",
        )
    return complaint_issue_determination(complaint_id=complaint_id, actor=actor, now=now, summary=summary)


class AgencyMembershipFactory(factory.django.DjangoModelFactory):
    """An agency portal user: a user with a membership of `agency` (responder unless `role`)."""

    class Meta:
        model = AgencyMembership

    user = factory.SubFactory(UserFactory, full_name=factory.Faker("name"))
    agency = factory.SubFactory(AgencyFactory)
    role = AgencyRole.RESPONDER

    @factory.post_generation
    def second_factor(obj, create, extracted, **kwargs):  # type: ignore[no-untyped-def]
        """Agency users sign in with TOTP (TEST_TOTP_SECRET) unless `second_factor=False`."""
        if create and extracted is not False:
            user_activate_totp(user=obj.user, secret=TEST_TOTP_SECRET)
