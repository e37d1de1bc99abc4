"""Filing a complaint (free): by the citizen, their representative, or an officer for them."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.db import transaction
from django.utils.translation import gettext as _

from agencies.models import Agency
from citizens.models import BlacklistEntry, Citizen, CreditScoreRecord
from kernel.actors import Actor, ActorKind
from kernel.errors import NotAllowed, ServiceError
from kernel.events import CaseEventKind
from kernel.visibility import Visibility

from ..lifecycle import case_event_record
from ..models import Category, Channel, Complaint, ReferenceSequence, UrgencyReason
from ..notify import status_email
from ..remedies import Remedy
from ..transitions import Status

MAX_STATEMENT = 10_000


def _next_reference(now: datetime) -> str:
    seq, _created = ReferenceSequence.objects.select_for_update().get_or_create(year=now.year)
    seq.last_value += 1
    seq.save(update_fields=["last_value"])
    return f"OMB-{now.year}-{seq.last_value:06d}"


def _validated_remedies(remedies: Iterable[str]) -> list[str]:
    out = list(dict.fromkeys(remedies))
    bad = [r for r in out if r not in Remedy.values]
    if bad:
        raise ServiceError(
            f"Unknown remedy {', '.join(bad)}; choose from {', '.join(Remedy.values)}.", field="remedies_sought"
        )
    if not out:
        raise ServiceError(_("Say what you want the agency to do."), field="remedies_sought")
    return out


def complaint_submit(
    *,
    citizen: Citizen,
    actor: Actor,
    respondent: Agency,
    category: str,
    statement: str,
    remedies_sought: Iterable[str],
    now: datetime,
    remedy_detail: str = "",
    blacklist_entry: BlacklistEntry | None = None,
    score_record: CreditScoreRecord | None = None,
    other_record_description: str = "",
    urgent: bool = False,
    urgency_reason: str = "",
    urgency_detail: str = "",
    channel: str = Channel.WEB,
    language: str = "en",
) -> Complaint:
    """File a correction request (free). The citizen, their representative, or an officer
    (assisted channel) may file."""
    if actor.kind == ActorKind.CITIZEN:
        if not citizen.can_be_acted_for_by(actor.user):
            raise NotAllowed(_("You can file only for yourself or for someone you represent."))
    elif not actor.is_officer:
        raise NotAllowed(_("Only citizens, their representatives and officers can file a complaint."))
    if actor.user is None:
        raise NotAllowed(_("A complaint is filed by a signed-in person."))
    if not respondent.active:
        raise ServiceError(_("This agency no longer accepts complaints."), field="respondent")
    if category not in Category.values:
        raise ServiceError(f"Unknown category; choose from {', '.join(Category.values)}.", field="category")
    if channel not in Channel.values:
        raise ServiceError(f"Unknown channel; choose from {', '.join(Channel.values)}.", field="channel")
    statement = (statement or "").strip()
    if not statement:
        raise ServiceError(_("Tell us what is wrong."), field="statement")
    if len(statement) > MAX_STATEMENT:
        raise ServiceError(f"Keep the statement under {MAX_STATEMENT} characters.", field="statement")
    remedies = _validated_remedies(remedies_sought)
    if blacklist_entry is not None and score_record is not None:
        raise ServiceError(_("Choose one record per complaint."), field="record")
    record = blacklist_entry or score_record
    other_record_description = (other_record_description or "").strip()
    if record is None and not other_record_description:
        raise ServiceError(_("Choose the record, or describe it."), field="record")
    if record is not None:
        if record.citizen_id != citizen.pk:
            raise ServiceError(_("That record is not this person's."), field="record")
        if record.agency_id != respondent.pk:
            raise ServiceError(_("That record is held by another agency."), field="record")
    if urgent and urgency_reason not in UrgencyReason.values:
        raise ServiceError(_("Say why it is urgent."), field="urgency_reason")
    if not urgent:
        urgency_reason, urgency_detail = "", ""

    with transaction.atomic():
        complaint = Complaint.objects.create(
            reference=_next_reference(now),
            citizen=citizen,
            filed_by=actor.user,
            respondent=respondent,
            blacklist_entry=blacklist_entry,
            score_record=score_record,
            other_record_description=other_record_description if record is None else "",
            category=category,
            statement=statement,
            remedies_sought=remedies,
            remedy_detail=remedy_detail.strip(),
            urgent=urgent,
            urgency_reason=urgency_reason,
            urgency_detail=urgency_detail.strip(),
            status=Status.SUBMITTED.value,
            channel=channel,
            language=language,
            submitted_at=now,
            status_changed_at=now,
        )
        event = case_event_record(
            complaint=complaint,
            actor=actor,
            kind=CaseEventKind.SUBMITTED,
            now=now,
            to_status=Status.SUBMITTED.value,
            message=_("Complaint filed; the ombudsman will check it and refer it to the agency."),
            data={"channel": channel, "urgent": urgent},
            visibility=Visibility.CITIZEN,
        )
        status_email(complaint, event, now)
    return complaint
