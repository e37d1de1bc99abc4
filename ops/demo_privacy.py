"""The demo's privacy cases, through the real services: Zhang Min has asked for her data to be
deleted (the officers' "Deletion requests" list shows it waiting); every demo citizen downloads
their data from "Your data" (/data/)."""

from __future__ import annotations

from django.utils import timezone

from accounts.models import User
from citizens.models import Citizen
from privacy.models import DeletionRequest
from privacy.services import deletion_request_create

DEMO_REASON = (
    "My debt was repaid and the listing lifted; I do not want the ombudsman to keep my details any longer than it must."
)


def demo_deletion_request(*, user: User, citizen: Citizen) -> None:
    """A deletion request waiting for an officer (once: a second run adds nothing)."""
    if DeletionRequest.objects.filter(citizen=citizen).exists():
        return
    deletion_request_create(citizen_id=citizen.pk, user=user, reason=DEMO_REASON, now=timezone.now())
