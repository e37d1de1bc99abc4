"""Who may read a timeline entry, a message or a file. Officers read everything."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Visibility(models.TextChoices):
    INTERNAL = "internal", _("Ombudsman staff only")
    CITIZEN = "citizen", _("Staff and citizen")
    AGENCY = "agency", _("Staff and agency")
    PARTIES = "parties", _("Staff, citizen and agency")
    PUBLIC = "public", _("Public")


# Which visibilities each audience sees (officers see everything).
VISIBLE_TO_CITIZEN = (Visibility.CITIZEN, Visibility.PARTIES, Visibility.PUBLIC)
VISIBLE_TO_AGENCY = (Visibility.AGENCY, Visibility.PARTIES, Visibility.PUBLIC)


class Audience(models.TextChoices):
    OFFICER = "officer", _("Ombudsman staff")
    CITIZEN = "citizen", _("Citizen")
    AGENCY = "agency", _("Agency")


def visible_to(audience: str) -> tuple[Visibility, ...] | None:
    """The visibilities `audience` reads; None means every one (officers)."""
    if audience == Audience.OFFICER:
        return None
    return VISIBLE_TO_CITIZEN if audience == Audience.CITIZEN else VISIBLE_TO_AGENCY
