import time
from collections import Counter

import pytest
from django.core.management import call_command

from accounts.models import User
from agencies.models import Agency, DataSharingLink, RecordCategory
from citizens.models import BlacklistEntry, Citizen
from complaints.models import Complaint
from complaints.transitions import Status
from public.statistics import agency_statistics
from tribunal.models import CorrectionOrder, Determination, DeterminationReview, OrderStatus
from tribunal.services import took_part


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
    call_command("seed_demo", "--no-cases")
    response = client.get("/")
    body = response.content.decode()
    assert response.status_code == 200
    assert "free of charge" in body and "Sign in" in body and "Harbour City" in body
    assert client.get("/healthz").json()["status"] == "ok"


@pytest.mark.django_db
def test_demo_cases_show_every_kind_of_case_and_enough_for_the_charts(capsys):
    started = time.monotonic()
    call_command("seed_demo")
    first_run = time.monotonic() - started
    statuses = Counter(Complaint.objects.values_list("status", flat=True))
    for status in (
        Status.SUBMITTED,
        Status.SCREENING,
        Status.REFERRED,
        Status.AGENCY_RESPONDED,
        Status.INVESTIGATION,
        Status.COMPLIANCE,
        Status.CLOSED,
        Status.RESOLVED,
    ):
        assert statuses[status.value] >= 1, status
    # The closed case of the minor: the agency said "verified", the ombudsman upheld the complaint
    # and the court and the three agencies it shared the listing with confirmed the deletion.
    closed = Complaint.objects.get(citizen__full_name="Zhang Xiaoyu")
    assert closed.status == Status.CLOSED
    assert closed.agency_responses.get().outcome == "verified"
    decision = Determination.objects.get(complaint=closed)
    assert decision.outcome == "upheld" and decision.number
    orders = CorrectionOrder.objects.filter(complaint=closed)
    assert orders.count() == 4 and set(orders.values_list("status", flat=True)) == {OrderStatus.CONFIRMED}
    assert closed.blacklist_entry is not None and closed.blacklist_entry.status == "deleted"
    # ... after a provisional decision both sides commented on; the final says how they were weighed.
    assert decision.provisional_shared_at and decision.comments_considered
    assert set(decision.provisional_comments.values_list("party", flat=True)) == {"citizen", "agency"}
    # A provisional decision waits for Li Wei's comments (the bureau has commented).
    provisional = Determination.objects.get(status="provisional")
    assert provisional.complaint.citizen.full_name == "Li Wei"
    assert list(provisional.provisional_comments.values_list("party", flat=True)) == ["agency"]
    # The civic-credit scheme asked for a review of the jaywalking decision; the second senior,
    # who took part in no case, may decide it (the first signed it).
    review = DeterminationReview.objects.get()
    assert review.party == "agency" and not review.is_decided
    case = review.determination.complaint
    assert took_part(User.objects.get(email="senior@example.org"), case)
    assert not took_part(User.objects.get(email="reviewer@example.org"), case)
    # Decided with orders pending (Li Wei's jaywalking entry), due in the future.
    pending = Complaint.objects.get(status=Status.COMPLIANCE, respondent__slug="harbour-civic-credit")
    assert pending.correction_orders.filter(status=OrderStatus.ORDERED).exists()
    # Li Wei has a case waiting for his reply to the agency's answer.
    assert Complaint.objects.get(status=Status.AGENCY_RESPONDED).citizen.full_name == "Li Wei"
    # Statistics: at least three agencies with ten decided cases, spread over months.
    charted = [s for s in agency_statistics() if s.upheld.enough and s.on_time.enough]
    assert len(charted) >= 3
    months = {c.submitted_at.strftime("%Y-%m") for c in Complaint.objects.filter(respondent=charted[0].agency)}
    assert len(months) >= 5
    shares = {s.upheld.share for s in charted}
    assert all(0 < share < 1 for share in shares)  # spread over outcomes, not all one way
    capsys.readouterr()
    started = time.monotonic()
    call_command("seed_demo")
    assert "nothing new" in capsys.readouterr().out
    assert time.monotonic() - started < max(5.0, first_run / 3)


@pytest.mark.django_db
def test_demo_has_a_deletion_request_waiting_and_li_wei_downloads_his_data():
    from django.test import Client

    from privacy.models import DeletionRequest, DeletionStatus

    call_command("seed_demo")
    call_command("seed_demo")  # the request is made once
    request = DeletionRequest.objects.get()
    assert (request.citizen.full_name, request.status) == ("Zhang Min", DeletionStatus.PENDING)
    li = Citizen.objects.get(full_name="Li Wei")
    client = Client()
    client.force_login(li.user)
    assert client.get("/data/").status_code == 200
    export = client.get(f"/data/{li.pk}/export.json").json()
    assert {c["reference"] for c in export["cases"]} == set(li.complaints.values_list("reference", flat=True))
    assert export["cases"] and client.get(f"/data/{request.citizen_id}/export.json").status_code == 404
    officer = Client()
    officer.force_login(User.objects.get(email="officer@example.org"))
    assert "Zhang Min" in officer.get("/officer/deletion-requests/").content.decode()
