"""Officers create and revoke API clients in the admin (secret shown once); the throttle counts
live in the shared cache (Redis in CI and production), visible to every process."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.core.cache import cache
from oauth2_provider.models import Application

from agency_api.models import ApiClient
from tests.agency_api.conftest import fetch_token, make_caller
from tests.conftest import _missing
from tests.factories import AgencyFactory, SeniorOfficerFactory

pytestmark = pytest.mark.django_db


def test_officer_creates_and_revokes_a_client_in_admin(client):
    agency = AgencyFactory()
    client.force_login(SeniorOfficerFactory(is_superuser=True))
    response = client.post(
        "/admin/agency_api/apiclient/add/", {"agency": agency.pk, "name": "bureau system"}, follow=True
    )
    assert response.status_code == 200
    api_client = ApiClient.objects.get(agency=agency)
    shown = [str(m) for m in response.context["messages"]]
    [notice] = [m for m in shown if "client secret" in m]
    secret = notice.split("client secret: ")[1].split(" ")[0]
    app = Application.objects.get(pk=api_client.application_id)
    assert app.client_secret != secret  # stored hashed
    fetch_token(app.client_id, secret)  # the shown secret works

    revoke = client.post(
        "/admin/agency_api/apiclient/",
        {"action": "revoke_clients", "_selected_action": [api_client.pk]},
        follow=True,
    )
    assert revoke.status_code == 200
    api_client.refresh_from_db()
    assert api_client.revoked_at is not None


@pytest.mark.redis
def test_throttle_counter_is_in_the_shared_redis_cache():
    if "redis" not in settings.CACHES["default"]["BACKEND"].lower():
        _missing("a Redis cache (set CACHE_URL=redis://...)")
    import redis

    caller = make_caller(AgencyFactory())
    for _ in range(3):
        assert caller.get("/api/v1/agency/referrals/").status_code == 200
    # Another process sees the same counter: read it straight from Redis, not through Django.
    raw = redis.Redis.from_url(settings.CACHES["default"]["LOCATION"])
    keys = [k for k in raw.keys("*ratelimit:agency-api:*") if caller.client_id.encode() in k]
    assert len(keys) == 1
    assert int(raw.get(keys[0])) == 3
    assert cache.get(keys[0].decode().split(":1:", 1)[1]) == 3


def test_case_officers_see_delivery_log_and_clients_but_do_not_create_them(client):
    from django.utils import timezone

    from ops.demo import _officers_group
    from outbox.services import outbox_relay, outbox_webhook
    from tests.factories import OfficerFactory

    officer = OfficerFactory()
    officer.groups.add(_officers_group())
    agency = AgencyFactory()
    message = outbox_webhook(
        agency_id=agency.pk, event_type="clock.missed", data={}, dedupe_key="m", now=timezone.now()
    )
    outbox_relay(now=timezone.now())  # no endpoint: cancelled, with the reason in the log
    client.force_login(officer)
    log = client.get(f"/admin/outbox/outboxmessage/{message.pk}/change/")
    assert log.status_code == 200 and "no active webhook endpoint" in log.content.decode()
    assert client.get("/admin/agency_api/apiclient/").status_code == 200
    assert client.get("/admin/agency_api/apiclient/add/").status_code == 403  # seniors only
    assert client.get("/admin/agency_api/webhookendpoint/").status_code == 200
