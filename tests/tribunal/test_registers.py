"""Public registers as pages and JSON, and the case owner's record-holders view."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from kernel.actors import Actor
from tests.factories import NOW, AgencyFactory, UserFactory
from tribunal import services as ts
from tribunal.models import ConflictKind, ConflictOfInterest

from .test_services import DELETE, SUMMARY, investigating, issue

pytestmark = pytest.mark.django_db


@pytest.fixture
def issued(graph, officer, senior):
    return issue(
        investigating(graph),
        officer,
        senior,
        now=timezone.now(),
        findings="Internal findings naming the parties.",
        reasons="Internal reasons.",
    )


def test_determinations_register_page_and_json_are_anonymised(client: Client, issued):
    complaint = issued.complaint
    page = client.get("/registers/determinations/")
    assert page.status_code == 200
    html = page.content.decode()
    assert issued.number in html and "Harbour Court" in html and "Derived from a relative" in html
    for secret in (
        complaint.citizen.full_name,
        complaint.reference,
        complaint.citizen.national_id_masked,
        "Internal findings",
    ):
        assert secret not in html
    detail = client.get(f"/registers/determinations/{issued.number}/")
    assert detail.status_code == 200 and "500.00 CNY" in detail.content.decode()
    data = client.get("/api/v1/registers/determinations/").json()
    assert data["count"] == 1
    row = data["results"][0]
    assert row["number"] == issued.number and row["outcome"] == "upheld"
    assert row["remedies"] == ["delete", "apology", "compensation"]
    assert row["flag_derived_from_relative"] is True and row["flag_unlawful_category"] is True
    assert row["record_category"] == "family-extension"
    dumped = str(data)
    assert complaint.citizen.full_name not in dumped and complaint.reference not in dumped
    assert "findings" not in row and "reasons" not in row
    assert client.get(f"/api/v1/registers/determinations/{issued.number}/").json()["number"] == issued.number
    assert client.get("/api/v1/registers/determinations/?outcome=not_upheld").json()["count"] == 0


def test_drafts_are_not_published(client: Client, graph, officer):
    complaint = investigating(graph)
    ts.determination_save_draft(
        complaint_id=complaint.pk,
        actor=Actor.for_user(officer),
        outcome="upheld",
        findings="f",
        reasons="r",
        remedies=DELETE,
        public_summary=SUMMARY,
        now=NOW,
    )
    assert client.get("/api/v1/registers/determinations/").json()["count"] == 0
    assert "No determinations" in client.get("/registers/determinations/").content.decode()


def test_criteria_register_versions_dated(client: Client):
    agency = AgencyFactory(slug="lotus", name_en="Lotus Credit")
    v1 = [
        {
            "factor": "payment history",
            "description": "On-time payments",
            "direction_or_weight": "+35%",
            "data_source": "platform",
        }
    ]
    ts.criteria_disclosure_record(agency=agency, criteria=ts.validated_criteria(v1, field="c", required=True), now=NOW)
    later = NOW + timedelta(days=40)
    v2 = [
        *v1,
        {
            "factor": "social connections",
            "description": "Friends' scores",
            "direction_or_weight": "5%",
            "data_source": "contacts",
        },
    ]
    ts.criteria_disclosure_record(
        agency=agency, criteria=ts.validated_criteria(v2, field="c", required=True), now=later
    )
    page = client.get("/registers/scoring-criteria/").content.decode()
    assert "Lotus Credit" in page and "social connections" in page and "2 versions" in page
    history = client.get("/registers/scoring-criteria/lotus/").content.decode()
    assert "Version 1" in history and "Version 2" in history and later.strftime("%Y-%m-%d") in history
    assert client.get("/registers/scoring-criteria/nobody/").status_code == 404
    data = client.get("/api/v1/registers/scoring-criteria/").json()
    assert data[0]["agency_slug"] == "lotus"
    assert data[0]["current"]["version"] == 2 and len(data[0]["current"]["criteria"]) == 2
    assert [v["version"] for v in data[0]["versions"]] == [2, 1]


def test_conflicts_register_page_and_json(client: Client):
    bureau = AgencyFactory(slug="bureau-x", name_en="Bureau X")
    platform = AgencyFactory(slug="platform-y", name_en="Platform Y")
    ConflictOfInterest.objects.create(
        agency=platform,
        kind=ConflictKind.PAID_SCORE_IMPROVEMENT,
        description="Sells a 'credit repair' membership that promises +50 points.",
        since=date(2024, 3, 1),
    )
    ConflictOfInterest.objects.create(
        agency=platform,
        kind=ConflictKind.SHAREHOLDING,
        related_agency=bureau,
        share_percent=8,
        description="Holds shares in the bureau it reports to.",
    )
    ConflictOfInterest.objects.create(
        agency=bureau, kind=ConflictKind.OTHER, description="Draft, unpublished.", published=False
    )
    page = client.get("/registers/conflicts-of-interest/").content.decode()
    assert "Platform Y" in page and "credit repair" in page and "8.00%" in page
    assert "unpublished" not in page
    data = client.get("/api/v1/registers/conflicts-of-interest/").json()
    assert [row["agency_slug"] for row in data] == ["platform-y"]
    kinds = {c["kind"]: c for c in data[0]["conflicts"]}
    assert kinds["shareholding"]["related_agency"] == "bureau-x"
    assert kinds["shareholding"]["share_percent"] == "8.00"


def test_registers_index(client: Client):
    page = client.get("/registers/")
    assert page.status_code == 200 and "/registers/conflicts-of-interest/" in page.content.decode()


def test_case_owner_sees_holders_and_order_states_others_get_404(client: Client, graph, issued):
    complaint = issued.complaint
    citizen_user = complaint.citizen.user
    order = issued.orders.get(agency=graph.rail)
    ts.correction_order_confirm(
        order_id=order.pk,
        actor=Actor.for_agency(graph.rail),
        evidence_before={"status": "active"},
        evidence_after={"status": "deleted"},
        now=timezone.now(),
    )
    url = f"/cases/{complaint.reference}/record-holders/"
    api = f"/api/v1/cases/{complaint.reference}/record-holders/"
    assert client.get(url).status_code == 404  # anonymous
    client.force_login(UserFactory())
    assert client.get(url).status_code == 404
    assert client.get(api).status_code == 404
    client.force_login(citizen_user)
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    for name in ("Harbour Court", "Rail", "Air", "School admissions", "Bank", "Bureau"):
        assert name in html
    assert "Unrelated" not in html
    assert "received via Harbour Court → Bank" in html
    assert "Carried out (confirmed)" in html and "No legal basis" in html
    data = client.get(api).json()
    assert data["flag_derived_from_relative"] is True and data["flag_unlawful_category"] is True
    assert [h["agency_slug"] for h in data["holders"]] == ["court", "air", "bank", "rail", "school", "bureau"]
    states = {o["agency_slug"]: o["status"] for o in data["orders"]}
    assert states == {
        "court": "ordered",
        "air": "ordered",
        "bank": "ordered",
        "rail": "confirmed",
        "school": "ordered",
        "bureau": "ordered",
    }
    bureau = next(o for o in data["orders"] if o["agency_slug"] == "bureau")
    assert bureau["path"] == ["court", "bank", "bureau"] and bureau["escalation_level"] == 0


def test_officer_sees_any_case_holders(client: Client, issued, officer):
    client.force_login(officer)
    assert client.get(f"/api/v1/cases/{issued.complaint.reference}/record-holders/").status_code == 200


def test_demo_fills_the_public_registers_once(client: Client):
    from ops.demo import seed_demo

    seed_demo(cases=False)
    again = seed_demo(cases=False)
    assert again["conflicts of interest"] == 0 and again["criteria versions"] == 0
    conflicts = client.get("/api/v1/registers/conflicts-of-interest/").json()
    assert {row["agency_slug"] for row in conflicts} == {"lotus-credit", "paywave-score"}
    criteria = client.get("/api/v1/registers/scoring-criteria/").json()
    assert [(row["agency_slug"], row["current"]["version"]) for row in criteria] == [("lotus-credit", 1)]
    assert "Interpersonal relationships" in client.get("/registers/scoring-criteria/").content.decode()


def test_register_and_agency_lists_use_a_constant_number_of_queries(client: Client, graph, officer, senior):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.agency_api.conftest import make_caller
    from tests.factories import BlacklistEntryFactory, make_complaint

    def add_case() -> None:
        entry = BlacklistEntryFactory(agency=graph.court, category=graph.category)
        complaint = make_complaint(blacklist_entry=entry, status="investigation")
        now = timezone.now()
        draft = ts.determination_save_draft(
            complaint_id=complaint.pk,
            actor=Actor.for_user(officer),
            outcome="upheld",
            findings="f",
            reasons="r",
            remedies=DELETE,
            public_summary=SUMMARY,
            now=now,
        )
        ts.determination_sign(
            determination_id=draft.pk,
            actor=Actor.for_user(senior),
            now=now,
            skip_provisional_reason="Decided without comments in this test.",
        )

    def count(url: str, api=None) -> int:  # type: ignore[no-untyped-def]
        with CaptureQueriesContext(connection) as ctx:
            response = (api or client).get(url)
        assert response.status_code == 200
        return len(ctx.captured_queries)

    add_case()
    court = make_caller(graph.court)
    urls = ["/api/v1/registers/determinations/", "/registers/determinations/"]
    one = [count(u) for u in urls] + [count("/api/v1/agency/corrections/", court)]
    for _ in range(4):
        add_case()
    five = [count(u) for u in urls] + [count("/api/v1/agency/corrections/", court)]
    assert one == five
