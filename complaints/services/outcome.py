"""After the agency's answer: resolve, investigate, determine, comply, close, withdraw, reopen.

What other apps require first (a signed determination, no pending correction order) they say
as guards in their own effects.py; these services only apply the table."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils.translation import gettext as _

from kernel.actors import Actor
from kernel.errors import ServiceError

from ..lifecycle import transition
from ..models import Complaint
from ..transitions import Action


def complaint_resolve(*, complaint_id: int, actor: Actor, now: datetime, note: str = "") -> Complaint:
    with transaction.atomic():
        return transition(
            complaint_id=complaint_id,
            action=Action.RESOLVE,
            actor=actor,
            now=now,
            message=note or _("The correction was accepted; the case is resolved."),
        )[0]


def complaint_open_investigation(
    *, complaint_id: int, actor: Actor, reason: str, now: datetime, agency_in_default: bool = False
) -> Complaint:
    if not reason.strip():
        raise ServiceError(_("Give the reason for the investigation."), field="reason")
    changes = {"agency_in_default": True} if agency_in_default else {}
    with transaction.atomic():
        return transition(
            complaint_id=complaint_id,
            action=Action.OPEN_INVESTIGATION,
            actor=actor,
            now=now,
            message=reason.strip(),
            changes=changes,
            data={"agency_in_default": agency_in_default},
        )[0]


def complaint_issue_determination(*, complaint_id: int, actor: Actor, now: datetime, summary: str) -> Complaint:
    """Driven by the signing of a determination (the tribunal's guard on this action refuses it
    without a signed determination)."""
    with transaction.atomic():
        return transition(
            complaint_id=complaint_id,
            action=Action.ISSUE_DETERMINATION,
            actor=actor,
            now=now,
            message=summary,
        )[0]


def complaint_start_compliance(*, complaint_id: int, actor: Actor, now: datetime, note: str = "") -> Complaint:
    with transaction.atomic():
        return transition(
            complaint_id=complaint_id,
            action=Action.START_COMPLIANCE,
            actor=actor,
            now=now,
            message=note or _("The agencies concerned have been ordered to carry out the decision."),
        )[0]


def complaint_close(*, complaint_id: int, actor: Actor, now: datetime, note: str = "") -> Complaint:
    with transaction.atomic():
        return transition(
            complaint_id=complaint_id,
            action=Action.CLOSE,
            actor=actor,
            now=now,
            message=note or _("The case is closed."),
        )[0]


def complaint_withdraw(*, complaint_id: int, actor: Actor, now: datetime, reason: str = "") -> Complaint:
    with transaction.atomic():
        return transition(
            complaint_id=complaint_id,
            action=Action.WITHDRAW,
            actor=actor,
            now=now,
            message=reason.strip() or _("The complaint was withdrawn."),
        )[0]


def complaint_reopen(*, complaint_id: int, actor: Actor, now: datetime, reason: str) -> Complaint:
    if not reason.strip():
        raise ServiceError(_("Give the reason for reopening."), field="reason")
    with transaction.atomic():
        return transition(
            complaint_id=complaint_id,
            action=Action.REOPEN,
            actor=actor,
            now=now,
            message=reason.strip(),
        )[0]


def complaint_set_aside_on_review(*, complaint_id: int, actor: Actor, now: datetime, reason: str) -> Complaint:
    """Driven by a review that sets the decision aside (tribunal): back to investigation for a new decision."""
    with transaction.atomic():
        return transition(
            complaint_id=complaint_id,
            action=Action.SET_ASIDE_ON_REVIEW,
            actor=actor,
            now=now,
            message=reason,
        )[0]
