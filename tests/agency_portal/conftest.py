"""Agency portal fixtures: agency users signed in through the test client, and the tribunal's
sharing graph for information requests and correction orders."""

from __future__ import annotations

from typing import Any

from django.test import Client

from agencies.models import AgencyMembership, AgencyRole
from tests.agency_api.conftest import agency  # noqa: F401  (fixture)
from tests.factories import AgencyMembershipFactory
from tests.tribunal.conftest import graph, officer, senior  # noqa: F401  (fixtures)


def make_member(of: Any, role: str = AgencyRole.RESPONDER) -> AgencyMembership:
    return AgencyMembershipFactory(agency=of, role=role)


def signed_in(membership: AgencyMembership) -> Client:
    client = Client()
    client.force_login(membership.user)
    return client
