"""Plain-language names for timeline events, in both languages."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

EVENT_LABELS = {
    "submitted": _("Complaint filed"),
    "start_screening": _("The ombudsman started checking the complaint"),
    "screening_findings": _("Screening findings"),
    "refer": _("Referred to the agency"),
    "rule_out_of_scope": _("Ruled outside our remit"),
    "record_agency_response": _("The agency answered"),
    "resolve": _("Resolved"),
    "open_investigation": _("Investigation opened"),
    "issue_determination": _("Decision issued"),
    "start_compliance": _("Decision being carried out"),
    "close": _("Case closed"),
    "withdraw": _("Complaint withdrawn"),
    "reopen": _("Case reopened"),
    "message": _("Message"),
    "note": _("Internal note"),
    "attachment_added": _("Evidence added"),
    "assigned": _("Case assigned"),
    "clock_started": _("A deadline started"),
    "clock_met": _("A deadline was met"),
    "clock_paused": _("A deadline was paused"),
    "clock_resumed": _("A deadline resumed"),
    "clock_extended": _("A deadline was extended"),
    "clock_cancelled": _("A deadline was cancelled"),
    "clock_reminder": _("Deadline reminder sent"),
    "clock_escalated": _("Missed deadline escalated"),
    "information_requested": _("Information requested"),
    "information_answered": _("Information provided"),
    "information_request_cancelled": _("Information request cancelled"),
    "determination_drafted": _("Decision drafted"),
    "determination_draft_updated": _("Draft decision updated"),
    "correction_ordered": _("Correction ordered"),
    "correction_confirmed": _("Correction carried out"),
    "correction_waived": _("Correction order waived"),
    "reinsertion_detected": _("The deleted record came back"),
}

ACTOR_LABELS = {
    "citizen": _("Citizen"),
    "officer": _("Case officer"),
    "senior_officer": _("Senior officer"),
    "agency": _("Agency"),
    "system": _("Ombudsman system"),
}


def event_label(kind: str) -> str:
    label = EVENT_LABELS.get(kind)
    return str(label) if label is not None else kind.replace("_", " ").replace(".", " ").capitalize()


ACTION_LABELS = {
    "start_screening": _("Start screening"),
    "refer": _("Refer to the agency"),
    "rule_out_of_scope": _("Rule out of scope"),
    "record_agency_response": _("Record the agency's answer"),
    "resolve": _("Resolve (correction accepted)"),
    "open_investigation": _("Open an investigation"),
    "issue_determination": _("Issue the decision"),
    "start_compliance": _("Start compliance"),
    "close": _("Close the case"),
    "withdraw": _("Withdraw the complaint"),
    "reopen": _("Reopen the case"),
}


def action_label(action: str) -> str:
    label = ACTION_LABELS.get(action)
    return str(label) if label is not None else action.replace("_", " ").capitalize()


QUEUE_LABELS = {
    "new": _("New"),
    "screening": _("Being screened"),
    "due_today": _("Due today"),
    "overdue": _("Overdue"),
    "escalated": _("Escalated"),
    "awaiting_agency": _("Awaiting agency"),
    "agency_responded": _("Agency answered"),
    "investigation": _("In investigation"),
    "open": _("All open"),
    "all": _("All cases"),
}
