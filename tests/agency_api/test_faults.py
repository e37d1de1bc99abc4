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
