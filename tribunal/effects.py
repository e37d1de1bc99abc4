"""What the lifecycle's steps do to the tribunal's records, and what the tribunal requires
before a step may happen (guards). Registered with complaints.lifecycle."""

from __future__ import annotations

from django.utils.translation import gettext as _

from complaints.lifecycle import Phase, Step, effect, guard
from complaints.transitions import Action
from kernel.errors import Conflict, ServiceError

from . import selectors, services


@effect(Action.RECORD_AGENCY_RESPONSE, phase=Phase.DERIVED)
def register_and_propagate_answer(step: Step) -> None:
    """Criteria an agency disclosed join the public register; its own correction or deletion is
    ordered at every agency it shared the record with."""
    services.agency_response_recorded(response=step.params["response"], actor=step.actor, now=step.now)


@guard(Action.ISSUE_DETERMINATION)
def determination_must_be_signed(step: Step) -> None:
    """A determination is issued only by a senior officer signing a draft someone else wrote."""
    if not selectors.determination_signed_now(complaint_id=step.complaint.pk, now=step.now):
        raise ServiceError(
            _("Draft the determination and have a senior officer who did not draft it sign it."),
            field="determination",
        )


@guard(Action.CLOSE)
def no_pending_orders(step: Step) -> None:
    """A case closes only when every correction order is confirmed or waived."""
    if selectors.pending_orders_exist(step.complaint.pk):
        raise Conflict(_("Correction orders are still outstanding on this case."), field="status")
