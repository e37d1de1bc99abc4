"""Fixtures for the agency API: clients with real OAuth2 tokens from POST /o/token/."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from agency_api.models import ApiClient
from agency_api.services import api_client_create
from tests.factories import AgencyFactory, make_complaint


@dataclass
class AgencyCaller:
    client: ApiClient
    client_id: str
    secret: str
    token: str
    api: APIClient

    def __getattr__(self, name: str) -> Any:  # api.get / api.post ...
        return getattr(self.api, name)


def fetch_token(client_id: str, secret: str) -> str:
    response = APIClient().post(
        "/o/token/", {"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret}
    )
    assert response.status_code == 200, response.content
    return response.json()["access_token"]


def make_caller(agency: Any) -> AgencyCaller:
    client, secret = api_client_create(agency=agency, name="test system", now=timezone.now())
    token = fetch_token(client.application.client_id, secret)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return AgencyCaller(client=client, client_id=client.application.client_id, secret=secret, token=token, api=api)


@pytest.fixture
def agency(db):  # type: ignore[no-untyped-def]
    return AgencyFactory()


@pytest.fixture
def caller(agency):  # type: ignore[no-untyped-def]
    return make_caller(agency)


@pytest.fixture
def referral(agency):  # type: ignore[no-untyped-def]
    """A case referred to `agency` (clocks started by the referral)."""
    return make_complaint(status="referred", entry_kwargs={"agency": agency}, now=timezone.now())
