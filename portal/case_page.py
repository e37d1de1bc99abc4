"""What the citizen's case page leads with: where the case is, what happens next, who owes what by
when and what the citizen must do (the status panel); the ombudsman's decision with its remedies
and the state of each order (the decision panel); and what they filed. Also which of a user's cases
need them to act ("My cases" lists those first)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from clocks.models import ACTIVE_STATUSES, Clock, ClockStatus, Obligation, OwedBy
from complaints.models import CaseEvent, Category, Complaint, UrgencyReason
from complaints.remedies import Remedy
from complaints.transitions import Status
from kernel.actors import ActorKind
from kernel.events import CaseEventKind
from kernel.visibility import VISIBLE_TO_CITIZEN
from privacy.models import ERASED
from tribunal.models import CorrectionOrder, Determination, DeterminationStatus
from tribunal.remedies import remedy_words

WHERE = {
    Status.SUBMITTED: gettext_lazy("We have received your complaint."),
    Status.SCREENING: gettext_lazy("An officer is checking your complaint."),
    Status.REFERRED: gettext_lazy("The agency has your complaint and must answer it."),
    Status.AGENCY_RESPONDED: gettext_lazy("The agency has answered your complaint."),
    Status.RESOLVED: gettext_lazy("You accepted the agency's answer: the case is resolved."),
    Status.INVESTIGATION: gettext_lazy("The ombudsman is investigating your complaint."),
    Status.DETERMINATION: gettext_lazy("The ombudsman has decided your complaint."),
    Status.COMPLIANCE: gettext_lazy("The ombudsman has decided; the agencies are carrying out the orders."),
    Status.CLOSED: gettext_lazy("Your case is closed."),
    Status.OUT_OF_SCOPE: gettext_lazy("This complaint is outside what the ombudsman can handle."),
    Status.WITHDRAWN: gettext_lazy("You withdrew this complaint."),
}
NEXT = {
    Status.SUBMITTED: gettext_lazy(
        "An officer will check that we can handle it, then send it to the agency that holds the record."
    ),
    Status.SCREENING: gettext_lazy(
        "If we can handle it, we send it to the agency, which then has legal deadlines to answer."
    ),
    Status.REFERRED: gettext_lazy("When the agency answers, its answer appears here and we ask whether you accept it."),
    Status.AGENCY_RESPONDED: gettext_lazy(
        "If you accept the answer, the case is resolved. If you do not, the ombudsman investigates."
    ),
    Status.RESOLVED: gettext_lazy("Nothing more happens unless the record changes back."),
    Status.INVESTIGATION: gettext_lazy(
        "The ombudsman may ask the agency or others for information, then decides and sends you a written decision."
    ),
    Status.DETERMINATION: gettext_lazy("The agencies ordered to act will be told and must confirm what they did."),
    Status.COMPLIANCE: gettext_lazy(
        "Each agency must confirm it carried out its order by the date shown. The case closes when all have."
    ),
    Status.CLOSED: gettext_lazy("Nothing more happens. If the record comes back, we reopen the case."),
    Status.OUT_OF_SCOPE: gettext_lazy("The reasons are in the history below."),
    Status.WITHDRAWN: gettext_lazy("Nothing more happens."),
}


@dataclass
class Duty:
    who: str
    what: str
    due_at: datetime
    overdue: bool


@dataclass
class StatusPanel:
    where: str
    next: str
    action: str = ""
    action_due: datetime | None = None
    duties: list[Duty] = field(default_factory=list)

    @property
    def action_needed(self) -> bool:
        return bool(self.action)


def _owed_by(clock: Clock) -> str:
    if clock.owed_by == OwedBy.CITIZEN:
        return _("You")
    if clock.owed_by == OwedBy.AGENCY and clock.agency is not None:
        return clock.agency.display_name
    return str(clock.get_owed_by_display())


def _unanswered_officer_message(complaint: Complaint) -> CaseEvent | None:
    """The ombudsman's latest message to the citizen when nothing came from the citizen after it."""
    events = CaseEvent.objects.filter(
        complaint=complaint,
        visibility__in=VISIBLE_TO_CITIZEN,
        kind__in=[CaseEventKind.MESSAGE, CaseEventKind.ATTACHMENT_ADDED],
    ).order_by("-created_at", "-id")
    latest = events.first()
    if latest is None or latest.actor_kind not in (ActorKind.OFFICER, ActorKind.SENIOR_OFFICER):
        return None
    return latest


def status_panel(complaint: Complaint, *, clocks: list[Clock], now: datetime) -> StatusPanel:
    status = complaint.status_enum
    panel = StatusPanel(where=str(WHERE[status]), next=str(NEXT[status]))
    running = sorted((c for c in clocks if c.status in ACTIVE_STATUSES), key=lambda c: c.due_at)
    for clock in running:
        panel.duties.append(
            Duty(
                who=_owed_by(clock),
                what=str(clock.get_obligation_display()),
                due_at=clock.due_at,
                overdue=clock.due_at < now or clock.status == ClockStatus.MISSED,
            )
        )
    reply = next((c for c in running if c.owed_by == OwedBy.CITIZEN), None)
    if status == Status.AGENCY_RESPONDED:
        panel.action = _("Tell us whether you accept the agency's answer, below.")
        panel.action_due = reply.due_at if reply else None
    elif reply is not None and reply.obligation == Obligation.PROVISIONAL_COMMENT:
        panel.action = _("Read the ombudsman's provisional decision below and send your comments.")
        panel.action_due = reply.due_at
    elif reply is not None and reply.obligation == Obligation.CITIZEN_REPLY:
        panel.action = _("Reply to the ombudsman.")
        panel.action_due = reply.due_at
    elif complaint.closed_at is None and _unanswered_officer_message(complaint) is not None:
        panel.action = _("Read the ombudsman's message below and reply if it asks you something.")
    return panel


def complaints_needing_action(complaints: list[Complaint]) -> set[int]:
    """Which of these cases wait for the citizen: an answer to accept or contest, or a clock they owe."""
    ids = {c.pk for c in complaints if c.status == Status.AGENCY_RESPONDED}
    open_ids = [c.pk for c in complaints if c.closed_at is None]
    ids |= set(
        Clock.objects.filter(complaint_id__in=open_ids, owed_by=OwedBy.CITIZEN, status__in=ACTIVE_STATUSES).values_list(
            "complaint_id", flat=True
        )
    )
    latest: dict[int, str] = {}
    for cid, actor_kind in (
        CaseEvent.objects.filter(
            complaint_id__in=open_ids,
            visibility__in=VISIBLE_TO_CITIZEN,
            kind__in=[CaseEventKind.MESSAGE, CaseEventKind.ATTACHMENT_ADDED],
        )
        .order_by("complaint_id", "-created_at", "-id")
        .values_list("complaint_id", "actor_kind")
    ):
        latest.setdefault(cid, actor_kind)
    ids |= {cid for cid, kind in latest.items() if kind in (ActorKind.OFFICER, ActorKind.SENIOR_OFFICER)}
    return ids


# --- the decision -----------------------------------------------------------------------------


@dataclass
class DecisionPanel:
    determination: Determination
    remedies: list[str]
    orders: list[dict[str, Any]]


def decision_panel(complaint: Complaint) -> DecisionPanel | None:
    det = (
        Determination.objects.filter(complaint=complaint, status=DeterminationStatus.ISSUED)
        .order_by("-issued_at", "-id")
        .first()
    )
    if det is None:
        return None
    orders = CorrectionOrder.objects.filter(determination=det).select_related("agency").order_by("depth", "id")
    return DecisionPanel(
        determination=det,
        remedies=[remedy_words(r) for r in det.remedies],
        orders=[
            {
                "agency": o.agency.display_name,
                "actions": [remedy_words(a) for a in o.actions],
                "status": o.status,
                "status_label": o.get_status_display(),
                "done": o.is_done,
                "due_at": o.due_at,
                "confirmed_at": o.confirmed_at,
            }
            for o in orders
        ],
    )


# --- what they filed --------------------------------------------------------------------------


def _shown(text: str) -> str:
    """Stored text, or the reader's-language word for what the retention schedule erased."""
    return _(ERASED) if text == ERASED else text


def filed_summary(complaint: Complaint) -> dict[str, Any]:
    entry, score = complaint.blacklist_entry, complaint.score_record
    if entry is not None:
        record = f"{entry.list_name} · {entry.agency_record_id} · {entry.agency.display_name}"
    elif score is not None:
        record = _("Score %(score)s at %(agency)s, as of %(date)s") % {
            "score": score.score,
            "agency": score.agency.display_name,
            "date": score.as_of.isoformat(),
        }
    else:
        record = _shown(complaint.other_record_description)
    return {
        "record": record,
        "category": Category(complaint.category).label if complaint.category in Category.values else "",
        "statement": _shown(complaint.statement),
        "remedies": [str(Remedy(r).label) for r in complaint.remedies_sought if r in Remedy.values],
        "remedy_detail": complaint.remedy_detail,
        "urgent": complaint.urgent,
        "urgency": UrgencyReason(complaint.urgency_reason).label
        if complaint.urgency_reason in UrgencyReason.values
        else "",
        "urgency_detail": complaint.urgency_detail,
        "submitted_at": complaint.submitted_at,
        "channel": complaint.get_channel_display(),
    }
