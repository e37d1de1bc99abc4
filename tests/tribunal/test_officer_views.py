"""The officers' investigation page drives the same services (and shows their refusals)."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.factories import UserFactory
from tribunal.models import CorrectionOrder, Determination, InformationRequest

from .test_services import SUMMARY, investigating

pytestmark = pytest.mark.django_db


def url(complaint) -> str:  # type: ignore[no-untyped-def]
    return f"/officer/cases/{complaint.reference}/investigation/"


def draft_post(**extra: str) -> dict[str, object]:
    data: dict[str, object] = {
        "action": "save_draft",
        "det-outcome": "upheld",
        "det-findings": "Derived listing.",
        "det-reasons": "No legal basis.",
        "det-remedies": ["delete", "compensation"],
        "det-compensation_amount": "800",
        "det-compensation_currency": "CNY",
        "det-public_summary": SUMMARY,
    }
    data.update(extra)
    return data


def test_only_officers_see_the_page(client: Client, graph):
    complaint = investigating(graph)
    client.force_login(complaint.citizen.user)
    assert client.get(url(complaint)).status_code == 404
    client.force_login(UserFactory())
    assert client.get(url(complaint)).status_code == 404


def test_officer_requests_information_and_drafts_senior_signs_and_waives(client: Client, graph, officer, senior):
    complaint = investigating(graph)
    client.force_login(officer)
    page = client.get(url(complaint))
    assert page.status_code == 200 and "Bureau" in page.content.decode()
    r = client.post(
        url(complaint),
        {"action": "information_request", "ir-agency": graph.bank.pk, "ir-questions": "Where from?\nWhen?"},
    )
    assert r.status_code == 302
    assert InformationRequest.objects.get().questions == ["Where from?", "When?"]
    bad = client.post(url(complaint), draft_post(**{"det-public_summary": f"{complaint.citizen.full_name} won."}))
    assert bad.status_code == 400 and "cannot be published" in bad.content.decode()
    assert client.post(url(complaint), draft_post()).status_code == 302
    draft = Determination.objects.get()
    assert draft.remedies == [{"kind": "delete"}, {"kind": "compensation", "amount": "800.00", "currency": "CNY"}]
    refused = client.post(url(complaint), {"action": "sign"})  # a case officer cannot sign
    assert refused.status_code == 403
    client.force_login(senior)
    assert "Sign as provisional and share for comment" in client.get(url(complaint)).content.decode()
    # without the provisional step, the senior must say why
    assert client.post(url(complaint), {"action": "sign"}).status_code == 409
    skip = {"action": "sign", "skip_provisional_reason": "The agency is in default."}
    assert client.post(url(complaint), skip).status_code == 302
    draft.refresh_from_db()
    assert draft.status == "issued" and draft.signed_by == senior
    order = CorrectionOrder.objects.get(agency=graph.school)
    assert client.post(url(complaint), {"action": "waive", "order_id": order.pk, "reason": ""}).status_code == 400
    assert (
        client.post(url(complaint), {"action": "waive", "order_id": order.pk, "reason": "Never loaded."}).status_code
        == 302
    )
    order.refresh_from_db()
    assert order.status == "waived" and order.waived_by == senior
