import pytest
from django.test import Client

from clocks.rules import rule_current
from tests.factories import AgencyFactory, SeniorOfficerFactory, make_complaint

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client() -> Client:
    user = SeniorOfficerFactory(is_superuser=True)
    client = Client()
    client.force_login(user)
    return client


def test_clock_admin_is_read_only_and_lists_clocks(admin_client):
    complaint = make_complaint(status="referred")
    page = admin_client.get("/admin/clocks/clock/")
    assert page.status_code == 200 and complaint.reference in page.content.decode()
    assert admin_client.get("/admin/clocks/clock/add/").status_code == 403


def test_regime_admin_refuses_an_unknown_rule(admin_client):
    rule_current(code="cn-credit-objection")  # the seed, even after another test flushed the database
    agency = AgencyFactory()
    bad = admin_client.post(
        "/admin/clocks/agencyclockregime/add/",
        {"agency": agency.pk, "obligation": "respond", "rule_code": "no-such-rule", "urgent_rule_code": ""},
    )
    assert bad.status_code == 200 and "There is no active clock rule" in bad.content.decode()
    good = admin_client.post(
        "/admin/clocks/agencyclockregime/add/",
        {"agency": agency.pk, "obligation": "respond", "rule_code": "cn-credit-objection", "urgent_rule_code": ""},
    )
    assert good.status_code == 302
