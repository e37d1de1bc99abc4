"""Every write to a complaint goes through these services (house rules 1-2), by topic:

    filing      complaint_submit
    referral    screening, referral, the agency's acknowledgement, disputed marking and answer
    outcome     resolve, investigate, determine, comply, close, withdraw, reopen
    casework    assignment, messages, evidence
    identity    claim codes: a person's own account takes over the record an officer made

Each one runs through `complaints.lifecycle` (lock, table, event, effects). The package exports
every service by name, so callers write `from complaints import services` and
`services.complaint_refer(...)`.
"""

from .casework import attachment_add, complaint_assign, complaint_assign_automatically, complaint_post_message
from .filing import MAX_STATEMENT, complaint_submit
from .identity import claim_code_issue, claim_code_redeem, identity_match_resolve
from .outcome import (
    complaint_close,
    complaint_issue_determination,
    complaint_open_investigation,
    complaint_reopen,
    complaint_resolve,
    complaint_set_aside_on_review,
    complaint_start_compliance,
    complaint_withdraw,
)
from .referral import (
    complaint_acknowledge,
    complaint_mark_disputed,
    complaint_record_agency_response,
    complaint_refer,
    complaint_rule_out_of_scope,
    complaint_start_screening,
)

__all__ = [
    "MAX_STATEMENT",
    "attachment_add",
    "claim_code_issue",
    "claim_code_redeem",
    "complaint_acknowledge",
    "complaint_assign",
    "complaint_assign_automatically",
    "complaint_close",
    "complaint_issue_determination",
    "complaint_mark_disputed",
    "complaint_open_investigation",
    "complaint_post_message",
    "complaint_record_agency_response",
    "complaint_refer",
    "complaint_reopen",
    "complaint_resolve",
    "complaint_rule_out_of_scope",
    "complaint_set_aside_on_review",
    "complaint_start_compliance",
    "complaint_start_screening",
    "complaint_submit",
    "complaint_withdraw",
    "identity_match_resolve",
]
