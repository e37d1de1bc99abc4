"""Every write of the tribunal goes through these services (house rules 1-2), by topic:

    information_requests   information_request_create / _answer / _cancel (and the webhook payload)
    determinations         determination_save_draft, determination_share_provisional (the
                           provisional decision and its comment periods), provisional_comment_add,
                           determination_sign (after the comments, or the step skipped with a
                           reason); public_summary_problems;
                           determination_summaries_rescreen (withholds summaries that now fail)
    correction_orders      orders from a determination or from an agency's own correction
                           (agency_response_recorded), propagated to every holder of the record;
                           superseding, correction_order_confirm, correction_order_waive, and
                           closing the case when every order is done
    reviews                review_request (a party, once, within 30 days), review_decide (a senior
                           who took no part: confirmed, varied, set aside)
    reinsertion            the re-insertion watch: deletion_watch_start, record_reported
    registers              the scoring-criteria register: validated_criteria,
                           criteria_disclosure_record

Pure helpers (no ORM) live beside the package: tribunal/redaction.py (is a public summary free
of personal data?), tribunal/remedies.py (what a determination may order, and does the evidence
show it done?), tribunal/propagation.py (who holds the record).

Every step on a case goes through `complaints.lifecycle`: `step_begin` locks the case first and
checks the transition table (status and actor kind) and who is a party; child rows are locked
after it, in primary-key order; `step_record` writes the timeline event. Case status changes go
through `complaints.services`, inside these services' transactions; legal clocks through
`clocks.services`; messages leave through the outbox.

Callers write `from tribunal import services` and `services.determination_sign(...)`.
"""

from .correction_orders import (
    agency_response_recorded,
    correction_order_confirm,
    correction_order_payload,
    correction_order_waive,
    correction_orders_for_determination,
)
from .determinations import (
    CommentWindow,
    RescreenReport,
    comment_window,
    determination_payload,
    determination_save_draft,
    determination_share_provisional,
    determination_sign,
    determination_summaries_rescreen,
    provisional_comment_add,
    provisional_comment_on_case,
    public_summary_problems,
)
from .information_requests import (
    DEFAULT_INFORMATION_DAYS,
    MAX_FILES,
    Upload,
    information_request_answer,
    information_request_cancel,
    information_request_create,
    information_request_payload,
)
from .registers import CRITERIA_KEYS, criteria_disclosure_record, validated_criteria
from .reinsertion import deletion_watch_start, record_reported
from .reviews import REVIEW_WINDOW, review_decide, review_request, took_part

__all__ = [
    "CRITERIA_KEYS",
    "DEFAULT_INFORMATION_DAYS",
    "MAX_FILES",
    "REVIEW_WINDOW",
    "CommentWindow",
    "RescreenReport",
    "Upload",
    "agency_response_recorded",
    "comment_window",
    "correction_order_confirm",
    "correction_order_payload",
    "correction_order_waive",
    "correction_orders_for_determination",
    "criteria_disclosure_record",
    "deletion_watch_start",
    "determination_payload",
    "determination_save_draft",
    "determination_share_provisional",
    "determination_sign",
    "determination_summaries_rescreen",
    "information_request_answer",
    "information_request_cancel",
    "information_request_create",
    "information_request_payload",
    "provisional_comment_add",
    "provisional_comment_on_case",
    "public_summary_problems",
    "record_reported",
    "review_decide",
    "review_request",
    "took_part",
    "validated_criteria",
]
