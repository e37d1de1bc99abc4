"""Every kind of timeline event, with its plain-language name in both languages (house rule 8:
an event keeps a kind and parameters; pages render the name in the reader's language).

A status transition records the lifecycle action itself as its kind (`refer`, `close`, ...): the
values of `complaints.transitions.Action` that change the status are members here too (a test
checks the two lists agree)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class CaseEventKind(models.TextChoices):
    # filing and the lifecycle's status transitions (complaints)
    SUBMITTED = "submitted", _("Complaint filed")
    START_SCREENING = "start_screening", _("The ombudsman started checking the complaint")
    SCREENING_FINDINGS = "screening_findings", _("Screening findings")
    REFER = "refer", _("Referred to the agency")
    RULE_OUT_OF_SCOPE = "rule_out_of_scope", _("Ruled outside our remit")
    RECORD_AGENCY_RESPONSE = "record_agency_response", _("The agency answered")
    RESOLVE = "resolve", _("Resolved")
    OPEN_INVESTIGATION = "open_investigation", _("Investigation opened")
    ISSUE_DETERMINATION = "issue_determination", _("Decision issued")
    START_COMPLIANCE = "start_compliance", _("Decision being carried out")
    CLOSE = "close", _("Case closed")
    WITHDRAW = "withdraw", _("Complaint withdrawn")
    REOPEN = "reopen", _("Case reopened")
    SET_ASIDE_ON_REVIEW = "set_aside_on_review", _("Decision set aside on review: investigation resumed")
    # steps that do not change the status (complaints)
    AGENCY_ACKNOWLEDGED = "agency_acknowledged", _("The agency acknowledged the referral")
    RECORD_MARKED_DISPUTED = "record_marked_disputed", _("The agency marked the record as disputed")
    MESSAGE = "message", _("Message")
    NOTE = "note", _("Internal note")
    ATTACHMENT_ADDED = "attachment_added", _("Evidence added")
    ASSIGNED = "assigned", _("Case assigned")
    # identity (complaints.services.identity)
    CLAIM_CODE_ISSUED = "claim_code_issued", _("A claim code was given to the person")
    RECORD_CLAIMED = "record_claimed", _("The person's own account took over the case")
    # legal clocks (clocks)
    CLOCK_STARTED = "clock_started", _("A deadline started")
    CLOCK_MET = "clock_met", _("A deadline was met")
    CLOCK_PAUSED = "clock_paused", _("A deadline was paused")
    CLOCK_RESUMED = "clock_resumed", _("A deadline resumed")
    CLOCK_EXTENDED = "clock_extended", _("A deadline was extended")
    CLOCK_CANCELLED = "clock_cancelled", _("A deadline was cancelled")
    CLOCK_REMINDER = "clock_reminder", _("Deadline reminder sent")
    CLOCK_ESCALATED = "clock_escalated", _("Missed deadline escalated")
    CLOCK_ESCALATION_BLOCKED = "clock_escalation_blocked", _("An escalation could not move the case")
    # investigation, decision and orders (tribunal)
    INFORMATION_REQUESTED = "information_requested", _("Information requested")
    INFORMATION_ANSWERED = "information_answered", _("Information provided")
    INFORMATION_REQUEST_CANCELLED = "information_request_cancelled", _("Information request cancelled")
    DETERMINATION_DRAFTED = "determination_drafted", _("Decision drafted")
    DETERMINATION_DRAFT_UPDATED = "determination_draft_updated", _("Draft decision updated")
    DETERMINATION_PROVISIONAL = "determination_provisional", _("Provisional decision shared for comment")
    PROVISIONAL_COMMENT = "provisional_comment", _("Comment on the provisional decision")
    PROVISIONAL_SKIPPED = "provisional_skipped", _("Decided without a provisional decision")
    REVIEW_REQUESTED = "review_requested", _("A review of the decision was asked for")
    REVIEW_DECIDED = "review_decided", _("The review of the decision was decided")
    CORRECTION_ORDERED = "correction_ordered", _("Correction ordered")
    CORRECTION_CONFIRMED = "correction_confirmed", _("Correction carried out")
    CORRECTION_WAIVED = "correction_waived", _("Correction order waived")
    CORRECTION_SUPERSEDED = "correction_superseded", _("Correction order replaced by the decision")
    REINSERTION_DETECTED = "reinsertion_detected", _("The deleted record came back")
    # retention and the person's rights (privacy)
    EVIDENCE_FILES_DELETED = "evidence_files_deleted", _("Evidence files deleted (retention schedule)")
    PERSONAL_DATA_ERASED = "personal_data_erased", _("Personal data erased")


def event_label(kind: str) -> str:
    """The reader's-language name of an event kind (unknown kinds, from old rows, are spelled out)."""
    try:
        return str(CaseEventKind(kind).label)
    except ValueError:
        return kind.replace("_", " ").replace(".", " ").capitalize()
