"""Plain-language names for actors on a case's timeline, in both languages (event kinds are named
in kernel.events; actions and queues of the officer pages in officer.labels)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

ACTOR_LABELS = {
    "citizen": _("Citizen"),
    "officer": _("Case officer"),
    "senior_officer": _("Senior officer"),
    "agency": _("Agency"),
    "system": _("Ombudsman system"),
}
