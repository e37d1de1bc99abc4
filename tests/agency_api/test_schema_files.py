"""Uploads and downloads as the schema describes them, so a generated client works: evidence is a
multipart body with a binary `file`; an information request's answer has two bodies (multipart with
binary `files`, JSON without them); a download's 200 is binary under the types the server sends,
with `Content-Disposition`. The server enforces the same rules."""

from __future__ import annotations

import io
import json

import pytest
from rest_framework.test import APIClient

from agency_api.schema import DOWNLOAD_MEDIA_TYPES
from complaints.models import Attachment

pytestmark = pytest.mark.django_db

BASE = "/api/v1/agency"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 64


@pytest.fixture
def schema():  # type: ignore[no-untyped-def]
    return APIClient().get("/api/v1/schema/?format=json").json()


def _resolve(schema, ref):  # type: ignore[no-untyped-def]
    return schema["components"]["schemas"][ref["$ref"].rsplit("/", 1)[1]]


def test_evidence_upload_is_multipart_with_a_binary_file(schema):
    body = schema["paths"][f"{BASE}/referrals/{{reference}}/attachments"]["post"]["requestBody"]
    assert list(body["content"]) == ["multipart/form-data"]
    fields = _resolve(schema, body["content"]["multipart/form-data"]["schema"])
    assert fields["properties"]["file"]["type"] == "string"
    assert fields["properties"]["file"]["format"] == "binary"
    assert fields["required"] == ["file"]


def test_information_answer_has_a_multipart_body_with_binary_files_and_a_separate_json_body(schema):
    body = schema["paths"][f"{BASE}/information-requests/{{id}}/answer"]["post"]["requestBody"]
    multipart = body["content"]["multipart/form-data"]["schema"]
    as_json = body["content"]["application/json"]["schema"]
    assert multipart["$ref"] != as_json["$ref"]  # one component per body: a client can tell them apart
    files = _resolve(schema, multipart)["properties"]["files"]
    assert files["type"] == "array" and files["items"] == {"type": "string", "format": "binary"}
    assert "files" not in _resolve(schema, as_json)["properties"]
    # No binary field anywhere in a JSON body.
    assert "binary" not in json.dumps(_resolve(schema, as_json))


def test_download_200_is_binary_with_content_disposition(schema):
    ok = schema["paths"][f"{BASE}/referrals/{{reference}}/attachments/{{attachment_id}}"]["get"]["responses"]["200"]
    assert next(iter(ok["content"])) == "application/octet-stream"  # what generated clients read as bytes
    assert set(ok["content"]) == set(DOWNLOAD_MEDIA_TYPES)
    assert {c["schema"]["format"] for c in ok["content"].values()} == {"binary"}
    assert ok["headers"]["Content-Disposition"]["required"] is True


def test_download_answers_a_documented_type_and_disposition(caller, referral):
    upload = io.BytesIO(PNG)
    upload.name = "receipt.png"
    created = caller.post(f"{BASE}/referrals/{referral.reference}/attachments", {"file": upload}, format="multipart")
    assert created.status_code == 201, created.content
    response = caller.get(created.json()["download_url"])
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png" and "image/png" in DOWNLOAD_MEDIA_TYPES
    assert response["Content-Disposition"].startswith("attachment;")
    assert b"".join(response.streaming_content) == PNG


def test_evidence_sent_as_text_is_a_400_saying_send_a_file_part(caller, referral):
    response = caller.post(
        f"{BASE}/referrals/{referral.reference}/attachments", {"file": "receipt.png"}, format="multipart"
    )
    assert response.status_code == 400
    error = response.json()["errors"][0]
    assert error["field"] == "file" and "file part" in error["message"]
    as_json = caller.post(f"{BASE}/referrals/{referral.reference}/attachments", {"file": "x"}, format="json")
    assert as_json.status_code == 415
    assert not Attachment.objects.filter(complaint=referral).exists()


def test_the_token_endpoint_is_described_for_generated_clients(schema):
    token = schema["paths"]["/o/token/"]["post"]
    assert token["security"] == []
    form = token["requestBody"]["content"]["application/x-www-form-urlencoded"]["schema"]
    fields = _resolve(schema, form)
    assert fields["properties"]["grant_type"]["enum"] == ["client_credentials"]
    assert set(_resolve(schema, token["responses"]["200"]["content"]["application/json"]["schema"])["required"]) == {
        "access_token",
        "expires_in",
        "token_type",
        "scope",
    }
    assert "application/problem+json" in token["responses"]["429"]["content"]


def test_the_token_answer_matches_its_schema(caller):
    response = APIClient().post(
        "/o/token/", {"grant_type": "client_credentials", "client_id": caller.client_id, "client_secret": caller.secret}
    )
    assert response.status_code == 200
    assert set(response.json()) == {"access_token", "expires_in", "token_type", "scope"}
    refused = APIClient().post(
        "/o/token/", {"grant_type": "client_credentials", "client_id": "x", "client_secret": "y"}
    )
    assert refused.status_code == 401 and "error" in refused.json()


def test_the_headers_the_server_sends_are_documented(schema):
    for path, item in schema["paths"].items():
        if not path.startswith(BASE):
            continue
        for method, operation in item.items():
            for code, response in operation["responses"].items():
                headers = response.get("headers", {})
                assert "Request-Id" in headers, (method, path, code)
                if code == "401":
                    assert "WWW-Authenticate" in headers
                if code == "429":
                    assert headers["Retry-After"]["schema"]["type"] == "integer"
                if method == "post" and code in ("200", "201", "202", "400", "409"):
                    assert headers["Idempotent-Replayed"]["schema"]["enum"] == ["true", "false"]


def test_documented_headers_are_sent(caller, referral, settings):
    ack = caller.post(f"{BASE}/referrals/{referral.reference}/acknowledge", HTTP_IDEMPOTENCY_KEY="h-1")
    assert ack["Idempotent-Replayed"] == "false" and ack["Request-Id"]
    unauthenticated = APIClient().get(f"{BASE}/referrals/", HTTP_AUTHORIZATION="Bearer nope")
    assert unauthenticated.status_code == 401 and unauthenticated["WWW-Authenticate"].startswith("Bearer")
    settings.AGENCY_API_THROTTLE_RATE = "1/minute"
    caller.get(f"{BASE}/referrals/")
    throttled = caller.get(f"{BASE}/referrals/")
    assert throttled.status_code == 429 and int(throttled["Retry-After"]) > 0
