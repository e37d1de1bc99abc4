"""What the lifecycle's own steps send out: the citizen's status emails and the agency's
`referral.created` webhook (outbox rows, in the transaction of the step)."""

from __future__ import annotations

from django.conf import settings

from kernel.visibility import VISIBLE_TO_CITIZEN
from outbox.services import outbox_webhook

from .lifecycle import Phase, Step, effect
from .notify import status_email
from .transitions import STATUS_ACTIONS, Action


@effect(*STATUS_ACTIONS, phase=Phase.NOTIFY)
def email_citizen_on_status_change(step: Step) -> None:
    """The citizen hears of every status change they can see (screening is silent)."""
    if step.event is None or step.params.get("quiet") or step.event.visibility not in VISIBLE_TO_CITIZEN:
        return
    status_email(step.complaint, step.event, step.now)


@effect(Action.REFER, phase=Phase.NOTIFY)
def tell_agency_of_referral(step: Step) -> None:
    """The agency hears of the referral by webhook (signed, delivered by the agency API's relay)."""
    complaint, event = step.complaint, step.event
    assert event is not None
    outbox_webhook(
        agency_id=complaint.respondent_id,
        event_type="referral.created",
        data={
            "reference": complaint.reference,
            "status": complaint.status,
            "category": complaint.category,
            "urgent": complaint.urgent,
            "url": f"{settings.OMBUDSMAN_BASE_URL.rstrip('/')}/api/v1/agency/referrals/{complaint.reference}/",
        },
        dedupe_key=f"referral.created:{complaint.pk}:{event.pk}",
        now=step.now,
        complaint_id=complaint.pk,
    )
