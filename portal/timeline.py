"""A case's timeline as the page shows it: each event with its label and who acted, in the
reader's language (house rule 8). Shared by the citizen's case page and the officer's."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from complaints import selectors as complaint_selectors
from complaints.models import Complaint
from kernel.events import event_label

from .labels import ACTOR_LABELS


def timeline_rows(complaint: Complaint, audience: str) -> list[dict[str, Any]]:
    rows = []
    for event in complaint_selectors.case_events_for(complaint=complaint, audience=audience):
        rows.append(
            {
                "event": event,
                # Service messages are stored in the language of whoever acted; known ones are shown in
                # the reader's language.
                "message": _(event.message) if event.message else "",
                "label": event_label(event.kind),
                "actor": event.actor_label if audience == "officer" else ACTOR_LABELS.get(event.actor_kind, ""),
            }
        )
    return rows
