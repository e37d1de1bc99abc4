"""Determinations: the case officer drafts (outcome, findings, reasons, remedies, a public summary
with no personal data); a senior officer who did not draft it signs, which issues it: the case
moves to `determination`, correction orders go out, and the case moves to `compliance` (or
closes when nothing is ordered).

Lock order (complaints.lifecycle): `step_begin` locks the case, then the determination row."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
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
from complaints.notify import notify_agency_users, notify_citizen, notify_officer
from complaints.remedies import RECORD_REMEDIES
from complaints.transitions import Action
from kernel.actors import Actor, ActorKind
from kernel.errors import Conflict, NotAllowed, ServiceError
from kernel.events import CaseEventKind
from kernel.visibility import Visibility
from outbox.services import outbox_email, outbox_webhook

from ..models import (
    UNISSUED_STATUSES,
    CommentParty,
    CorrectionOrder,
    Determination,
    DeterminationStatus,
    Outcome,
    ProvisionalComment,
)
from ..redaction import summary_problems
from ..remedies import validated_remedies
from ..selectors import CommentWindow, comment_window, provisional_subject_key
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
    comments_considered: str = "",
) -> Determination:
    """Create or update the case's draft (a provisional decision may still change before the
    final one is signed; the parties keep seeing what was shared). Whoever saves it last is its
    drafter (and so cannot sign it)."""
    if outcome not in Outcome.values:
        raise ServiceError(f"outcome must be one of {', '.join(Outcome.values)}.", field="outcome")
    findings = text(findings, field="findings")
    reasons = text(reasons, field="reasons")
    summary = text(public_summary, field="public_summary", limit=4000)
    considered = text(comments_considered, field="comments_considered", required=False)
    clean_remedies = validated_remedies(remedies, upheld=outcome != Outcome.NOT_UPHELD, sanctions=Sanction.values)
    with transaction.atomic():
        complaint = step_begin(complaint_id=complaint_id, action=Action.DRAFT_DETERMINATION, actor=actor)
        _require_publishable(summary, complaint)
        record_kinds = {r["kind"] for r in clean_remedies} & RECORD_REMEDIES
        if record_kinds and complaint.disputed_record is None and not complaint.other_record_description:
            raise ServiceError(_("There is no record to correct on this case."), field="remedies")
        drafts = lock_rows(Determination.objects.filter(complaint=complaint, status__in=UNISSUED_STATUSES))
        draft = drafts[0] if drafts else Determination(complaint=complaint, drafted_at=now)
        created = draft.pk is None
        draft.outcome = outcome
        draft.findings = findings
        draft.reasons = reasons
        draft.remedies = clean_remedies
        draft.public_summary = summary
        draft.comments_considered = considered
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


def determination_sign(
    *, determination_id: int, actor: Actor, now: datetime, skip_provisional_reason: str = ""
) -> Determination:
    """A senior officer who did not draft it signs the determination: it is issued (the case moves
    to `determination`), the citizen and the agency are told, and correction orders go to the
    respondent and every agency the record travelled to; the case moves to `compliance` (or
    closes when nothing is ordered).

    A draft is signed after its provisional decision's comment period (both parties commented,
    or the period ran out), saying how the comments were considered; or without that step, with
    `skip_provisional_reason` recorded on the case (for example: the agency is in default)."""
    with transaction.atomic():
        complaint = step_begin(
            complaint_id=complaint_id_of(Determination, determination_id),
            action=Action.SIGN_DETERMINATION,
            actor=actor,
        )
        det = lock_rows(Determination.objects.filter(pk=determination_id))[0]
        if det.status == DeterminationStatus.ISSUED:
            raise Conflict(_("This determination has already been issued."), field="status")
        signer = acting_user(actor)
        if det.drafted_by_id == signer.pk:
            raise NotAllowed(_("The officer who drafted a determination cannot sign it; another senior officer must."))
        _require_publishable(det.public_summary, complaint)
        skipped = _require_provisional_step_done(det, now=now, skip_reason=skip_provisional_reason)
        det.status = DeterminationStatus.ISSUED
        det.signed_by = signer
        det.issued_at = now
        det.number = f"D-{now.year}-{det.pk:06d}"
        det.updated_at = now
        det.provisional_skip_reason = skipped
        det.save(update_fields=["status", "signed_by", "issued_at", "number", "updated_at", "provisional_skip_reason"])
        step_record(
            complaint=complaint,
            action=Action.SIGN_DETERMINATION,
            actor=actor,
            now=now,
            kind=CaseEventKind.PROVISIONAL_SKIPPED if skipped else None,
            message=skipped,
            data={"determination_id": det.pk},
            params={"after_provisional": not skipped},
        )
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


def _require_provisional_step_done(det: Determination, *, now: datetime, skip_reason: str) -> str:
    """The reason the provisional step was skipped ("" when it was taken), or a refusal saying
    what is still owed: the step itself, the end of the comment period, or how the comments
    were considered."""
    if det.status == DeterminationStatus.DRAFT:
        reason = text(skip_reason, field="skip_provisional_reason", required=False, limit=2000)
        if not reason:
            raise Conflict(
                _(
                    "Share the provisional decision with the parties for comment first, or give the reason for "
                    "deciding without one."
                ),
                field="skip_provisional_reason",
            )
        return reason
    window = comment_window(det)
    if window.open_until is not None and now < window.open_until:
        raise Conflict(
            _("The parties may comment until %(date)s; sign after that, or once both have commented.")
            % {"date": window.open_until.strftime("%Y-%m-%d %H:%M UTC")},
            field="status",
        )
    if window.comments and not det.comments_considered:
        raise ServiceError(
            _("Say in the draft how the parties' comments were considered before signing."),
            field="comments_considered",
        )
    return ""


def determination_share_provisional(*, determination_id: int, actor: Actor, now: datetime) -> Determination:
    """A senior officer who did not draft it signs the draft as a provisional decision and shares
    it with the citizen and the agency: each gets a comment period (clock rule
    `omb-provisional-comment`, with reminders) and is told, in their language, with the link."""
    with transaction.atomic():
        complaint = step_begin(
            complaint_id=complaint_id_of(Determination, determination_id),
            action=Action.SHARE_PROVISIONAL,
            actor=actor,
        )
        det = lock_rows(Determination.objects.filter(pk=determination_id))[0]
        if det.status != DeterminationStatus.DRAFT:
            raise Conflict(_("This decision has already been shared for comment or issued."), field="status")
        signer = acting_user(actor)
        if det.drafted_by_id == signer.pk:
            raise NotAllowed(
                _("The officer who drafted the decision cannot share it; another senior officer must sign it.")
            )
        det.status = DeterminationStatus.PROVISIONAL
        det.provisional_signed_by = signer
        det.provisional_shared_at = now
        det.provisional_text = {
            "outcome": det.outcome,
            "findings": det.findings,
            "reasons": det.reasons,
            "remedies": det.remedies,
        }
        det.updated_at = now
        det.save(
            update_fields=["status", "provisional_signed_by", "provisional_shared_at", "provisional_text", "updated_at"]
        )
        key = provisional_subject_key(det)
        step_record(
            complaint=complaint,
            action=Action.SHARE_PROVISIONAL,
            actor=actor,
            now=now,
            kind=CaseEventKind.DETERMINATION_PROVISIONAL,
            message="A provisional decision was shared with the citizen and the agency for their comments.",
            data={"determination_id": det.pk, "outcome": det.outcome},
            params={"subject_key": key},
        )
        window = comment_window(det)
        outbox_webhook(
            agency_id=complaint.respondent_id,
            event_type="determination.provisional",
            data=provisional_payload(det, window),
            dedupe_key=f"determination:{det.pk}:provisional",
            now=now,
            complaint_id=complaint.pk,
        )
        _tell_parties_of_provisional(complaint, det, window, now=now)
    return det


def _tell_parties_of_provisional(
    complaint: Complaint, det: Determination, window: CommentWindow, *, now: datetime
) -> None:
    def render_for(party: str) -> Any:
        def render(link: str) -> tuple[str, str]:
            due = window.due.get(party)
            subject = _("Provisional decision on case %(ref)s: your comments are invited") % {
                "ref": complaint.reference
            }
            body = _(
                "The ombudsman has reached a provisional decision on case %(ref)s (%(outcome)s). Read it and send "
                "your comments by %(due)s: %(link)s. The final decision is made after that and may change."
            ) % {
                "ref": complaint.reference,
                "outcome": det.get_outcome_display(),
                "due": due.strftime("%Y-%m-%d") if due else "",
                "link": link,
            }
            return subject, body

        return render

    key = f"determination:{det.pk}:provisional:mail"
    notify_citizen(complaint, topic="email.determination.provisional", render=render_for("citizen"), now=now, key=key)
    notify_agency_users(
        complaint, topic="email.determination.provisional", render=render_for("agency"), now=now, key=key
    )


def provisional_comment_add(*, determination_id: int, actor: Actor, comment: str, now: datetime) -> ProvisionalComment:
    """The citizen or the agency comments on a provisional decision, inside their comment period.
    The comment joins the case's timeline; the first one meets the party's comment clock; the
    assigned officer (or, when nobody is assigned, the senior officers) is told."""
    body = text(comment, field="comment")
    with transaction.atomic():
        complaint = step_begin(
            complaint_id=complaint_id_of(Determination, determination_id),
            action=Action.COMMENT_PROVISIONAL,
            actor=actor,
        )
        det = lock_rows(Determination.objects.filter(pk=determination_id))[0]
        if det.status != DeterminationStatus.PROVISIONAL:
            raise Conflict(_("There is no provisional decision to comment on."), field="status")
        party = CommentParty.CITIZEN if actor.kind == ActorKind.CITIZEN else CommentParty.AGENCY
        window = comment_window(det)
        if not window.is_open_for(party, now):
            due = window.due.get(party)
            raise Conflict(
                _("The comment period ended on %(date)s.") % {"date": due.strftime("%Y-%m-%d")}
                if due
                else _("There is no comment period for you on this decision."),
                field="comment",
            )
        row = ProvisionalComment.objects.create(
            determination=det, party=party, author_label=actor.display[:200], text=body, created_at=now
        )
        step_record(
            complaint=complaint,
            action=Action.COMMENT_PROVISIONAL,
            actor=actor,
            now=now,
            kind=CaseEventKind.PROVISIONAL_COMMENT,
            message=body,
            data={"determination_id": det.pk, "comment_id": row.pk, "party": party},
            params={"party": party, "subject_key": provisional_subject_key(det)},
        )

        def render(link: str) -> tuple[str, str]:
            who = CommentParty(party).label
            return (
                _("Comment on the provisional decision: %(ref)s") % {"ref": complaint.reference},
                _("%(who)s commented on the provisional decision on case %(ref)s: %(link)s")
                % {"who": who, "ref": complaint.reference, "link": link},
            )

        notify_officer(
            complaint,
            topic="email.determination.provisional_comment",
            render=render,
            now=now,
            key=f"provisional-comment:{row.pk}",
            or_seniors=True,
        )
    return row


def provisional_comment_on_case(*, complaint_id: int, actor: Actor, comment: str, now: datetime) -> ProvisionalComment:
    """`provisional_comment_add` on the case's provisional decision (pages and the API name the case)."""
    det = Determination.objects.filter(complaint_id=complaint_id, status=DeterminationStatus.PROVISIONAL).first()
    if det is None:
        raise Conflict(_("There is no provisional decision to comment on."), field="status")
    return provisional_comment_add(determination_id=det.pk, actor=actor, comment=comment, now=now)


def provisional_payload(det: Determination, window: CommentWindow) -> dict[str, Any]:
    """The `determination.provisional` webhook's data: what was shared and until when the agency may comment."""
    shared = det.provisional_text
    due = window.due.get(CommentParty.AGENCY)
    return {
        "determination_id": det.pk,
        "reference": det.complaint.reference,
        "outcome": shared.get("outcome"),
        "findings": shared.get("findings"),
        "reasons": shared.get("reasons"),
        "remedies": shared.get("remedies", []),
        "shared_at": _utc(det.provisional_shared_at),
        "comments_due_at": _utc(due),
    }


def _utc(value: datetime | None) -> str | None:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if value else None


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
