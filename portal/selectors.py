"""Reads for the citizen pages: whom a user may file for, their records, the case's clocks."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from accounts.models import User
from agencies.models import Agency
from citizens.models import (
    BlacklistEntry,
    Citizen,
    CreditScoreRecord,
    RepresentationRequest,
    RepresentationStatus,
)
from clocks.selectors import clocks_for_complaint
from complaints.models import Complaint

# --- citizens ---------------------------------------------------------------------------------


def citizens_user_can_file_for(user: User) -> QuerySet[Citizen]:
    """The user's own citizen record first, then the people they represent."""
    return Citizen.objects.filter(Q(user=user) | Q(representative=user)).order_by("-user_id", "full_name")


def representation_requests_of(user: User) -> list[RepresentationRequest]:
    """The user's own requests to represent someone, newest first (what they sent and its state)."""
    return list(
        RepresentationRequest.objects.filter(representative=user).select_related("citizen").order_by("-pk")[:20]
    )


def representations_of(user: User) -> list[RepresentationRequest]:
    """Who represents the user now (verified representations of the user's own record)."""
    return list(
        RepresentationRequest.objects.filter(citizen__user=user, status=RepresentationStatus.VERIFIED)
        .select_related("representative")
        .order_by("pk")
    )


def records_for(*, citizen: Citizen, agency: Agency | None) -> tuple[list[BlacklistEntry], list[CreditScoreRecord]]:
    entries = BlacklistEntry.objects.filter(citizen=citizen).select_related("agency", "category")
    scores = CreditScoreRecord.objects.filter(citizen=citizen).select_related("agency")
    if agency is not None:
        entries = entries.filter(agency=agency)
        scores = scores.filter(agency=agency)
    return list(entries), list(scores)


def active_agencies() -> QuerySet[Agency]:
    return Agency.objects.filter(active=True).order_by("name_en")


# --- clocks -----------------------------------------------------------------------------------


def clocks_for(*, complaint: Complaint, audience: str) -> list[Any]:
    """Every clock on the case that `audience` may see (from the clocks app)."""
    return list(clocks_for_complaint(complaint=complaint, audience=audience))
