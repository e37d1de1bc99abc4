"""The demo's identity cases, made through the real services: representation with proof (one
verified, one waiting for an officer) and a sign-up whose ID number matched a phone-filed record."""

from __future__ import annotations

import io
from datetime import date, datetime

from django.utils import timezone

from accounts.models import User
from citizens.models import Citizen, IdentityMatch, RepresentationRequest, RepresentativeKind
from citizens.services import citizen_record_for_new_account, representation_request, representation_verify
from kernel.actors import Actor

# A one-page PDF standing in for a scanned birth certificate or power of attorney in the demo.
DEMO_PROOF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


def demo_representation(users: dict[str, User], minor: Citizen, *, lijianguo_id: str) -> None:
    """Through the real services: Zhang Min's proof for her daughter, verified by the officer
    until the day before the daughter turns 18; Li Wei's proof for his father, waiting for an
    officer (the officers' "Proof to check" list)."""
    now = timezone.now()
    officer = Actor.for_user(users["officer@example.org"])
    if not RepresentationRequest.objects.filter(citizen=minor).exists():
        Citizen.objects.filter(pk=minor.pk).update(representative=None, representative_kind="")
        request = representation_request(
            representative=users["parent@example.org"],
            full_name=minor.full_name,
            national_id_number=minor.reveal_national_id(),
            date_of_birth=minor.date_of_birth,
            kind=RepresentativeKind.PARENT,
            proof=io.BytesIO(DEMO_PROOF),
            proof_name="birth-certificate.pdf",
            proof_size=len(DEMO_PROOF),
            now=now,
        )
        until = timezone.make_aware(datetime(2028, 6, 14, 23, 59))
        representation_verify(request_id=request.pk, actor=officer, now=now, valid_until=until)
    li_wei = users["citizen@example.org"]
    if not RepresentationRequest.objects.filter(representative=li_wei).exists():
        representation_request(
            representative=li_wei,
            full_name="Li Jianguo",
            national_id_number=lijianguo_id,
            date_of_birth=date(1952, 1, 1),
            kind=RepresentativeKind.OTHER,
            proof=io.BytesIO(DEMO_PROOF),
            proof_name="signed-authority.pdf",
            proof_size=len(DEMO_PROOF),
            now=now,
        )


CLAIMANT_EMAIL = "claimant@example.org"


def demo_identity_match(*, claimant: User, person: Citizen) -> None:
    """A person an officer filed for by phone (`person`) signs up with her own ID number: the
    account gets no record (only the officers' "Records to hand over" list learns of it) until an
    officer gives her a claim code."""
    if IdentityMatch.objects.filter(user=claimant).exists() or Citizen.objects.filter(user=claimant).exists():
        return
    citizen_record_for_new_account(
        user=claimant, full_name=person.full_name, national_id_number=person.reveal_national_id(), now=timezone.now()
    )
