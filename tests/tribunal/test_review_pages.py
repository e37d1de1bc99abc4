"""Review through the pages: the citizen asks from their case page; the agency sees it on its
referral page; the seniors' queue lists it; a senior who took part is shown why they cannot
decide, and one who did not decides it on the investigation page."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.agency_portal.conftest import make_member, signed_in
from tests.factories import SeniorOfficerFactory
from tribunal.models import DeterminationReview

from .test_officer_views import url
from .test_services import investigating_after_referral, issue

pytestmark = pytest.mark.django_db


def test_citizen_asks_senior_who_took_no_part_decides(client: Client, graph, officer, senior):
    from django.utils import timezone

    complaint = investigating_after_referral(graph)
    issue(complaint, officer, senior, now=timezone.now())
    citizen = Client()
    citizen.force_login(complaint.citizen.user)
    case_url = f"/cases/{complaint.reference}/"
    page = citizen.get(case_url).content.decode()
    assert "Ask for a review of the decision" in page
    assert citizen.post(case_url, {"action": "review", "review-reasons": ""}).status_code == 400
    asked = citizen.post(case_url, {"action": "review", "review-reasons": "The school was not ordered to act."})
    assert asked.status_code == 302
    assert (
        "A senior officer who took no part in the case is deciding the review."
        in citizen.get(case_url).content.decode()
    )

    agency = signed_in(make_member(complaint.respondent))
    referral = f"/agency/referrals/{complaint.reference}/"
    assert "The school was not ordered to act." in agency.get(referral).content.decode()
    again = agency.post(referral, {"action": "review", "review-reasons": "We ask too."})
    assert again.status_code == 409 and DeterminationReview.objects.count() == 1

    client.force_login(senior)  # the signer took part
    assert "You took part in this case" in client.get(url(complaint)).content.decode()
    reviewer = SeniorOfficerFactory()
    client.force_login(reviewer)
    assert complaint.reference in client.get("/officer/signatures/").content.decode()
    page = client.get(url(complaint)).content.decode()
    assert "Decide the review" in page
    decided = client.post(
        url(complaint),
        {
            "action": "decide_review",
            "rv-review_outcome": "confirmed",
            "rv-review_reasons": "The order covers every holder.",
        },
    )
    assert decided.status_code == 302
    review = DeterminationReview.objects.get()
    assert review.outcome == "confirmed" and review.decided_by == reviewer
    final = citizen.get(case_url).content.decode()
    assert "Outcome of the review" in final and "The order covers every holder." in final
