"""The admin is read-only for everything that has a service (issue 10, attack 6: a case officer
changed blacklist entries, agency names and webhook URLs in the Django admin, bypassing the
services and the timeline), for superusers too; reference data stays editable and every edit is
in the admin log."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.contrib.admin.models import LogEntry
from django.test import Client, RequestFactory
from django.utils import timezone

from agency_api.services import webhook_endpoint_set
from ops.demo import _officers_group
from tests.factories import (
    AgencyFactory,
    BlacklistEntryFactory,
    OfficerFactory,
    RecordCategoryFactory,
    SeniorOfficerFactory,
    make_complaint,
)

pytestmark = pytest.mark.django_db

# Written by hand: a model registered in the admin is one or the other (a new one fails here
# until it is put in one list).
SERVICE_OWNED = {
    "admin.logentry",
    "agencies.agency",
    "agency_api.apiclient",
    "agency_api.idempotencyrecord",
    "agency_api.webhookendpoint",
    "citizens.blacklistentry",
    "citizens.citizen",
    "citizens.creditscorerecord",
    "clocks.clock",
    "clocks.clockrule",  # add-only: a new version, never a change
    "complaints.complaint",
    "oauth2_provider.accesstoken",
    "oauth2_provider.application",
    "oauth2_provider.grant",
    "oauth2_provider.idtoken",
    "oauth2_provider.refreshtoken",
    "outbox.outboxmessage",
    "outbox.slowdestination",
    "privacy.erasure",
    "tribunal.correctionorder",
    "tribunal.criteriadisclosure",
    "tribunal.determination",
    "tribunal.informationrequest",
}
# Accounts, email addresses and second factors (django-allauth): the accounts work's own admin.
ACCOUNTS = {"accounts.user", "account.emailaddress", "mfa.authenticator"}
REFERENCE_DATA = {
    "agencies.datasharinglink",
    "agencies.recordcategory",
    "clocks.agencyclockregime",
    "tribunal.conflictofinterest",
    "auth.group",
}


def _officer_client() -> Client:
    officer = OfficerFactory()
    officer.groups.add(_officers_group())
    client = Client()
    client.force_login(officer)
    return client


def _superuser_client() -> Client:
    client = Client()
    client.force_login(SeniorOfficerFactory(is_superuser=True))
    return client


def test_every_registered_model_is_classified() -> None:
    registered = {m._meta.label_lower for m in admin.site._registry}
    assert registered - ACCOUNTS == SERVICE_OWNED | REFERENCE_DATA


def test_service_owned_models_cannot_be_changed_by_anyone() -> None:
    request = RequestFactory().get("/admin/")
    request.user = SeniorOfficerFactory(is_superuser=True)
    for model, model_admin in admin.site._registry.items():
        label = model._meta.label_lower
        if label not in SERVICE_OWNED:
            continue
        assert not model_admin.has_change_permission(request), label
        assert not model_admin.has_delete_permission(request), label


@pytest.mark.parametrize("make_client", [_officer_client, _superuser_client])
def test_a_change_to_a_blacklist_entry_is_refused(make_client) -> None:  # type: ignore[no-untyped-def]
    entry = BlacklistEntryFactory(list_name="Dishonest debtors")
    client = make_client()
    url = f"/admin/citizens/blacklistentry/{entry.pk}/change/"
    assert client.get(url).status_code == 200  # they may look
    response = client.post(
        url,
        {
            "citizen": entry.citizen_id,
            "agency": entry.agency_id,
            "agency_record_id": "X",
            "list_name": "Nothing to see",
            "category": entry.category_id,
            "reason": "edited",
            "listed_on": "2020-01-01",
            "status": "deleted",
        },
    )
    assert response.status_code == 403
    entry.refresh_from_db()
    assert entry.list_name == "Dishonest debtors" and entry.status != "deleted"
    assert client.post(f"/admin/citizens/blacklistentry/{entry.pk}/delete/", {"post": "yes"}).status_code == 403
    assert not LogEntry.objects.exists()


@pytest.mark.parametrize("make_client", [_officer_client, _superuser_client])
def test_a_change_to_a_webhook_url_is_refused(make_client) -> None:  # type: ignore[no-untyped-def]
    agency = AgencyFactory()
    endpoint, _secret, _created = webhook_endpoint_set(
        agency=agency, url="https://hooks.example.org/in", now=timezone.now()
    )
    client = make_client()
    response = client.post(
        f"/admin/agency_api/webhookendpoint/{endpoint.pk}/change/",
        {"agency": agency.pk, "url": "https://attacker.example/steal"},
    )
    assert response.status_code == 403
    endpoint.refresh_from_db()
    assert endpoint.url == "https://hooks.example.org/in"
    assert client.post("/admin/agency_api/webhookendpoint/add/", {"agency": agency.pk}).status_code == 403


@pytest.mark.parametrize("make_client", [_officer_client, _superuser_client])
def test_agencies_cases_and_citizens_are_read_only(make_client) -> None:  # type: ignore[no-untyped-def]
    complaint = make_complaint(status="referred")
    agency = complaint.respondent
    client = make_client()
    before = agency.name_en
    assert client.post(f"/admin/agencies/agency/{agency.pk}/change/", {"name_en": "Renamed"}).status_code == 403
    assert client.post("/admin/agencies/agency/add/", {"name_en": "New"}).status_code == 403
    assert client.post(f"/admin/complaints/complaint/{complaint.pk}/change/", {}).status_code == 403
    assert client.post(f"/admin/citizens/citizen/{complaint.citizen_id}/change/", {}).status_code == 403
    agency.refresh_from_db()
    assert agency.name_en == before


def test_officers_cannot_create_api_clients_seniors_can() -> None:
    assert _officer_client().get("/admin/agency_api/apiclient/add/").status_code == 403
    assert _superuser_client().get("/admin/agency_api/apiclient/add/").status_code == 200


def test_reference_data_stays_editable_and_every_edit_is_logged() -> None:
    category = RecordCategoryFactory(code="late-fees", name_en="Late fees")
    client = _officer_client()
    response = client.post(
        f"/admin/agencies/recordcategory/{category.pk}/change/",
        {
            "code": "late-fees",
            "name_en": "Late payment fees",
            "name_zh": "滞纳金",
            "lawful": "on",
            "legal_basis": "Statute art. 2",
        },
    )
    assert response.status_code == 302
    category.refresh_from_db()
    assert category.name_en == "Late payment fees"
    entry = LogEntry.objects.get()
    assert entry.object_id == str(category.pk) and entry.is_change() and "Name en" in entry.get_change_message()


def test_the_admin_log_is_read_only_and_for_seniors() -> None:
    RecordCategoryFactory()
    officer = _officer_client()
    senior = _superuser_client()
    senior.post(
        "/admin/agencies/recordcategory/add/",
        {"code": "new-one", "name_en": "New one", "name_zh": "", "lawful": "on", "legal_basis": "Statute art. 2"},
    )
    entry = LogEntry.objects.get()
    assert senior.get("/admin/admin/logentry/").status_code == 200
    assert senior.post(f"/admin/admin/logentry/{entry.pk}/change/", {}).status_code == 403
    assert senior.post(f"/admin/admin/logentry/{entry.pk}/delete/", {"post": "yes"}).status_code == 403
    assert officer.get("/admin/admin/logentry/").status_code == 403
    assert LogEntry.objects.filter(pk=entry.pk).exists()
