"""Demo data modelled on the seed paper. Idempotent: running it again creates nothing twice."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.utils import timezone

from accounts.models import Role, User
from accounts.second_factor import second_factor_required
from accounts.services import user_activate_totp, user_mark_email_verified
from agencies.models import Agency, AgencyKind, AgencyMembership, AgencyRole, DataSharingLink, RecordCategory
from agencies.reference_data import load_categories
from citizens import national_id
from citizens.models import (
    BlacklistEntry,
    Citizen,
    CreditScoreRecord,
)
from complaints.models import Complaint
from complaints.services import (
    complaint_open_investigation,
    complaint_refer,
    complaint_start_screening,
    complaint_submit,
)
from kernel.actors import Actor
from public.services import statistics_refresh
from tribunal.models import ConflictOfInterest, CriteriaDisclosure
from tribunal.services import (
    criteria_disclosure_record,
    determination_save_draft,
    determination_sign,
    information_request_create,
    validated_criteria,
)

from .demo_cases import Cast, named_cases, run_script
from .demo_identity import CLAIMANT_EMAIL, demo_identity_match, demo_representation
from .demo_privacy import demo_deletion_request
from .demo_statistics import stat_cases, stat_citizens

DEMO_PASSWORD = "demo-pass-2026"
# Every demo staff and agency login's second factor: one TOTP secret, so the demo can be walked
# with any authenticator app (or `python3 dev.py totp <email>`). Never used outside the demo.
DEMO_TOTP_SECRET = "KRSXG5CTMVRXEZLUKRSXG5CTMVRXEZLU"

AGENCIES: list[dict[str, Any]] = [
    {
        "slug": "harbour-court",
        "name_en": "Harbour City Intermediate People's Court (dishonest-debtor list)",
        "name_zh": "海港市中级人民法院（失信被执行人名单）",
        "kind": AgencyKind.COURT_LIST_OPERATOR,
    },
    {
        "slug": "harbour-civic-credit",
        "name_en": "Harbour City Civic Credit Scheme",
        "name_zh": "海港市市民信用分",
        "kind": AgencyKind.LOCAL_SCHEME,
        "score_min": 0,
        "score_max": 200,
        "score_start": 100,
    },
    {
        "slug": "lotus-credit",
        "name_en": "Lotus Credit platform score",
        "name_zh": "莲花信用分",
        "kind": AgencyKind.COMMERCIAL_PLATFORM,
        "score_min": 350,
        "score_max": 950,
        "score_start": 350,
    },
    {
        "slug": "paywave-score",
        "name_en": "PayWave payment score",
        "name_zh": "付浪支付分",
        "kind": AgencyKind.COMMERCIAL_PLATFORM,
        "score_min": 300,
        "score_max": 850,
        "score_start": 550,
    },
    {
        "slug": "national-credit-centre",
        "name_en": "National Credit Reference Centre",
        "name_zh": "国家征信中心",
        "kind": AgencyKind.CREDIT_BUREAU,
    },
    {
        "slug": "national-rail",
        "name_en": "National Rail Ticketing",
        "name_zh": "全国铁路售票",
        "kind": AgencyKind.GOVERNMENT_SCHEME,
    },
    {
        "slug": "skybridge-air",
        "name_en": "SkyBridge Airlines",
        "name_zh": "天桥航空",
        "kind": AgencyKind.COMMERCIAL_PLATFORM,
    },
    {
        "slug": "harbour-school-admissions",
        "name_en": "Harbour City School Admissions",
        "name_zh": "海港市招生办",
        "kind": AgencyKind.GOVERNMENT_SCHEME,
    },
    {
        "slug": "harbour-bank",
        "name_en": "Harbour Commercial Bank",
        "name_zh": "海港商业银行",
        "kind": AgencyKind.CREDIT_BUREAU,
    },
]

LINKS = [
    ("harbour-court", "national-rail", ["court-judgment-default", "derived-family-member"]),
    ("harbour-court", "skybridge-air", ["court-judgment-default", "derived-family-member"]),
    ("harbour-court", "harbour-school-admissions", ["court-judgment-default", "derived-family-member"]),
    ("harbour-court", "harbour-bank", ["court-judgment-default"]),
    ("harbour-court", "national-credit-centre", ["court-judgment-default"]),
    ("national-credit-centre", "harbour-bank", ["loan-default", "tax-arrears"]),
    ("harbour-civic-credit", "lotus-credit", []),
]

USERS = [
    ("officer@example.org", "Chen Jing (case officer)", Role.OFFICER),
    ("senior@example.org", "Wang Fang (senior officer)", Role.SENIOR_OFFICER),
    # A second senior officer who took part in no demo case: the one who may decide a review.
    ("reviewer@example.org", "Zhao Lei (senior officer, reviews)", Role.SENIOR_OFFICER),
    ("citizen@example.org", "Li Wei", Role.CITIZEN),
    ("parent@example.org", "Zhang Min", Role.CITIZEN),
]


def _user(email: str, name: str, role: str) -> User:
    user, created = User.objects.get_or_create(
        email=email,
        defaults={
            "full_name": name,
            "role": role,
            "is_staff": role != Role.CITIZEN,
            "is_superuser": role == Role.SENIOR_OFFICER,
        },
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    user_mark_email_verified(user=user)
    if second_factor_required(user):
        # Staff and agency logins need a second factor: the demo's is one known TOTP secret
        # (printed by `dev.py run`; `python3 dev.py totp <email>` prints the current code).
        user_activate_totp(user=user, secret=DEMO_TOTP_SECRET)
    return user


def _citizen(raw_id: str, **fields: Any) -> Citizen:
    existing = Citizen.objects.filter(national_id_hash=national_id.keyed_hash(raw_id)).first()
    if existing:
        return existing
    citizen = Citizen(**fields)
    citizen.set_national_id(raw_id)
    citizen.save()
    return citizen


def _officers_group() -> Group:
    group, _ = Group.objects.get_or_create(name="Case officers")
    perms = Permission.objects.filter(
        content_type__app_label__in=["agencies", "agency_api", "citizens", "complaints", "outbox", "tribunal"]
    )
    group.permissions.set(perms)
    return group


@transaction.atomic
def seed_demo(*, cases: bool = True) -> dict[str, int]:
    """`cases=False`: the agencies, people, records and registers only (for tests that need no cases)."""
    before = _counts()
    load_categories(RecordCategory)
    cats = {c.code: c for c in RecordCategory.objects.all()}
    agencies: dict[str, Agency] = {}
    for row in AGENCIES:
        defaults = {k: v for k, v in row.items() if k != "slug"}
        defaults.update(
            jurisdiction="CN",
            escalation_contact_name="Complaints director",
            escalation_contact_email=f"director@{row['slug']}.example",
            contact_email=f"disputes@{row['slug']}.example",
        )
        agencies[row["slug"]], _ = Agency.objects.get_or_create(slug=row["slug"], defaults=defaults)
    for source, recipient, codes in LINKS:
        link, created = DataSharingLink.objects.get_or_create(
            source=agencies[source],
            recipient=agencies[recipient],
            defaults={
                "since": date(2020, 1, 1),
                "legal_basis": "Memorandum of understanding on joint punishment of dishonesty (2016)",
            },
        )
        if created:
            link.categories.set([cats[c] for c in codes])

    users = {email: _user(email, name, role) for email, name, role in USERS}
    officers = _officers_group()
    users["officer@example.org"].groups.add(officers)

    li = _citizen(
        "110101198503071234",
        user=users["citizen@example.org"],
        full_name="Li Wei",
        email="citizen@example.org",
        phone="+86 138 0000 0001",
        date_of_birth=date(1985, 3, 7),
        preferred_language="zh-hans",
    )
    parent = _citizen(
        "440301197801015678",
        user=users["parent@example.org"],
        full_name="Zhang Min",
        email="parent@example.org",
        date_of_birth=date(1978, 1, 1),
    )
    minor = _citizen(
        "44030120100615002X",
        full_name="Zhang Xiaoyu",
        date_of_birth=date(2010, 6, 15),
        parent=parent,
    )
    demo_representation(users, minor, lijianguo_id="110101195201011238")
    person = stat_citizens()[0]
    demo_identity_match(claimant=_user(CLAIMANT_EMAIL, person.full_name, Role.CITIZEN), person=person)
    minor.refresh_from_db()

    court = agencies["harbour-court"]
    records: dict[str, BlacklistEntry | CreditScoreRecord] = {}
    parent_entry, _ = BlacklistEntry.objects.get_or_create(
        agency=court,
        agency_record_id="(2025)HG-ZX-0417",
        defaults={
            "citizen": parent,
            "list_name": "List of Dishonest Judgment Debtors",
            "category": cats["court-judgment-default"],
            "reason": "Failure to repay a business loan of RMB 380,000 under an effective judgment",
            "legal_basis": "(2024) Hai Min Chu 1123",
            "listed_on": date(2025, 4, 17),
            "expires_on": date(2028, 4, 17),
            "sanctions": ["air_travel", "rail_travel", "hotels", "schools", "credit_cards"],
        },
    )
    records["parent-entry"] = parent_entry
    records["minor-entry"], _ = BlacklistEntry.objects.get_or_create(
        agency=court,
        agency_record_id="(2025)HG-ZX-0417-D1",
        defaults={
            "citizen": minor,
            "list_name": "List of Dishonest Judgment Debtors (family restriction)",
            "category": cats["derived-family-member"],
            "reason": "Child of listed debtor Zhang Min",
            "legal_basis": "",
            "listed_on": date(2025, 6, 2),
            "sanctions": ["schools", "rail_travel"],
            "derived_from_relative": True,
            "derived_from": parent_entry,
        },
    )
    records["jaywalk"], _ = BlacklistEntry.objects.get_or_create(
        agency=agencies["harbour-civic-credit"],
        agency_record_id="HC-2026-88213",
        defaults={
            "citizen": li,
            "list_name": "Civic conduct deductions",
            "category": cats["jaywalking"],
            "reason": "Crossing against a red light, camera 14, Binhai Road",
            "listed_on": date(2026, 5, 9),
            "sanctions": ["public_shaming"],
        },
    )
    records["ncrc-entry"], _ = BlacklistEntry.objects.get_or_create(
        agency=agencies["national-credit-centre"],
        agency_record_id="NCRC-7730019",
        defaults={
            "citizen": li,
            "list_name": "Credit report: overdue accounts",
            "category": cats["loan-default"],
            "reason": "Credit card reported 90 days overdue (card was cancelled in 2023)",
            "legal_basis": "Credit Reporting Regulation 2013",
            "listed_on": date(2026, 2, 1),
            "sanctions": ["credit_cards"],
        },
    )
    records["ncrc-phone"], _ = BlacklistEntry.objects.get_or_create(
        agency=agencies["national-credit-centre"],
        agency_record_id="NCRC-7730462",
        defaults={
            "citizen": li,
            "list_name": "Credit report: overdue accounts",
            "category": cats["loan-default"],
            "reason": "Mobile phone contract reported in default",
            "legal_basis": "Credit Reporting Regulation 2013",
            "listed_on": date(2025, 11, 3),
            "sanctions": ["credit_cards"],
        },
    )
    records["civic-score"], _ = CreditScoreRecord.objects.get_or_create(
        citizen=li,
        agency=agencies["harbour-civic-credit"],
        as_of=date(2026, 10, 1),
        defaults={
            "score": 85,
            "agency_record_id": "HC-S-44120",
            "automated": True,
            "factors": [
                {"factor": "traffic conduct", "effect": -10, "detail": "jaywalking record"},
                {"factor": "volunteering", "effect": 5, "detail": ""},
            ],
        },
    )
    records["lotus-score"], _ = CreditScoreRecord.objects.get_or_create(
        citizen=li,
        agency=agencies["lotus-credit"],
        as_of=date(2026, 11, 1),
        defaults={
            "score": 512,
            "agency_record_id": "LC-0093311",
            "automated": True,
            "factors": [{"factor": "payment history", "effect": "undisclosed", "detail": ""}],
        },
    )
    records["parent-paywave"], _ = CreditScoreRecord.objects.get_or_create(
        citizen=parent,
        agency=agencies["paywave-score"],
        as_of=date(2026, 11, 15),
        defaults={
            "score": 498,
            "agency_record_id": "PW-2211-0087",
            "automated": True,
            "factors": [{"factor": "late payments", "effect": -60, "detail": "2019"}],
        },
    )
    _tribunal_registers(agencies)
    now = timezone.now()
    cast = Cast(
        officer=Actor.for_user(users["officer@example.org"]), senior=Actor.for_user(users["senior@example.org"])
    )
    scripts = named_cases(users=users, li=li, parent=parent, minor=minor, records=records) if cases else []
    if cases:
        scripts += stat_cases(officer=users["officer@example.org"])
    for script in scripts:
        run_script(script, cast=cast, now=now)
    _agency_portal(agencies, users, li, cats, court_work=cases)
    demo_deletion_request(user=users["parent@example.org"], citizen=parent)
    statistics_refresh(now=timezone.now())  # the public figures count the demo cases at once
    after = _counts()
    return {k: after[k] - before[k] for k in after}


# Public registers (tribunal app): conflicts of interest and one disclosed set of criteria. The
# five dimensions are those the seed paper reports for Sesame Credit.
CONFLICTS: list[dict[str, Any]] = [
    {
        "agency": "lotus-credit",
        "kind": "paid_score_improvement",
        "related": None,
        "share_percent": None,
        "description": "Sells a 'Lotus Boost' membership (RMB 19 a month) advertised as raising the score faster.",
        "source": "Lotus Credit app, membership page (captured 2026-09-14)",
        "since": date(2025, 3, 1),
    },
    {
        "agency": "lotus-credit",
        "kind": "shareholding",
        "related": "national-credit-centre",
        "share_percent": "8.00",
        "description": "Holds 8% of the shares of the credit bureau whose reports it consumes and competes with.",
        "source": "Company registration records",
        "since": date(2018, 3, 19),
    },
    {
        "agency": "paywave-score",
        "kind": "shareholding",
        "related": "national-credit-centre",
        "share_percent": "8.00",
        "description": "Holds 8% of the shares of the credit bureau it supplies payment data to.",
        "source": "Company registration records",
        "since": date(2018, 3, 19),
    },
]

LOTUS_CRITERIA = [
    {
        "factor": "Credit history",
        "description": "Repayment of consumer loans and bills on the platform",
        "direction_or_weight": "about 35%",
        "data_source": "Platform payments and partner lenders",
    },
    {
        "factor": "Behaviour and preferences",
        "description": "What is bought, how often, and in which categories",
        "direction_or_weight": "about 25%",
        "data_source": "Platform purchases",
    },
    {
        "factor": "Ability to fulfil contracts",
        "description": "Assets, income proxies, balances held",
        "direction_or_weight": "about 20%",
        "data_source": "Platform wallet, declared assets",
    },
    {
        "factor": "Identity characteristics",
        "description": "Completeness and stability of identity information",
        "direction_or_weight": "about 15%",
        "data_source": "Registration data, address history",
    },
    {
        "factor": "Interpersonal relationships",
        "description": "Scores and behaviour of contacts",
        "direction_or_weight": "about 5%",
        "data_source": "Contact list, transfers between users",
    },
]


def _tribunal_registers(agencies: dict[str, Agency]) -> None:
    for row in CONFLICTS:
        ConflictOfInterest.objects.get_or_create(
            agency=agencies[row["agency"]],
            kind=row["kind"],
            related_agency=agencies[row["related"]] if row["related"] else None,
            defaults={
                "share_percent": row["share_percent"],
                "description": row["description"],
                "source": row["source"],
                "since": row["since"],
            },
        )
    criteria_disclosure_record(
        agency=agencies["lotus-credit"],
        criteria=validated_criteria(LOTUS_CRITERIA, field="scoring_criteria", required=True),
        now=timezone.now(),
    )


def _counts() -> dict[str, int]:
    return {
        "agencies": Agency.objects.count(),
        "links": DataSharingLink.objects.count(),
        "users": User.objects.count(),
        "citizens": Citizen.objects.count(),
        "entries": BlacklistEntry.objects.count(),
        "scores": CreditScoreRecord.objects.count(),
        "complaints": Complaint.objects.count(),
        "conflicts of interest": ConflictOfInterest.objects.count(),
        "criteria versions": CriteriaDisclosure.objects.count(),
    }


# --- agency portal (agency_portal/) ---------------------------------------------------------------


def agency_logins(slug: str) -> tuple[str, str]:
    """The demo administrator's and responder's email of an agency (password DEMO_PASSWORD)."""
    return f"admin@{slug}.example", f"responder@{slug}.example"


def _court_entry(court: Agency, li: Citizen, cats: dict[str, RecordCategory], code: str, reason: str) -> BlacklistEntry:
    entry, _ = BlacklistEntry.objects.get_or_create(
        agency=court,
        agency_record_id=code,
        defaults={
            "citizen": li,
            "list_name": "List of Dishonest Judgment Debtors",
            "category": cats["court-judgment-default"],
            "reason": reason,
            "legal_basis": "(2025) Hai Min Chu 2210",
            "listed_on": date(2026, 3, 2),
            "sanctions": ["air_travel", "rail_travel"],
        },
    )
    return entry


def _agency_portal(
    agencies: dict[str, Agency],
    users: dict[str, User],
    li: Citizen,
    cats: dict[str, RecordCategory],
    *,
    court_work: bool = True,
) -> None:
    """Every demo agency gets an administrator and a responder; the court gets one of each kind of
    work on records of its own (so no other demo case is duplicated): a referral awaiting
    acknowledgement, an open information request, an open correction order (each through the
    real services, so the clocks run)."""
    for slug, agency in agencies.items():
        admin_email, responder_email = agency_logins(slug)
        for email, role, name in (
            (admin_email, AgencyRole.ADMINISTRATOR, f"{agency.name_en} administrator"),
            (responder_email, AgencyRole.RESPONDER, f"{agency.name_en} responder"),
        ):
            user = _user(email, name, Role.CITIZEN)
            AgencyMembership.objects.get_or_create(user=user, defaults={"agency": agency, "role": role})
            user_activate_totp(user=user, secret=DEMO_TOTP_SECRET)
    if not court_work:
        return
    court = agencies["harbour-court"]
    to_ack = _court_entry(court, li, cats, "(2026)HG-ZX-1105", "Failure to pay a judgment of RMB 4,300")
    asked_entry = _court_entry(court, li, cats, "(2026)HG-ZX-0932", "Failure to pay a judgment of RMB 12,000")
    ordered_entry = _court_entry(court, li, cats, "(2026)HG-ZX-1220", "Failure to pay a judgment of RMB 90,000")
    if Complaint.objects.filter(blacklist_entry=to_ack).exists():  # already seeded
        return
    now = timezone.now()
    officer = Actor.for_user(users["officer@example.org"])
    senior = Actor.for_user(users["senior@example.org"])
    citizen = Actor.for_user(users["citizen@example.org"])

    def filed(entry: BlacklistEntry, statement: str, remedy: str) -> Complaint:
        complaint = complaint_submit(
            citizen=li,
            actor=citizen,
            respondent=court,
            blacklist_entry=entry,
            category="inaccurate_data",
            statement=statement,
            remedies_sought=[remedy],
            now=now,
            language="zh-hans",
        )
        complaint_start_screening(complaint_id=complaint.pk, actor=officer, now=now)
        return complaint

    # 1. A referral waiting for the court's acknowledgement.
    referral = filed(to_ack, "The judgment was paid in 2025; the listing should have been lifted.", "delete")
    complaint_refer(complaint_id=referral.pk, actor=officer, now=now)
    # 2. An investigation with an information request open to the court.
    asked = filed(asked_entry, "I paid the judgment in full on 2026-04-10; the receipt is in my court file.", "delete")
    complaint_open_investigation(complaint_id=asked.pk, actor=officer, reason="The payment date is contested.", now=now)
    information_request_create(
        complaint_id=asked.pk,
        agency=court,
        actor=officer,
        questions=["When was the judgment of (2025) Hai Min Chu 2210 paid?"],
        requested_documents=["The enforcement file's payment record"],
        now=now,
    )
    # 3. A determination ordering the listing corrected: an open correction order.
    ordered = filed(ordered_entry, "The listing states RMB 90,000; the judgment orders RMB 9,000.", "correct")
    complaint_open_investigation(complaint_id=ordered.pk, actor=officer, reason="The amount is contested.", now=now)
    draft = determination_save_draft(
        complaint_id=ordered.pk,
        actor=officer,
        outcome="upheld",
        findings="The judgment (2025) Hai Min Chu 2210 orders payment of RMB 9,000.",
        reasons="A list entry must reproduce the judgment it rests on.",
        remedies=[{"kind": "correct", "field": "reason", "new_value": "Failure to pay a judgment of RMB 9,000"}],
        public_summary="A debtor list entry stated ten times the judgment amount; it was ordered corrected.",
        now=now,
    )
    determination_sign(
        determination_id=draft.pk,
        actor=senior,
        now=now,
        skip_provisional_reason="The agency is in default: it did not answer the referral.",
    )
