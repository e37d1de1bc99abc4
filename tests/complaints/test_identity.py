"""Claim codes: a person takes over the record an officer made for them (complaints.services.identity);
a sign-up whose ID number matched a record only tells the officers."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from citizens.models import Citizen, IdentityMatch
from complaints.models import CaseEvent
from complaints.selectors import complaints_visible_to_user
from complaints.services import claim_code_issue, claim_code_redeem
from kernel.actors import Actor
from kernel.errors import Conflict, NotAllowed, ServiceError
from tests.factories import CitizenFactory, OfficerFactory, UserFactory, make_complaint

pytestmark = pytest.mark.django_db


def test_a_claim_code_hands_the_record_and_its_cases_to_the_persons_account() -> None:
    owner = UserFactory()
    complaint = make_complaint()  # filed by the record's own account; the record then loses it
    person = complaint.citizen
    Citizen.objects.filter(pk=person.pk).update(user=None)
    officer = Actor.for_user(OfficerFactory())
    now = timezone.now()
    claim, code = claim_code_issue(citizen_id=person.pk, actor=officer, now=now)
    assert len(code) == 14 and code not in str(claim.code_hash)
    assert CaseEvent.objects.filter(complaint=complaint, kind="claim_code_issued", visibility="internal").exists()
    claimed = claim_code_redeem(user=owner, code=code.lower().replace("-", " "), now=now)
    assert claimed.pk == person.pk and claimed.user == owner
    assert complaints_visible_to_user(owner).filter(pk=complaint.pk).exists()
    assert CaseEvent.objects.filter(complaint=complaint, kind="record_claimed", visibility="citizen").exists()
    with pytest.raises(ServiceError):  # single use
        claim_code_redeem(user=UserFactory(), code=code, now=now)


def test_a_code_expires_and_a_new_one_replaces_the_old() -> None:
    person = CitizenFactory(user=None)
    officer = Actor.for_user(OfficerFactory())
    now = timezone.now()
    _claim, old = claim_code_issue(citizen_id=person.pk, actor=officer, now=now)
    _claim, new = claim_code_issue(citizen_id=person.pk, actor=officer, now=now)
    with pytest.raises(ServiceError):
        claim_code_redeem(user=UserFactory(), code=old, now=now)
    with pytest.raises(ServiceError):
        claim_code_redeem(user=UserFactory(), code=new, now=now + timedelta(days=15))
    assert claim_code_redeem(user=UserFactory(), code=new, now=now + timedelta(days=13)).user is not None


def test_only_officers_issue_codes_and_only_for_records_without_an_account() -> None:
    person = CitizenFactory(user=None)
    with pytest.raises(NotAllowed):
        claim_code_issue(citizen_id=person.pk, actor=Actor.for_user(UserFactory()), now=timezone.now())
    with pytest.raises(Conflict):
        claim_code_issue(citizen_id=CitizenFactory().pk, actor=Actor.for_user(OfficerFactory()), now=timezone.now())


def test_an_account_with_its_own_record_cannot_claim_a_second() -> None:
    person = CitizenFactory(user=None)
    _claim, code = claim_code_issue(citizen_id=person.pk, actor=Actor.for_user(OfficerFactory()), now=timezone.now())
    with pytest.raises(Conflict):
        claim_code_redeem(user=CitizenFactory().user, code=code, now=timezone.now())


def test_guessing_codes_on_the_page_is_limited() -> None:
    client = Client()
    client.force_login(UserFactory())
    statuses = [client.post("/people/claim/", {"code": f"AAAA-BBBB-CC{n:02d}"}).status_code for n in range(8)]
    assert statuses[:5] == [400] * 5 and statuses[5:] == [429] * 3


def test_a_sign_up_matching_a_record_is_a_task_for_officers_only() -> None:
    person = CitizenFactory(national_id="11010119900101123X", user=None, full_name="Zhao Lei")
    client = Client()
    client.post(
        "/accounts/signup/",
        {
            "full_name": "Zhao Lei",
            "email": "zhao@example.org",
            "national_id": "11010119900101123X",
            "password1": "a-long-passphrase-2026",
            "password2": "a-long-passphrase-2026",
        },
    )
    match = IdentityMatch.objects.get()
    assert match.citizen == person and match.user.email == "zhao@example.org"
    officer = Client()
    officer.force_login(OfficerFactory())
    page = officer.get("/officer/claims/").content.decode()
    assert "zhao@example.org" in page and "Zhao Lei" in page
    code_page = officer.post(f"/officer/claims/code/{person.pk}/")
    assert code_page.status_code == 200 and code_page["Cache-Control"] == "no-store"
    stranger = Client()
    stranger.force_login(UserFactory())
    assert stranger.get("/officer/claims/").status_code == 404
