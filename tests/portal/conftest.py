from __future__ import annotations

import pytest
from django.test import Client

from tests.factories import (
    AgencyFactory,
    BlacklistEntryFactory,
    CitizenFactory,
    CreditScoreRecordFactory,
    OfficerFactory,
    ScoringAgencyFactory,
    SeniorOfficerFactory,
)

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 40


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def court():
    return AgencyFactory(name_en="Court list", slug="court-list")


@pytest.fixture
def platform():
    return ScoringAgencyFactory(name_en="Score platform", slug="score-platform")


@pytest.fixture
def citizen_a(court, platform):
    citizen = CitizenFactory(national_id="110101198001011234", full_name="Li Wei")
    BlacklistEntryFactory(citizen=citizen, agency=court, list_name="Dishonest debtors")
    CreditScoreRecordFactory(citizen=citizen, agency=platform)
    return citizen


@pytest.fixture
def citizen_b(court):
    citizen = CitizenFactory(national_id="110101198002029999", full_name="Wang Fang")
    BlacklistEntryFactory(citizen=citizen, agency=court, list_name="Other list")
    return citizen


@pytest.fixture
def client_a(citizen_a):
    c = Client()
    c.force_login(citizen_a.user)
    return c


@pytest.fixture
def client_b(citizen_b):
    c = Client()
    c.force_login(citizen_b.user)
    return c


@pytest.fixture
def officer():
    return OfficerFactory(email="officer1@example.org", full_name="Officer One")


@pytest.fixture
def senior():
    return SeniorOfficerFactory(email="senior1@example.org", full_name="Senior One")


@pytest.fixture
def officer_client(officer):
    c = Client()
    c.force_login(officer)
    return c
