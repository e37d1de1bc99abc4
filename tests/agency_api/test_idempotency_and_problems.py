"""Idempotency-Key on every POST, and RFC 9457 problem details for every error."""

from __future__ import annotations

import io
import uuid

import pytest
from django.urls import path
from django.utils import timezone
from rest_framework.views import APIView

from agency_api.models import IdempotencyRecord
from complaints.models import AgencyResponse, Attachment, CaseEvent
from tests.agency_api.conftest import make_caller
from tests.factories import make_complaint

pytestmark = pytest.mark.django_db
BASE = "/api/v1/agency"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 80
CORRECTED = {
    "outcome": "corrected",
    "explanation": "Fixed.",
    "corrections": [{"field": "status", "old_value": "listed", "new_value": "removed"}],
}


def test_same_key_same_body_replays_first_answer_and_creates_nothing(caller, referral):
    key = str(uuid.uuid4())
    target = f"{BASE}/referrals/{referral.reference}/response"
    first = caller.post(target, CORRECTED, format="json", HTTP_IDEMPOTENCY_KEY=key)
    assert first.status_code == 201
    assert first["Idempotent-Replayed"] == "false"
    events = CaseEvent.objects.filter(complaint=referral).count()
    second = caller.post(target, CORRECTED, format="json", HTTP_IDEMPOTENCY_KEY=key)
    assert second.status_code == 201
    assert second["Idempotent-Replayed"] == "true"
    assert second.json() == first.json()
    assert AgencyResponse.objects.filter(complaint=referral).count() == 1
    assert CaseEvent.objects.filter(complaint=referral).count() == events


def test_same_key_other_body_is_422(caller, referral):
    key = "retry-1"
    target = f"{BASE}/referrals/{referral.reference}/messages"
    assert caller.post(target, {"text": "one"}, format="json", HTTP_IDEMPOTENCY_KEY=key).status_code == 201
    other = caller.post(target, {"text": "two"}, format="json", HTTP_IDEMPOTENCY_KEY=key)
    assert other.status_code == 422
    assert other["Content-Type"] == "application/problem+json"
    assert other.json()["type"].endswith("idempotency-key-reuse")
    assert CaseEvent.objects.filter(complaint=referral, kind="message").count() == 1


def test_same_key_other_path_is_422(caller, agency, referral):
    other_case = make_complaint(status="referred", entry_kwargs={"agency": agency})
    key = "ack-key"
    assert (
        caller.post(f"{BASE}/referrals/{referral.reference}/acknowledge", HTTP_IDEMPOTENCY_KEY=key).status_code == 200
    )
    again = caller.post(f"{BASE}/referrals/{other_case.reference}/acknowledge", HTTP_IDEMPOTENCY_KEY=key)
    assert again.status_code == 422


def test_keys_are_per_client(agency, referral):
    a, b = make_caller(agency), make_caller(agency)
    target = f"{BASE}/referrals/{referral.reference}/messages"
    assert a.post(target, {"text": "from a"}, format="json", HTTP_IDEMPOTENCY_KEY="k").status_code == 201
    assert b.post(target, {"text": "from b"}, format="json", HTTP_IDEMPOTENCY_KEY="k").status_code == 201
    assert IdempotencyRecord.objects.filter(key="k").count() == 2


def test_validation_error_is_replayed_too(caller, referral):
    target = f"{BASE}/referrals/{referral.reference}/response"
    first = caller.post(target, {"outcome": "corrected"}, format="json", HTTP_IDEMPOTENCY_KEY="v")
    second = caller.post(target, {"outcome": "corrected"}, format="json", HTTP_IDEMPOTENCY_KEY="v")
    assert first.status_code == second.status_code == 400
    assert second["Content-Type"] == "application/problem+json"
    assert second.json() == first.json()


def test_multipart_upload_replay(caller, referral):
    def upload():
        f = io.BytesIO(PNG)
        f.name = "scan.png"
        return {"file": f}

    target = f"{BASE}/referrals/{referral.reference}/attachments"
    first = caller.post(target, upload(), format="multipart", HTTP_IDEMPOTENCY_KEY="u")
    second = caller.post(target, upload(), format="multipart", HTTP_IDEMPOTENCY_KEY="u")
    assert first.status_code == second.status_code == 201
    assert second.json()["id"] == first.json()["id"]
    assert Attachment.objects.filter(complaint=referral).count() == 1


def test_key_in_progress_is_409(caller, referral):
    IdempotencyRecord.objects.create(
        client=caller.client, key="busy", fingerprint="x" * 64, created_at=timezone.now(), completed=False
    )
    # Fingerprint differs: 422; same fingerprint while in progress: 409 (tested via the service).
    from agency_api.base import idempotency_begin
    from kernel.errors import Conflict

    with pytest.raises(Conflict):
        idempotency_begin(client=caller.client, key="busy", fingerprint="x" * 64, now=timezone.now())
    # A claim whose request died (no answer after 5 minutes) is taken over by the retry.
    from datetime import timedelta

    later = timezone.now() + timedelta(minutes=6)
    record = idempotency_begin(client=caller.client, key="busy", fingerprint="x" * 64, now=later)
    assert record.created_at == later and not record.completed


def test_overlong_key_is_400_naming_the_header(caller, referral):
    response = caller.post(f"{BASE}/referrals/{referral.reference}/acknowledge", HTTP_IDEMPOTENCY_KEY="k" * 300)
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "Idempotency-Key"


@pytest.mark.parametrize(
    ("method", "target", "status"),
    [
        ("get", "/api/v1/agency/referrals/OMB-1999-000000/", 404),
        ("get", "/api/v1/agency/unknown", 404),
        ("get", "/api/v1/agency/referrals/?cursor=garbage", 404),
        ("delete", "/api/v1/agency/webhook", 405),
    ],
)
def test_errors_are_problem_details(caller, method, target, status):
    response = getattr(caller, method)(target)
    assert response.status_code == status
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert {"type", "title", "status", "detail", "instance"} <= set(body)
    assert body["status"] == status


def test_malformed_json_is_400_problem(caller, referral):
    response = caller.post(
        f"{BASE}/referrals/{referral.reference}/response", data="{not json", content_type="application/json"
    )
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"


def test_unauthenticated_is_401_problem(db, client):
    response = client.get(f"{BASE}/referrals/")
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"


class Boom(APIView):
    authentication_classes: list = []
    permission_classes: list = []

    def get(self, request):  # type: ignore[no-untyped-def]
        raise RuntimeError("bug")


urlpatterns = [path("api/v1/boom", Boom.as_view())]
handler500 = "agency_api.problems.api_server_error"


@pytest.mark.urls("tests.agency_api.test_idempotency_and_problems")
def test_unexpected_error_under_api_is_a_500_problem_without_details(db, client):
    from ombudsman import urls as root_urls

    assert root_urls.handler500 == handler500  # the real URLconf uses the same handler
    client.raise_request_exception = False
    response = client.get("/api/v1/boom")
    assert response.status_code == 500
    assert response["Content-Type"] == "application/problem+json"
    assert "bug" not in response.content.decode()


def test_schema_documents_security_errors_and_idempotency(db, client):
    schema = client.get("/api/v1/schema/?format=json").json()
    scheme = schema["components"]["securitySchemes"]["agencyOAuth2"]
    assert scheme["flows"]["clientCredentials"]["tokenUrl"] == "/o/token/"
    respond = schema["paths"]["/api/v1/agency/referrals/{reference}/response"]["post"]
    assert respond["security"] == [{"agencyOAuth2": ["agency"]}]
    for code in ("400", "401", "404", "409", "422", "429"):
        assert "application/problem+json" in respond["responses"][code]["content"], code
    assert any(p["name"] == "Idempotency-Key" and p["in"] == "header" for p in respond["parameters"])
    assert "Standard Webhooks" in schema["info"]["description"]
    assert client.get("/api/v1/docs/").status_code == 200


def test_purge_removes_only_expired_records(caller):
    from datetime import timedelta

    from agency_api.services import idempotency_records_purge

    now = timezone.now()
    old = IdempotencyRecord.objects.create(
        client=caller.client, key="old", fingerprint="a" * 64, created_at=now - timedelta(hours=25)
    )
    fresh = IdempotencyRecord.objects.create(
        client=caller.client, key="fresh", fingerprint="b" * 64, created_at=now - timedelta(hours=1)
    )
    assert idempotency_records_purge(now=now, batch_size=1) == 1
    assert not IdempotencyRecord.objects.filter(pk=old.pk).exists()
    assert IdempotencyRecord.objects.filter(pk=fresh.pk).exists()
    assert idempotency_records_purge(now=now) == 0


def test_pages_outside_the_api_keep_their_html_404(db, client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")
    api = client.get("/api/v1/no-such-endpoint")
    assert api.status_code == 404 and api["Content-Type"] == "application/problem+json"
