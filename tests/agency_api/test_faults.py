"""Measured faults of issue 12, item 12: each was a 500 and is now an answer."""

from __future__ import annotations

import logging

import pytest
import redis
from django.core.cache import cache
from django.test import override_settings

BASE = "/api/v1/agency"


@pytest.mark.django_db
def test_options_on_the_webhook_endpoint_answers(caller):
    response = caller.options(f"{BASE}/webhook")
    assert response.status_code == 200, response.content
    assert "PUT" in response["Allow"]


@pytest.mark.django_db
def test_unknown_api_path_is_problem_json_even_under_debug(caller):
    with override_settings(DEBUG=True):
        response = caller.get("/api/v1/agency/no-such-thing/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["type"].endswith("#problem-not-found")


@pytest.mark.django_db
def test_redis_down_the_agency_calls_still_answer_and_a_warning_is_logged(caller, referral, caplog):
    down = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:1/0"}}
    with override_settings(CACHES=down), caplog.at_level(logging.WARNING, logger="agency_api.throttle"):
        with pytest.raises(redis.exceptions.ConnectionError):  # the cache really is unreachable
            cache.incr("probe")
        listed = caller.get(f"{BASE}/referrals/")
        detail = caller.get(f"{BASE}/referrals/{referral.reference}/")
        acknowledged = caller.post(f"{BASE}/referrals/{referral.reference}/acknowledge")
    assert listed.status_code == 200, listed.content
    assert [r["reference"] for r in listed.json()["results"]] == [referral.reference]
    assert detail.status_code == 200, detail.content
    assert acknowledged.status_code == 200, acknowledged.content
    warnings = [r for r in caplog.records if "cache unavailable" in r.getMessage()]
    assert len(warnings) == 3 and caller.client_id in warnings[0].getMessage()


@pytest.mark.django_db
def test_a_bad_token_is_told_invalid_token_with_www_authenticate(caller):
    caller.credentials(HTTP_AUTHORIZATION="Bearer not-a-real-token")
    response = caller.get(f"{BASE}/referrals/")
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    assert "invalid token" in response.json()["detail"].lower()
    assert 'error="invalid_token"' in response["WWW-Authenticate"]
    caller.credentials()
    missing = caller.get(f"{BASE}/referrals/")
    assert missing.status_code == 401
    assert "not provided" in missing.json()["detail"] and missing["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.django_db
def test_every_answer_has_a_request_id_and_problems_repeat_it(caller, referral):
    ok = caller.get(f"{BASE}/referrals/")
    assert len(ok["Request-Id"]) == 36  # a new UUID
    assert caller.get(f"{BASE}/referrals/")["Request-Id"] != ok["Request-Id"]
    given = caller.get(f"{BASE}/referrals/", HTTP_REQUEST_ID="bureau-run-42")
    assert given["Request-Id"] == "bureau-run-42"
    unsafe = caller.get(f"{BASE}/referrals/", HTTP_REQUEST_ID="a b\x7f")
    assert len(unsafe["Request-Id"]) == 36
    for problem in (
        caller.get(f"{BASE}/referrals/OMB-1999-000000/", HTTP_REQUEST_ID="r-404"),
        caller.get("/api/v1/agency/nowhere", HTTP_REQUEST_ID="r-404b"),
        caller.post(f"{BASE}/referrals/{referral.reference}/response", {}, format="json", HTTP_REQUEST_ID="r-400"),
    ):
        assert problem["Content-Type"] == "application/problem+json"
        assert problem.json()["request_id"] == problem["Request-Id"] in ("r-404", "r-404b", "r-400")
    assert "Request-Id" in caller.get("/")


class WorkerKilled(BaseException):
    """Stands for the worker dying (kill -9, OOM) after the step, before its answer is stored."""


def test_a_crash_between_the_step_and_the_stored_answer_leaves_no_duplicate(caller, referral, monkeypatch):
    from agency_api import base
    from agency_api.models import IdempotencyRecord
    from complaints.models import CaseEvent

    url = f"/api/v1/agency/referrals/{referral.reference}/messages"
    body = {"text": "We are checking the payment records."}

    def killed(**kwargs):  # type: ignore[no-untyped-def]
        raise WorkerKilled

    monkeypatch.setattr(base, "idempotency_finish", killed)
    with pytest.raises(WorkerKilled):
        caller.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY="msg-1")
    # The claim, the message and its answer were one transaction: nothing of it stayed.
    assert not CaseEvent.objects.filter(complaint=referral, kind="message").exists()
    assert not IdempotencyRecord.objects.filter(key="msg-1").exists()

    monkeypatch.undo()
    retry = caller.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY="msg-1")
    assert retry.status_code == 201 and retry["Idempotent-Replayed"] == "false"
    again = caller.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY="msg-1")
    assert again.status_code == 201 and again["Idempotent-Replayed"] == "true"
    assert CaseEvent.objects.filter(complaint=referral, kind="message").count() == 1


def test_a_refused_step_with_a_key_stores_its_answer_and_nothing_else(caller, referral):
    from agency_api.models import IdempotencyRecord

    url = f"/api/v1/agency/referrals/{referral.reference}/response"
    body = {"outcome": "corrected", "explanation": "Fixed."}  # corrections missing: a 400
    first = caller.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY="r-1")
    assert first.status_code == 400
    record = IdempotencyRecord.objects.get(key="r-1")
    assert record.completed and record.response_status == 400
    again = caller.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY="r-1")
    assert again.status_code == 400 and again["Idempotent-Replayed"] == "true"
