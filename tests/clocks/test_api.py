"""The public clock-rule API: list, detail, due-date calculator; bad input is a 400 naming the field."""

import pytest
from rest_framework.test import APIClient

from clocks.models import ClockRule
from clocks.rules import rule_current

pytestmark = pytest.mark.django_db

SEEDED = {
    "cn-credit-objection",
    "cn-dishonest-list-review",
    "cn-dishonest-list-correction",
    "us-fcra-furnisher-notice",
    "us-fcra-reinvestigation",
    "eu-gdpr-request",
    "au-credit-correction",
    "uk-disp-final-response",
    "omb-acknowledge",
    "omb-mark-disputed",
    "omb-agency-response",
    "omb-agency-response-urgent",
    "omb-citizen-reply",
    "omb-information-request",
    "omb-compliance",
}


def _fields_named(body: dict) -> set[str]:
    """Field names an error body points at (plain DRF or RFC 9457 problem details)."""
    if "errors" in body:
        return {e["field"] for e in body["errors"]}
    return set(body)


def test_list_has_every_seeded_rule_with_its_source():
    r = APIClient().get("/api/v1/clock-rules/")
    assert r.status_code == 200
    rules = {row["code"]: row for row in r.json()}
    assert set(rules) >= SEEDED
    assert "art. 25" in rules["cn-credit-objection"]["description"]
    assert "1681i" in rules["us-fcra-reinvestigation"]["description"]
    assert rules["us-fcra-reinvestigation"]["extension"] == {
        "unit": "calendar_days",
        "amount": 15,
        "precondition": "consumer_information_within_period",
    }
    assert rules["eu-gdpr-request"]["extension"]["amount"] == 2
    assert rules["uk-disp-final-response"]["period"] == "8 weeks"
    assert rules["au-credit-correction"]["extension"] is None


def test_list_shows_only_the_newest_version():
    old = rule_current(code="au-credit-correction")
    ClockRule.objects.create(
        code=old.code, version=2, title=old.title, description="v2", unit="calendar_days", amount=31
    )
    rows = [row for row in APIClient().get("/api/v1/clock-rules/").json() if row["code"] == old.code]
    assert [(row["version"], row["amount"]) for row in rows] == [(2, 31)]


def test_due_date_over_national_day():
    r = APIClient().get("/api/v1/clock-rules/cn-credit-objection/due-date?received=2026-09-13&jurisdiction=CN")
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["rule"] == "cn-credit-objection v1"
    assert body["received"] == "2026-09-13"
    assert body["due"] == "2026-10-08"
    assert "rolls forward" in body["explanation"]


def test_due_date_defaults_to_the_rules_own_calendar():
    r = APIClient().get("/api/v1/clock-rules/us-fcra-furnisher-notice/due-date?received=2026-11-24")
    assert r.status_code == 200
    assert r.json()["due"] == "2026-12-02"


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("", "received"),
        ("?received=2026-13-40", "received"),
        ("?received=yesterday", "received"),
        ("?received=2026-01-05&jurisdiction=XX", "jurisdiction"),
        ("?received=0001-01-05", "received"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(query, field):
    r = APIClient().get(f"/api/v1/clock-rules/cn-credit-objection/due-date{query}")
    assert r.status_code == 400, r.content
    assert field in _fields_named(r.json())


def test_unknown_rule_is_404():
    assert APIClient().get("/api/v1/clock-rules/no-such-rule/due-date?received=2026-01-05").status_code == 404
    assert APIClient().get("/api/v1/clock-rules/no-such-rule/").status_code == 404
    assert APIClient().get("/api/v1/clock-rules/eu-gdpr-request/").json()["code"] == "eu-gdpr-request"
