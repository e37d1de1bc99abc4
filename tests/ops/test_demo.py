import pytest
from django.core.management import call_command

from accounts.models import User
from agencies.models import Agency, DataSharingLink, RecordCategory
from citizens.models import BlacklistEntry, Citizen
from complaints.models import Complaint


@pytest.mark.django_db
def test_demo_command_twice_creates_nothing_twice(capsys):
    call_command("seed_demo")
    counts = [
        m.objects.count() for m in (Agency, DataSharingLink, User, Citizen, BlacklistEntry, Complaint, RecordCategory)
    ]
    assert counts[0] >= 5 and counts[3] >= 3
    call_command("seed_demo")
    assert "nothing new" in capsys.readouterr().out
    assert [
        m.objects.count() for m in (Agency, DataSharingLink, User, Citizen, BlacklistEntry, Complaint, RecordCategory)
    ] == counts
    minor = Citizen.objects.get(full_name="Zhang Xiaoyu")
    assert minor.parent is not None and minor.blacklist_entries.get().derived_from_relative
    assert Agency.objects.get(slug="lotus-credit").score_min == 350
    assert Agency.objects.get(slug="harbour-civic-credit").score_start == 100
    assert User.objects.get(email="senior@example.org").is_senior_officer


@pytest.mark.django_db
def test_catalogue_has_lawful_and_unlawful_categories():
    assert RecordCategory.objects.filter(code="court-judgment-default", lawful=True).exists()
    for code in ("jaywalking", "fare-dodging", "spitting", "garbage-sorting"):
        assert RecordCategory.objects.get(code=code).lawful is False


@pytest.mark.django_db
def test_start_page_is_a_real_page(client):
    call_command("seed_demo")
    response = client.get("/")
    body = response.content.decode()
    assert response.status_code == 200
    assert "free of charge" in body and "Sign in" in body and "Harbour City" in body
    assert client.get("/healthz").json()["status"] == "ok"
