"""The provisional decision and the review through the agency API: the same services as the
portal, scoped to the caller's agency (another agency's case is a 404), problem+json errors."""

from __future__ import annotations

import pytest
from django.utils import timezone

from complaints import services as cs
from kernel.actors import Actor
from tests.agency_api.conftest import make_caller
from tests.factories import AgencyFactory, OfficerFactory, SeniorOfficerFactory, make_complaint
from tribunal import services as ts
from tribunal.models import DeterminationReview, ProvisionalComment

pytestmark = pytest.mark.django_db
BASE = "/api/v1/agency/referrals"


def _investigated(agency):  # type: ignore[no-untyped-def]
    now = timezone.now()
    complaint = make_complaint(status="referred", entry_kwargs={"agency": agency}, now=now)
    officer = OfficerFactory()
    cs.complaint_open_investigation(complaint_id=complaint.pk, actor=Actor.for_user(officer), reason="x", now=now)
    draft = ts.determination_save_draft(
        complaint_id=complaint.pk,
        actor=Actor.for_user(officer),
        outcome="upheld",
        findings="The debt was paid.",
        reasons="A paid debt is not a default.",
        remedies=[{"kind": "delete"}],
        public_summary="A paid debt was listed as a default; the entry is to be deleted.",
        now=now,
    )
    return complaint, draft


def test_the_agency_reads_and_comments_on_the_provisional_decision():
    agency = AgencyFactory()
    caller = make_caller(agency)
    complaint, draft = _investigated(agency)
    none_yet = caller.get(f"{BASE}/{complaint.reference}/provisional-decision")
    assert none_yet.status_code == 404 and none_yet["Content-Type"] == "application/problem+json"
    ts.determination_share_provisional(
        determination_id=draft.pk, actor=Actor.for_user(SeniorOfficerFactory()), now=timezone.now()
    )
    got = caller.get(f"{BASE}/{complaint.reference}/provisional-decision")
    assert got.status_code == 200
    body = got.json()
    assert body["outcome"] == "upheld" and body["remedies"] == [{"kind": "delete"}] and body["can_comment"] is True
    assert body["comments_due_at"]
    bad = caller.post(f"{BASE}/{complaint.reference}/provisional-decision/comments", {}, format="json")
    assert bad.status_code == 400
    sent = caller.post(
        f"{BASE}/{complaint.reference}/provisional-decision/comments", {"comment": "We agree."}, format="json"
    )
    assert sent.status_code == 201 and sent.json()["party"] == "agency"
    other = make_caller(AgencyFactory())
    assert other.get(f"{BASE}/{complaint.reference}/provisional-decision").status_code == 404
    assert (
        other.post(
            f"{BASE}/{complaint.reference}/provisional-decision/comments", {"comment": "x"}, format="json"
        ).status_code
        == 404
    )
    assert list(ProvisionalComment.objects.values_list("text", flat=True)) == ["We agree."]


def test_the_agency_asks_for_a_review_once():
    agency = AgencyFactory()
    caller = make_caller(agency)
    complaint, draft = _investigated(agency)
    assert (
        caller.post(f"{BASE}/{complaint.reference}/review", {"reasons": "Too early."}, format="json").status_code == 409
    )
    ts.determination_sign(
        determination_id=draft.pk,
        actor=Actor.for_user(SeniorOfficerFactory()),
        now=timezone.now(),
        skip_provisional_reason="The facts are not disputed.",
    )
    assert caller.get(f"{BASE}/{complaint.reference}/review").status_code == 404
    asked = caller.post(f"{BASE}/{complaint.reference}/review", {"reasons": "The debt was not paid."}, format="json")
    assert asked.status_code == 201
    assert asked.json()["requested_by"] == "agency" and asked.json()["outcome"] is None
    again = caller.post(f"{BASE}/{complaint.reference}/review", {"reasons": "Again."}, format="json")
    assert again.status_code == 409 and "once" in again.json()["detail"]
    assert caller.get(f"{BASE}/{complaint.reference}/review").json()["reasons"] == "The debt was not paid."
    other = make_caller(AgencyFactory())
    assert other.post(f"{BASE}/{complaint.reference}/review", {"reasons": "x"}, format="json").status_code == 404
    assert DeterminationReview.objects.count() == 1
