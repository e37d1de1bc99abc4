"""Determinations: the case officer drafts (outcome, findings, reasons, remedies, a public summary
with no personal data); a senior officer who did not draft it signs, which issues it: the case
moves to `determination`, correction orders go out, and the case moves to `compliance` (or
closes when nothing is ordered).

Lock order (complaints.lifecycle): `step_begin` locks the case, then the determination row."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from accounts.models import Role, User
from citizens.models import Sanction
from complaints import services as complaint_services
from complaints.lifecycle import complaint_id_of, lock_rows, step_begin, step_record
from complaints.models import Complaint
from complaints.remedies import RECORD_REMEDIES
from complaints.transitions import Action
from kernel.actors import Actor
from kernel.errors import Conflict, NotAllowed, ServiceError
from kernel.events import CaseEventKind
from kernel.visibility import Visibility
from outbox.services import outbox_email, outbox_webhook

from ..models import CorrectionOrder, Determination, DeterminationStatus, Outcome
from ..redaction import summary_problems
from ..remedies import validated_remedies
from ._shared import acting_user, text
from .correction_orders import correction_orders_for_determination

logger = logging.getLogger(__name__)


def public_summary_problems(summary: str, complaint: Complaint) -> list[str]:
    """Why `summary` may not be published: the citizen's (or filer's) name, an ID number or
    anything that looks like one, an email address, or the record's reference
    (tribunal/redaction.py does the screening)."""
    entry = complaint.blacklist_entry
    refs = [entry.agency_record_id] if entry else []
    if complaint.score_record is not None:
        refs.append(complaint.score_record.agency_record_id)
    try:
        raw_id = complaint.citizen.reveal_national_id()
    except Exception:  # key rotated away: the patterns still catch ID-like numbers
        raw_id = ""
    return summary_problems(
        summary,
        names=[complaint.citizen.full_name, complaint.filed_by.full_name],
        references=refs,
        national_id=raw_id,
    )


@dataclass
class RescreenReport:
    checked: int = 0
    withheld: list[str] = field(default_factory=list)  # determination numbers


def determination_summaries_rescreen(*, now: datetime, dry_run: bool = False, batch_size: int = 200) -> RescreenReport:
    """Screen every published summary again with the screening as it is now; withhold from the
    register (summary_withheld_at = now) each one that fails. Batched by primary key; a summary
    already withheld is not looked at again, so a second run changes nothing."""
    report = RescreenReport()
    issued = (
        Determination.objects.filter(status=DeterminationStatus.ISSUED, summary_withheld_at__isnull=True)
        .select_related(
            "complaint__citizen", "complaint__filed_by", "complaint__blacklist_entry", "complaint__score_record"
        )
        .order_by("pk")
    )
    last_pk = 0
    while True:
        batch = list(issued.filter(pk__gt=last_pk)[:batch_size])
        if not batch:
            return report
        last_pk = batch[-1].pk
        report.checked += len(batch)
        failing = [d for d in batch if public_summary_problems(d.public_summary, d.complaint)]
        report.withheld += [str(d.number) for d in failing]
        if failing and not dry_run:
            Determination.objects.filter(pk__in=[d.pk for d in failing], summary_withheld_at__isnull=True).update(
                summary_withheld_at=now
            )
            for d in failing:
                logger.warning("public summary of %s withheld from the register: it fails the screening", d.number)


def _require_publishable(summary: str, complaint: Complaint) -> None:
    problems = public_summary_problems(summary, complaint)
    if problems:
        raise ServiceError(
            "The public summary cannot be published: " + "; ".join(problems) + ".", field="public_summary"
        )


def determination_save_draft(
    *,
    complaint_id: int,
    actor: Actor,
    outcome: str,
    findings: str,
    reasons: str,
    public_summary: str,
    now: datetime,
    remedies: list[dict[str, Any]] | None = None,
) -> Determination:
    """Create or update the case's draft. Whoever saves it last is its drafter (and so cannot sign it)."""
    if outcome not in Outcome.values:
        raise ServiceError(f"outcome must be one of {', '.join(Outcome.values)}.", field="outcome")
    findings = text(findings, field="findings")
    reasons = text(reasons, field="reasons")
    summary = text(public_summary, field="public_summary", limit=4000)
    clean_remedies = validated_remedies(remedies, upheld=outcome != Outcome.NOT_UPHELD, sanctions=Sanction.values)
    with transaction.atomic():
        complaint = step_begin(complaint_id=complaint_id, action=Action.DRAFT_DETERMINATION, actor=actor)
        _require_publishable(summary, complaint)
        record_kinds = {r["kind"] for r in clean_remedies} & RECORD_REMEDIES
        if record_kinds and complaint.disputed_record is None and not complaint.other_record_description:
            raise ServiceError(_("There is no record to correct on this case."), field="remedies")
        drafts = lock_rows(Determination.objects.filter(complaint=complaint, status=DeterminationStatus.DRAFT))
        draft = drafts[0] if drafts else Determination(complaint=complaint, drafted_at=now)
        created = draft.pk is None
        draft.outcome = outcome
        draft.findings = findings
        draft.reasons = reasons
        draft.remedies = clean_remedies
        draft.public_summary = summary
        draft.drafted_by = acting_user(actor)
        draft.updated_at = now
        draft.save()
        step_record(
            complaint=complaint,
            action=Action.DRAFT_DETERMINATION,
            actor=actor,
            now=now,
            kind=CaseEventKind.DETERMINATION_DRAFTED if created else CaseEventKind.DETERMINATION_DRAFT_UPDATED,
            message=f"Draft determination ({outcome.replace('_', ' ')}) saved.",
            data={"determination_id": draft.pk, "outcome": outcome, "remedies": draft.remedy_kinds},
            visibility=Visibility.INTERNAL,
        )
        if created:
            _tell_seniors_a_draft_awaits(complaint, draft, now=now)
    return draft


def _tell_seniors_a_draft_awaits(complaint: Complaint, draft: Determination, *, now: datetime) -> None:
    """Every senior officer who did not draft it hears that a decision awaits a signature (outbox),
    in their language, with the link to the case's investigation page."""
    link = f"{settings.OMBUDSMAN_BASE_URL.rstrip('/')}/officer/cases/{complaint.reference}/investigation/"
    seniors = User.objects.filter(role=Role.SENIOR_OFFICER, is_active=True).exclude(pk=draft.drafted_by_id)
    for senior in seniors.order_by("pk"):
        with translation.override(senior.preferred_language):
            subject = _("A decision awaits your signature: %(ref)s") % {"ref": complaint.reference}
            body = _(
                "%(drafter)s drafted the decision on case %(ref)s (%(outcome)s). Read it and sign it, or send it "
                "back: %(link)s"
            ) % {
                "drafter": draft.drafted_by,
                "ref": complaint.reference,
                "outcome": draft.get_outcome_display(),
                "link": link,
            }
        outbox_email(
            to=senior.email,
            subject=subject,
            body=body,
            topic="email.determination.awaits_signature",
            dedupe_key=f"determination:{draft.pk}:awaits:{senior.pk}",
            now=now,
            complaint_id=complaint.pk,
        )


def determination_sign(*, determination_id: int, actor: Actor, now: datetime) -> Determination:
    """A senior officer who did not draft it signs the determination: it is issued (the case moves
    to `determination`), the citizen and the agency are told, and correction orders go to the
    respondent and every agency the record travelled to; the case moves to `compliance` (or
    closes when nothing is ordered)."""
    with transaction.atomic():
        complaint = step_begin(
            complaint_id=complaint_id_of(Determination, determination_id),
            action=Action.SIGN_DETERMINATION,
            actor=actor,
        )
        det = lock_rows(Determination.objects.filter(pk=determination_id))[0]
        if det.status != DeterminationStatus.DRAFT:
            raise Conflict(_("This determination has already been issued."), field="status")
        signer = acting_user(actor)
        if det.drafted_by_id == signer.pk:
            raise NotAllowed(_("The officer who drafted a determination cannot sign it; another senior officer must."))
        _require_publishable(det.public_summary, complaint)
        det.status = DeterminationStatus.ISSUED
        det.signed_by = signer
        det.issued_at = now
        det.number = f"D-{now.year}-{det.pk:06d}"
        det.updated_at = now
        det.save(update_fields=["status", "signed_by", "issued_at", "number", "updated_at"])
        step_record(complaint=complaint, action=Action.SIGN_DETERMINATION, actor=actor, now=now, kind=None)
        complaint = complaint_services.complaint_issue_determination(
            complaint_id=complaint.pk,
            actor=actor,
            now=now,
            summary=f"Determination {det.number}: {det.get_outcome_display()}. {det.public_summary}",
        )
        orders = correction_orders_for_determination(determination=det, complaint=complaint, actor=actor, now=now)
        outbox_webhook(
            agency_id=complaint.respondent_id,
            event_type="determination.issued",
            data=determination_payload(det, orders),
            dedupe_key=f"determination:{det.pk}:issued",
            now=now,
            complaint_id=complaint.pk,
        )
        if orders:
            complaint_services.complaint_start_compliance(
                complaint_id=complaint.pk,
                actor=actor,
                now=now,
                note=f"Correction orders sent to {len(orders)} agencies: "
                + ", ".join(o.agency.name_en for o in orders)
                + ".",
            )
        else:
            complaint_services.complaint_close(
                complaint_id=complaint.pk, actor=Actor.system(), now=now, note=_("Nothing to carry out; case closed.")
            )
    return det


def determination_payload(det: Determination, orders: Sequence[CorrectionOrder]) -> dict[str, Any]:
    """The `determination.issued` webhook's data."""
    return {
        "number": det.number,
        "case_reference": det.complaint.reference,
        "outcome": det.outcome,
        "findings": det.findings,
        "reasons": det.reasons,
        "remedies": det.remedies,
        "public_summary": det.public_summary,
        "issued_at": det.issued_at.isoformat() if det.issued_at else None,
        "correction_orders": [{"id": o.pk, "agency": o.agency.slug} for o in orders],
    }
