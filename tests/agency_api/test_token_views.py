"""/o/token/ limits (issue 10, attack 3: 200 wrong secrets were each checked, then the right one
worked): per address and per client id, checked before the secret, 429 problem+json with
Retry-After; the cache down fails open with a warning."""

from __future__ import annotations

import base64
import logging
import time
import uuid

import pytest
from django.test import Client, override_settings
from django.utils import timezone

from agency_api import token_views
from agency_api.services import api_client_create
from kernel.ratelimit import client_address, parse_rate
from tests.factories import AgencyFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def agency_client():  # type: ignore[no-untyped-def]
    client, secret = api_client_create(agency=AgencyFactory(), name="bureau", now=timezone.now())
    return client.application.client_id, secret


def _address() -> str:
    """A fresh caller address per test (the counters live in the shared cache)."""
    return f"203.0.113.{uuid.uuid4().int % 250 + 1}-{uuid.uuid4().hex[:6]}"


def _token(client_id: str, secret: str, address: str):  # type: ignore[no-untyped-def]
    return Client().post(
        "/o/token/",
        {"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret},
        REMOTE_ADDR=address,
    )


def test_rates_and_addresses() -> None:
    assert parse_rate("30/minute") == (30, 60) and parse_rate("10/15m") == (10, 900) and parse_rate("5/h") == (5, 3600)
    with pytest.raises(ValueError, match="Not a rate"):
        parse_rate("lots")
    meta = {"REMOTE_ADDR": "10.0.0.2", "HTTP_X_FORWARDED_FOR": "6.6.6.6, 198.51.100.7"}
    assert client_address(meta) == "10.0.0.2"
    assert client_address(meta, trusted_proxies=1) == "198.51.100.7"  # what nginx saw, not what the caller wrote
    assert client_address({"REMOTE_ADDR": "10.0.0.2"}, trusted_proxies=1) == "10.0.0.2"


def test_200_wrong_secrets_from_one_address(settings, agency_client) -> None:  # type: ignore[no-untyped-def]
    settings.OAUTH_TOKEN_RATE_PER_ADDRESS = "30/minute"
    client_id, _secret = agency_client
    address = _address()
    started = time.monotonic()
    answers = [_token(client_id, f"wrong-{i}", address) for i in range(200)]
    elapsed = time.monotonic() - started
    statuses = [a.status_code for a in answers]
    assert statuses[:10] == [401] * 10  # checked, refused
    assert statuses[10:] == [429] * 190  # never checked: the client is locked, then the address
    locked = answers[10]
    assert locked["Content-Type"] == "application/problem+json"
    assert int(locked["Retry-After"]) > 0 and "locked after too many failed attempts" in locked.json()["detail"]
    assert "from your address" in answers[-1].json()["detail"]
    assert elapsed < 20  # measured in the report: well under a second per refusal


def test_the_right_secret_is_refused_while_the_client_is_locked(settings, agency_client, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    client_id, secret = agency_client
    for i in range(10):  # ten failures, each from another address (a distributed guess)
        assert _token(client_id, f"wrong-{i}", _address()).status_code == 401
    refused = _token(client_id, secret, _address())
    assert refused.status_code == 429
    wait = int(refused["Retry-After"])
    assert 0 < wait <= 900
    # Once the window is over, the right secret works again.
    real_time = time.time
    monkeypatch.setattr(token_views.time, "time", lambda: real_time() + wait + 1)
    assert _token(client_id, secret, _address()).status_code == 200


def test_other_clients_are_not_locked(agency_client) -> None:  # type: ignore[no-untyped-def]
    client_id, _secret = agency_client
    other_id, other_secret = api_client_create(agency=AgencyFactory(), name="other", now=timezone.now())
    for i in range(12):
        _token(client_id, f"wrong-{i}", _address())
    assert _token(other_id.application.client_id, other_secret, _address()).status_code == 200


def test_basic_auth_counts_for_the_same_client(agency_client) -> None:  # type: ignore[no-untyped-def]
    client_id, secret = agency_client
    basic = "Basic " + base64.b64encode(f"{client_id}:wrong".encode()).decode()
    for _ in range(10):
        r = Client().post(
            "/o/token/", {"grant_type": "client_credentials"}, HTTP_AUTHORIZATION=basic, REMOTE_ADDR=_address()
        )
        assert r.status_code == 401
    assert _token(client_id, secret, _address()).status_code == 429


def test_cache_down_fails_open_with_a_warning(agency_client, caplog) -> None:  # type: ignore[no-untyped-def]
    client_id, secret = agency_client
    down = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:1/0"}}
    with override_settings(CACHES=down), caplog.at_level(logging.WARNING, logger="agency_api.token_views"):
        wrong = _token(client_id, "wrong", _address())
        right = _token(client_id, secret, _address())
    assert wrong.status_code == 401 and right.status_code == 200
    assert any("cache unavailable" in r.getMessage() for r in caplog.records)
