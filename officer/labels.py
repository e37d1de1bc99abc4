"""Plain-language names for the officer pages' actions and queues, in both languages."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

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
