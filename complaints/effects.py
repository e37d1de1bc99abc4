"""What the lifecycle's own steps send out: the citizen's status emails, messages and evidence
told to the other sides, and the agency's `referral.created` webhook (outbox rows, in the
transaction of the step)."""

from __future__ import annotations

from django.conf import settings

from kernel.actors import ActorKind
from kernel.visibility import VISIBLE_TO_AGENCY, VISIBLE_TO_CITIZEN, Visibility
from outbox.services import outbox_webhook

from .lifecycle import Phase, Step, effect
from .notify import activity_email, status_email
from .transitions import STATUS_ACTIONS, Action


@effect(*STATUS_ACTIONS, phase=Phase.NOTIFY)
def email_citizen_on_status_change(step: Step) -> None:
    """The citizen hears of every status change they can see (screening is silent)."""
    if step.event is None or step.params.get("quiet") or step.event.visibility not in VISIBLE_TO_CITIZEN:
        return
    status_email(step.complaint, step.event, step.now)


@effect(Action.POST_MESSAGE, Action.ADD_EVIDENCE, phase=Phase.NOTIFY)
def tell_the_other_sides_of_new_activity(step: Step) -> None:
    """A message or new evidence reaches every other side that may read it: the citizen, the
    assigned officer, the agency's portal users (each in their language, with a link)."""
    event = step.event
    if event is None or event.visibility == Visibility.INTERNAL:
        return
    actor = step.actor.kind
    if actor != ActorKind.CITIZEN and event.visibility in VISIBLE_TO_CITIZEN:
        activity_email(step.complaint, event, audience="citizen", now=step.now)
    if actor in (ActorKind.CITIZEN, ActorKind.AGENCY):
        activity_email(step.complaint, event, audience="officer", now=step.now)
    if actor != ActorKind.AGENCY and event.visibility in VISIBLE_TO_AGENCY and step.complaint.respondent_id:
        activity_email(step.complaint, event, audience="agency", now=step.now)


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
