"""Every write to a complaint goes through these services (house rules 1-2).

One service per transition: it locks the row, checks the transition table, saves with
`update_fields`, writes the timeline event and queues side effects in the outbox, all in one
transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import IO, Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from agencies.models import Agency
from citizens.models import BlacklistEntry, Citizen, CreditScoreRecord
from ombudsman.errors import Conflict, NotAllowed, ServiceError
from outbox.services import outbox_email, outbox_webhook

from . import attachments as uploads
from .actors import Actor
from .models import (
    STATUS_LABELS,
    AgencyOutcome,
    AgencyResponse,
    Attachment,
    CaseEvent,
    Category,
    Channel,
    Complaint,
    ReferenceSequence,
    Remedy,
    UrgencyReason,
    Visibility,
)
from .transitions import OPEN_STATUSES, TERMINAL_STATUSES, Action, ActorKind, Status, target_of

MAX_STATEMENT = 10_000


# --- timeline ---------------------------------------------------------------------------------


def case_event_record(
    *,
    complaint: Complaint,
    actor: Actor,
    kind: str,
    now: datetime,
    message: str = "",
    data: dict[str, Any] | None = None,
    visibility: Visibility = Visibility.INTERNAL,
    from_status: str = "",
    to_status: str = "",
) -> CaseEvent:
    return CaseEvent.objects.create(
        complaint=complaint,
        created_at=now,
        actor_kind=actor.kind.value,
        actor_user=actor.user,
        actor_agency=actor.agency,
        actor_label=actor.display[:200],
        kind=kind,
        from_status=from_status,
        to_status=to_status,
        message=message,
        data=data or {},
        visibility=visibility,
    )


def case_events_record_many(
    *, actor: Actor, now: datetime, events: Iterable[dict[str, Any]]
) -> list[CaseEvent]:
    """Bulk form of `case_event_record` for one actor and time (the clock sweep): each item has
    `complaint`, `kind` and optionally `message`, `data`, `visibility`; one INSERT."""
    return CaseEvent.objects.bulk_create(case_events_build(actor=actor, now=now, events=events))


def case_events_build(*, actor: Actor, now: datetime, events: Iterable[dict[str, Any]]) -> list[CaseEvent]:
    """The unsaved events `case_events_record_many` inserts (the clock sweep COPYs them)."""
    return [
        CaseEvent(
            complaint=e["complaint"],
            created_at=now,
            actor_kind=actor.kind.value,
            actor_user=actor.user,
            actor_agency=actor.agency,
            actor_label=actor.display[:200],
            kind=e["kind"],
            message=e.get("message", ""),
            data=e.get("data") or {},
            visibility=e.get("visibility", Visibility.INTERNAL),
        )
        for e in events
    ]


def _notify_citizen(complaint: Complaint, *, topic: str, subject: str, body: str, now: datetime, key: str) -> None:
    citizen = complaint.citizen
    to = citizen.email or (citizen.user.email if citizen.user else "")
    if complaint.filed_by_id != citizen.user_id and complaint.filed_by.email != to:
        # A representative filed it: they hear about it too.
        outbox_email(
            to=complaint.filed_by.email,
            subject=subject,
            body=body,
            topic=topic,
            now=now,
            dedupe_key=f"{key}:filer",
            complaint_id=complaint.pk,
        )
    outbox_email(to=to, subject=subject, body=body, topic=topic, now=now, dedupe_key=key, complaint_id=complaint.pk)


def _status_email(complaint: Complaint, event: CaseEvent, now: datetime) -> None:
    label = STATUS_LABELS[complaint.status_enum]
    _notify_citizen(
        complaint,
        topic=f"email.status.{complaint.status}",
        subject=_("Your case %(ref)s: %(status)s") % {"ref": complaint.reference, "status": label},
        body=_(
            "Your case %(ref)s is now: %(status)s.\n\n%(message)s\n\nSee the details and every deadline on your "
            "case page. This service is free of charge."
        )
        % {"ref": complaint.reference, "status": label, "message": event.message},
        now=now,
        key=f"event:{event.pk}:email",
    )


# --- guards -----------------------------------------------------------------------------------


def _check_party(complaint: Complaint, actor: Actor) -> None:
    """Citizens act only on their own cases (or those they represent); agencies only on theirs."""
    if actor.kind == ActorKind.CITIZEN and not complaint.citizen.can_be_acted_for_by(actor.user):
        raise NotAllowed(_("You can act only on your own cases or those of people you represent."))
    if actor.kind == ActorKind.AGENCY and (actor.agency is None or actor.agency.pk != complaint.respondent_id):
        raise NotAllowed(_("This case is not referred to your agency."))


def _transition(
    *,
    complaint_id: int,
    action: Action,
    actor: Actor,
    now: datetime,
    message: str = "",
    data: dict[str, Any] | None = None,
    visibility: Visibility = Visibility.PARTIES,
    changes: dict[str, Any] | None = None,
    guard: Callable[[Complaint], None] | None = None,
    email_citizen: bool = True,
) -> tuple[Complaint, CaseEvent]:
    """Apply `action` to one complaint. Must run inside `transaction.atomic()`."""
    complaint = Complaint.objects.select_for_update().select_related("citizen", "filed_by").get(pk=complaint_id)
    _check_party(complaint, actor)
    source = complaint.status_enum
    target = target_of(source, action, actor.kind)
    if guard is not None:
        guard(complaint)
    complaint.status = target.value
    complaint.status_changed_at = now
    fields = ["status", "status_changed_at", "updated_at"]
    for name, value in (changes or {}).items():
        setattr(complaint, name, value)
        fields.append(name)
    if target in TERMINAL_STATUSES:
        complaint.closed_at = now
        fields.append("closed_at")
    elif complaint.closed_at is not None:
        complaint.closed_at = None
        fields.append("closed_at")
    complaint.save(update_fields=fields)
    event = case_event_record(
        complaint=complaint,
        actor=actor,
        kind=action.value,
        now=now,
        message=message,
        data=data,
        visibility=visibility,
        from_status=source.value,
        to_status=target.value,
    )
    # Legal clocks follow the case (clocks app): a referral starts the agency's clocks, its answer
    # meets them, withdrawal / closure / out of scope cancels them.
    from clocks.services import clocks_on_transition

    clocks_on_transition(complaint=complaint, action=action.value, now=now, actor=actor)
    if email_citizen and visibility in (Visibility.CITIZEN, Visibility.PARTIES, Visibility.PUBLIC):
        _status_email(complaint, event, now)
    return complaint, event


# --- filing -----------------------------------------------------------------------------------


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
            kind="submitted",
            now=now,
            to_status=Status.SUBMITTED.value,
            message=_("Complaint filed; the ombudsman will check it and refer it to the agency."),
            data={"channel": channel, "urgent": urgent},
            visibility=Visibility.CITIZEN,
        )
        _status_email(complaint, event, now)
    return complaint


# --- transitions ------------------------------------------------------------------------------


def _open_duplicate(complaint: Complaint) -> Complaint | None:
    if complaint.blacklist_entry_id is None and complaint.score_record_id is None:
        return None
    return (
        Complaint.objects.filter(
            citizen_id=complaint.citizen_id,
            blacklist_entry_id=complaint.blacklist_entry_id,
            score_record_id=complaint.score_record_id,
            status__in=[s.value for s in OPEN_STATUSES],
        )
        .exclude(pk=complaint.pk)
        .order_by("submitted_at")
        .first()
    )


def complaint_start_screening(*, complaint_id: int, actor: Actor, now: datetime) -> Complaint:
    """Check scope, duplicates, the record's category against the catalogue, and urgency."""
    with transaction.atomic():
        complaint = Complaint.objects.select_related("blacklist_entry__category").get(pk=complaint_id)
        entry = complaint.blacklist_entry
        duplicate = _open_duplicate(complaint)
        unlawful = bool(entry and not entry.category.lawful)
        derived = bool(entry and entry.derived_from_relative) or complaint.category == Category.DERIVED_FROM_RELATIVE
        findings = {
            "unlawful_category": unlawful,
            "derived_from_relative": derived,
            "duplicate_of": duplicate.reference if duplicate else None,
            "urgent": complaint.urgent,
            "urgent_sanctions": sorted(set(entry.sanctions) & {"air_travel", "rail_travel", "schools", "employment"})
            if entry
            else [],
        }
        notes = []
        if unlawful:
            assert entry is not None
            notes.append(
                f"Category '{entry.category.code}' has no legal basis in the catalogue: listing flagged as unlawful."
            )
        if derived:
            notes.append("The entry is derived from a relative's record.")
        if duplicate:
            notes.append(f"Possible duplicate of open case {duplicate.reference}.")
        complaint, _event = _transition(
            complaint_id=complaint_id,
            action=Action.START_SCREENING,
            actor=actor,
            now=now,
            message=_("The ombudsman is checking your complaint."),
            visibility=Visibility.CITIZEN,
            changes={
                "flag_unlawful_category": unlawful,
                "flag_derived_from_relative": derived,
                "duplicate_of": duplicate,
            },
            email_citizen=False,
        )
        case_event_record(
            complaint=complaint,
            actor=actor,
            kind="screening_findings",
            now=now,
            message=" ".join(notes) or "No flags raised.",
            data=findings,
            visibility=Visibility.INTERNAL,
        )
    return complaint


def complaint_refer(
    *, complaint_id: int, actor: Actor, now: datetime, respondent: Agency | None = None, note: str = ""
) -> Complaint:
    """Send the case to the agency that holds the record (again, to another agency, after a
    `misdirected` answer)."""

    def guard(c: Complaint) -> None:
        if c.duplicate_of_id is not None and c.status == Status.SCREENING:
            raise ServiceError(
                _("This looks like a duplicate of an open case; rule it out of scope or clear the flag first."),
                field="duplicate_of",
            )
        if respondent is not None and not respondent.active:
            raise ServiceError(_("That agency is not active."), field="respondent")

    changes: dict[str, Any] = {}
    if respondent is not None:
        changes["respondent"] = respondent
    with transaction.atomic():
        complaint, _event = _transition(
            complaint_id=complaint_id,
            action=Action.REFER,
            actor=actor,
            now=now,
            guard=guard,
            changes=changes,
            message=note or _("Referred to the agency, which must now answer within its legal deadlines."),
            data={"respondent": (respondent.slug if respondent else None)},
        )
        # The agency hears about it by webhook (agency_api delivers, signed), in this transaction.
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
            dedupe_key=f"referral.created:{complaint.pk}:{_event.pk}",
            now=now,
            complaint_id=complaint.pk,
        )
    return complaint


def complaint_rule_out_of_scope(*, complaint_id: int, actor: Actor, reason: str, now: datetime) -> Complaint:
    if not reason.strip():
        raise ServiceError(_("Give the reason the case is out of scope."), field="reason")
    with transaction.atomic():
        return _transition(
            complaint_id=complaint_id,
            action=Action.RULE_OUT_OF_SCOPE,
            actor=actor,
            now=now,
            message=reason.strip(),
            visibility=Visibility.CITIZEN,
        )[0]


def complaint_record_agency_response(
    *,
    complaint_id: int,
    actor: Actor,
    outcome: str,
    explanation: str,
    now: datetime,
    corrections: list[dict[str, Any]] | None = None,
    scoring_criteria: list[dict[str, Any]] | None = None,
) -> AgencyResponse:
    """Record the agency's structured answer and move the case to `agency_responded`."""
    if outcome not in AgencyOutcome.values:
        raise ServiceError(f"Unknown outcome; choose from {', '.join(AgencyOutcome.values)}.", field="outcome")
    if not (explanation or "").strip():
        raise ServiceError(_("Explain the outcome."), field="explanation")
    with transaction.atomic():
        complaint, _event = _transition(
            complaint_id=complaint_id,
            action=Action.RECORD_AGENCY_RESPONSE,
            actor=actor,
            now=now,
            message=explanation.strip(),
            data={"outcome": outcome},
        )
        response = AgencyResponse.objects.create(
            complaint=complaint,
            agency=complaint.respondent,
            outcome=outcome,
            explanation=explanation.strip(),
            corrections=corrections or [],
            scoring_criteria=scoring_criteria or [],
            responded_at=now,
            actor_label=actor.display[:200],
        )
        # Disclosed criteria go to the public register; a `corrected`/`deleted` outcome is
        # propagated to every recipient of the record (tribunal app).
        from tribunal.services import agency_response_recorded

        agency_response_recorded(response=response, actor=actor, now=now)
        return response


def complaint_resolve(*, complaint_id: int, actor: Actor, now: datetime, note: str = "") -> Complaint:
    with transaction.atomic():
        return _transition(
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
        return _transition(
            complaint_id=complaint_id,
            action=Action.OPEN_INVESTIGATION,
            actor=actor,
            now=now,
            message=reason.strip(),
            changes=changes,
            data={"agency_in_default": agency_in_default},
        )[0]


def complaint_issue_determination(*, complaint_id: int, actor: Actor, now: datetime, summary: str) -> Complaint:
    """Driven by `tribunal.services.determination_sign`: a determination is issued only by a senior
    officer signing a draft someone else wrote (the signed determination must exist)."""
    from tribunal.selectors import determination_signed_now

    def guard(c: Complaint) -> None:
        if not determination_signed_now(complaint_id=c.pk, now=now):
            raise ServiceError(
                _("Draft the determination and have a senior officer who did not draft it sign it."),
                field="determination",
            )

    with transaction.atomic():
        return _transition(
            complaint_id=complaint_id,
            action=Action.ISSUE_DETERMINATION,
            actor=actor,
            now=now,
            guard=guard,
            message=summary,
        )[0]


def complaint_start_compliance(*, complaint_id: int, actor: Actor, now: datetime, note: str = "") -> Complaint:
    with transaction.atomic():
        return _transition(
            complaint_id=complaint_id,
            action=Action.START_COMPLIANCE,
            actor=actor,
            now=now,
            message=note or _("The agencies concerned have been ordered to carry out the decision."),
        )[0]


def complaint_close(*, complaint_id: int, actor: Actor, now: datetime, note: str = "") -> Complaint:
    from tribunal.selectors import pending_orders_exist

    def guard(c: Complaint) -> None:
        # A case closes only when every correction order is confirmed or waived (tribunal app).
        if pending_orders_exist(c.pk):
            raise Conflict(_("Correction orders are still outstanding on this case."), field="status")

    with transaction.atomic():
        return _transition(
            complaint_id=complaint_id,
            action=Action.CLOSE,
            actor=actor,
            now=now,
            guard=guard,
            message=note or _("The case is closed."),
        )[0]


def complaint_withdraw(*, complaint_id: int, actor: Actor, now: datetime, reason: str = "") -> Complaint:
    with transaction.atomic():
        return _transition(
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
        return _transition(
            complaint_id=complaint_id,
            action=Action.REOPEN,
            actor=actor,
            now=now,
            message=reason.strip(),
        )[0]


# --- other case writes ------------------------------------------------------------------------


def complaint_assign(*, complaint_id: int, officer: User | None, actor: Actor, now: datetime) -> Complaint:
    if not actor.is_officer:
        raise NotAllowed(_("Only officers assign cases."))
    if officer is not None and not officer.is_officer:
        raise ServiceError(_("Cases can be assigned only to officers."), field="officer")
    with transaction.atomic():
        complaint = Complaint.objects.select_for_update().get(pk=complaint_id)
        if complaint.assigned_officer_id == (officer.pk if officer else None):
            return complaint
        complaint.assigned_officer = officer
        complaint.save(update_fields=["assigned_officer", "updated_at"])
        case_event_record(
            complaint=complaint,
            actor=actor,
            kind="assigned",
            now=now,
            message=f"Assigned to {officer}" if officer else "Unassigned",
            visibility=Visibility.INTERNAL,
            data={"officer_id": officer.pk if officer else None},
        )
    return complaint


def complaint_assign_automatically(*, complaint_id: int, actor: Actor, now: datetime) -> Complaint:
    """Assign the case to the least-loaded case officer: fewest open assigned cases, then the one who
    has waited longest (lowest id). Senior officers are used only when there are no case officers."""
    from django.db.models import Count, Q

    from accounts.models import Role

    if not actor.is_officer:
        raise NotAllowed(_("Only officers assign cases."))
    open_q = Q(assigned_complaints__status__in=[s.value for s in OPEN_STATUSES])
    candidate: User | None = None
    for role in (Role.OFFICER, Role.SENIOR_OFFICER):
        candidate = (
            User.objects.filter(role=role, is_active=True)
            .annotate(load=Count("assigned_complaints", filter=open_q))
            .order_by("load", "pk")
            .first()
        )
        if candidate is not None:
            break
    if candidate is None:
        raise ServiceError(_("There is no active officer to assign the case to."), field="officer")
    return complaint_assign(complaint_id=complaint_id, officer=candidate, actor=actor, now=now)


def attachment_add(
    *,
    complaint_id: int,
    actor: Actor,
    fileobj: IO[bytes],
    filename: str,
    now: datetime,
    size: int | None = None,
    visibility: Visibility = Visibility.PARTIES,
) -> Attachment:
    """Attach evidence to a case: type sniffed from content, size-limited, stored under a random name."""
    content, mime, ext, digest = uploads.read_checked(fileobj, size)
    with transaction.atomic():
        complaint = Complaint.objects.select_for_update().select_related("citizen").get(pk=complaint_id)
        _check_party(complaint, actor)
        attachment = Attachment(
            complaint=complaint,
            stored_name=uploads.new_stored_name(ext),
            original_name=uploads.safe_original_name(filename),
            content_type=mime,
            size=len(content),
            sha256=digest,
            visibility=visibility,
            uploaded_by_kind=actor.kind.value,
            uploaded_by_user=actor.user,
            uploaded_by_agency=actor.agency,
            created_at=now,
        )
        attachment.file.save(attachment.stored_name, ContentFile(content), save=False)
        attachment.save()
        complaint.save(update_fields=["updated_at"])
        case_event_record(
            complaint=complaint,
            actor=actor,
            kind="attachment_added",
            now=now,
            visibility=visibility,
            message=attachment.original_name,
            data={"attachment_id": attachment.pk, "content_type": mime},
        )
    return attachment


def complaint_post_message(
    *, complaint_id: int, actor: Actor, text: str, now: datetime, visibility: Visibility = Visibility.PARTIES
) -> CaseEvent:
    """A message on the case; `visibility` says who reads it. Internal notes are officers' only."""
    if visibility == Visibility.INTERNAL and not actor.is_officer:
        raise NotAllowed(_("Only officers write internal notes."))
    text = (text or "").strip()
    if not text:
        raise ServiceError(_("The message is empty."), field="text")
    if len(text) > MAX_STATEMENT:
        raise ServiceError(f"Keep the message under {MAX_STATEMENT} characters.", field="text")
    with transaction.atomic():
        complaint = Complaint.objects.select_for_update().select_related("citizen").get(pk=complaint_id)
        _check_party(complaint, actor)
        complaint.save(update_fields=["updated_at"])
        return case_event_record(
            complaint=complaint,
            actor=actor,
            now=now,
            message=text,
            visibility=visibility,
            kind="note" if visibility == Visibility.INTERNAL else "message",
        )
