"""Officers invite agency staff by email: the link is in the outbox mail (in the chosen
language), valid 7 days, used once; accepting creates the account and the membership."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.invitations import agency_invitation_accept, agency_invitation_create
from accounts.services import user_activate_totp
from agencies.models import AgencyInvitation, AgencyMembership, AgencyRole
from kernel.actors import Actor
from kernel.errors import Conflict, NotAllowed, ServiceError
from outbox.models import OutboxMessage
from tests.factories import TEST_TOTP_SECRET, AgencyFactory, OfficerFactory, UserFactory

from .conftest import make_member

pytestmark = pytest.mark.django_db
PASSWORD = "a-long-agency-pass-2026"


def _link(email: str) -> str:
    body = OutboxMessage.objects.get(topic="agency.invitation", recipient=email).payload["body"]
    match = re.search(r"https?://\S+/agency/invitations/(\S+)/", body)
    assert match, body
    return f"/agency/invitations/{match.group(1)}/"


def test_an_officer_invites_and_the_link_creates_the_account_once() -> None:
    court = AgencyFactory(name_en="Harbour Court", name_zh="海港法院")
    officer = OfficerFactory()
    client = Client()
    client.force_login(officer)
    page = client.post(
        reverse("officer-agency-invite"),
        {"agency": court.pk, "email": "Clerk@Court.example", "role": "administrator", "language": "zh-hans"},
    )
    assert page.status_code == 302
    mail = OutboxMessage.objects.get(topic="agency.invitation")
    assert mail.recipient == "clerk@court.example" and "海港法院" in mail.payload["subject"]
    link = _link("clerk@court.example")
    invited = Client()
    assert invited.get(link).status_code == 200
    bad = invited.post(link, {"full_name": "Clerk", "password": PASSWORD, "password2": "different-2026-x"})
    assert bad.status_code == 400 and "password2" in bad.context["form"].errors
    done = invited.post(link, {"full_name": "Clerk Wang", "password": PASSWORD, "password2": PASSWORD})
    assert done.status_code == 302 and done["Location"] == reverse("agency_portal:worklist")
    membership = AgencyMembership.objects.get(user__email="clerk@court.example")
    assert membership.agency == court and membership.role == AgencyRole.ADMINISTRATOR
    assert membership.user.preferred_language == "zh-hans"
    # Signed in, and sent to set up the second factor before any agency page answers.
    assert invited.get(reverse("agency_portal:team"))["Location"] == "/accounts/2fa/"
    user_activate_totp(user=membership.user, secret=TEST_TOTP_SECRET)
    assert invited.get(reverse("agency_portal:team")).status_code == 200  # administrator
    again = Client().get(link)
    assert again.status_code == 409  # single use
    assert Client().login(email="clerk@court.example", password=PASSWORD)


def test_the_link_expires_after_7_days_and_a_wrong_token_is_404(now) -> None:  # type: ignore[no-untyped-def]
    court = AgencyFactory()
    invitation, token = agency_invitation_create(
        agency=court, email="late@court.example", role="responder", actor=Actor.for_user(OfficerFactory()), now=now
    )
    assert invitation.expires_at == now + timedelta(days=7)
    with pytest.raises(Conflict):
        agency_invitation_accept(token=token, full_name="Late", password=PASSWORD, now=now + timedelta(days=7))
    assert Client().get(f"/agency/invitations/{token}x/").status_code == 404
    AgencyInvitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert Client().get(f"/agency/invitations/{token}/").status_code == 409
    assert not AgencyMembership.objects.exists()


def test_only_officers_invite_and_addresses_of_staff_are_refused(now) -> None:  # type: ignore[no-untyped-def]
    court = AgencyFactory()
    citizen = UserFactory()
    with pytest.raises(NotAllowed):
        agency_invitation_create(
            agency=court, email="x@y.example", role="responder", actor=Actor.for_user(citizen), now=now
        )
    officer = Actor.for_user(OfficerFactory())
    with pytest.raises(ServiceError) as bad_email:
        agency_invitation_create(agency=court, email="not an address", role="responder", actor=officer, now=now)
    assert bad_email.value.field == "email"
    member = make_member(AgencyFactory())
    with pytest.raises(Conflict):
        agency_invitation_create(agency=court, email=member.user.email, role="responder", actor=officer, now=now)
    client = Client()
    client.force_login(citizen)
    assert client.get(reverse("officer-agency-invite")).status_code == 404
    member_client = Client()
    member_client.force_login(member.user)
    assert member_client.get(reverse("officer-agency-invite")).status_code == 404


def test_an_existing_account_must_sign_in_to_accept(now) -> None:  # type: ignore[no-untyped-def]
    court = AgencyFactory()
    person = UserFactory(email="known@court.example")
    now = timezone.now()  # the page below accepts at the real time
    _inv, token = agency_invitation_create(
        agency=court, email="known@court.example", role="responder", actor=Actor.for_user(OfficerFactory()), now=now
    )
    with pytest.raises(NotAllowed):
        agency_invitation_accept(token=token, now=now)
    stranger = UserFactory()
    with pytest.raises(NotAllowed):
        agency_invitation_accept(token=token, now=now, user=stranger)
    client = Client()
    client.force_login(person)
    assert client.post(f"/agency/invitations/{token}/").status_code == 302
    assert AgencyMembership.objects.get(user=person).agency == court
