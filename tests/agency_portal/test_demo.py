"""The demo shows every kind of agency work: each agency has an administrator and a responder;
the court has a referral awaiting acknowledgement, an open information request and an open
correction order on its work list."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from agencies.models import Agency, AgencyMembership, AgencyRole
from ops.demo import DEMO_PASSWORD, agency_logins

pytestmark = pytest.mark.django_db


def test_demo_agency_logins_and_the_courts_work() -> None:
    call_command("seed_demo")
    call_command("seed_demo")  # idempotent
    for agency in Agency.objects.all():
        admin, responder = agency_logins(agency.slug)
        roles = dict(AgencyMembership.objects.filter(agency=agency).values_list("user__email", "role"))
        assert roles == {admin: AgencyRole.ADMINISTRATOR, responder: AgencyRole.RESPONDER}
    client = Client()
    assert client.login(email=agency_logins("harbour-court")[1], password=DEMO_PASSWORD)
    page = client.get(reverse("agency_portal:worklist"))
    assert page.status_code == 200
    items = page.context["items"]
    kinds = {i.kind for i in items}
    assert kinds == {"referral", "information_request", "correction_order"}
    owed = {i.clock.obligation for i in items}
    assert {"acknowledge", "information_request", "compliance"} <= owed
