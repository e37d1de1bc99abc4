"""The complaint lifecycle as plain data (no ORM, no Django): DESIGN.md "The case, step by step".

    submitted -> screening -> referred -> agency_responded -> resolved | investigation
    investigation -> determination -> compliance -> closed; plus out_of_scope and withdrawn.

This table is the only place that says which status and which kind of actor may take a step:
the status transitions (`target` is the new status) and the steps that leave the status as it
is (`target` is None: acknowledge, mark disputed, request information, sign, confirm an
order, ...). The services apply it through `complaints.lifecycle`; guards that need data
(whose case it is, who drafted a determination) live in the services, never in a view.
Tested against a matrix written out by hand in tests/complaints/test_transitions.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from kernel.actors import ActorKind
from kernel.errors import Conflict, NotAllowed


class Status(StrEnum):
    SUBMITTED = "submitted"
    SCREENING = "screening"
    REFERRED = "referred"
    AGENCY_RESPONDED = "agency_responded"
    RESOLVED = "resolved"
    INVESTIGATION = "investigation"
    DETERMINATION = "determination"
    COMPLIANCE = "compliance"
    CLOSED = "closed"
    OUT_OF_SCOPE = "out_of_scope"
    WITHDRAWN = "withdrawn"


class Action(StrEnum):
    # status transitions
    START_SCREENING = "start_screening"
    REFER = "refer"
    RULE_OUT_OF_SCOPE = "rule_out_of_scope"
    RECORD_AGENCY_RESPONSE = "record_agency_response"
    RESOLVE = "resolve"
    OPEN_INVESTIGATION = "open_investigation"
    ISSUE_DETERMINATION = "issue_determination"
    START_COMPLIANCE = "start_compliance"
    CLOSE = "close"
    WITHDRAW = "withdraw"
    REOPEN = "reopen"
    SET_ASIDE_ON_REVIEW = "set_aside_on_review"
    # steps that leave the status as it is
    ACKNOWLEDGE = "acknowledge"
    MARK_DISPUTED = "mark_disputed"
    REQUEST_INFORMATION = "request_information"
    ANSWER_INFORMATION_REQUEST = "answer_information_request"
    CANCEL_INFORMATION_REQUEST = "cancel_information_request"
    DRAFT_DETERMINATION = "draft_determination"
    SHARE_PROVISIONAL = "share_provisional"
    COMMENT_PROVISIONAL = "comment_provisional"
    SIGN_DETERMINATION = "sign_determination"
    REQUEST_REVIEW = "request_review"
    DECIDE_REVIEW = "decide_review"
    CONFIRM_ORDER = "confirm_order"
    WAIVE_ORDER = "waive_order"
    ASSIGN = "assign"
    POST_MESSAGE = "post_message"
    ADD_EVIDENCE = "add_evidence"


@dataclass(frozen=True)
class Transition:
    sources: frozenset[Status]
    target: Status | None  # None: a step that does not change the status
    actors: frozenset[ActorKind]
    verb: str  # "Cannot <verb> ..." in refusals


S = Status
A = ActorKind
CITIZEN = frozenset({A.CITIZEN})
AGENCY = frozenset({A.AGENCY})
SENIOR = frozenset({A.SENIOR_OFFICER})
OFFICERS = frozenset({A.OFFICER, A.SENIOR_OFFICER})
OFFICERS_AND_SYSTEM = OFFICERS | {A.SYSTEM}

OPEN_STATUSES: frozenset[Status] = frozenset(Status) - {S.CLOSED, S.OUT_OF_SCOPE, S.WITHDRAWN}
TERMINAL_STATUSES: frozenset[Status] = frozenset({S.CLOSED, S.OUT_OF_SCOPE, S.WITHDRAWN})
# Statuses after a determination was issued (a review may be asked for and decided).
DECIDED: frozenset[Status] = frozenset({S.DETERMINATION, S.COMPLIANCE, S.CLOSED})


def _t(sources: set[Status] | frozenset[Status], target: Status | None, actors: frozenset[A], verb: str) -> Transition:
    return Transition(frozenset(sources), target, actors, verb)


TRANSITIONS: dict[Action, Transition] = {
    Action.START_SCREENING: _t({S.SUBMITTED}, S.SCREENING, OFFICERS_AND_SYSTEM, "start screening"),
    # A second referral follows `needs_information` or `misdirected` answers.
    Action.REFER: _t({S.SCREENING, S.AGENCY_RESPONDED}, S.REFERRED, OFFICERS, "refer"),
    Action.RULE_OUT_OF_SCOPE: _t({S.SUBMITTED, S.SCREENING}, S.OUT_OF_SCOPE, OFFICERS, "rule out of scope"),
    Action.RECORD_AGENCY_RESPONSE: _t({S.REFERRED}, S.AGENCY_RESPONDED, AGENCY | OFFICERS, "record an answer to"),
    # The citizen confirms a correction (or an officer records that they did).
    Action.RESOLVE: _t({S.AGENCY_RESPONDED}, S.RESOLVED, CITIZEN | OFFICERS, "resolve"),
    # From a contested answer, a citizen's rejection, an unlawful listing found at screening, a
    # `verified` answer, or an agency in default after the last escalation level (SYSTEM).
    Action.OPEN_INVESTIGATION: _t(
        {S.SCREENING, S.REFERRED, S.AGENCY_RESPONDED}, S.INVESTIGATION, CITIZEN | OFFICERS_AND_SYSTEM, "investigate"
    ),
    Action.ISSUE_DETERMINATION: _t({S.INVESTIGATION}, S.DETERMINATION, SENIOR, "issue a determination on"),
    Action.START_COMPLIANCE: _t({S.DETERMINATION}, S.COMPLIANCE, OFFICERS_AND_SYSTEM, "start compliance on"),
    Action.CLOSE: _t({S.RESOLVED, S.DETERMINATION, S.COMPLIANCE}, S.CLOSED, OFFICERS_AND_SYSTEM, "close"),
    Action.WITHDRAW: _t(
        {S.SUBMITTED, S.SCREENING, S.REFERRED, S.AGENCY_RESPONDED, S.INVESTIGATION},
        S.WITHDRAWN,
        CITIZEN | OFFICERS,
        "withdraw",
    ),
    # Re-insertion watch: a record ordered deleted comes back.
    Action.REOPEN: _t({S.RESOLVED, S.CLOSED}, S.INVESTIGATION, OFFICERS_AND_SYSTEM, "reopen"),
    # A review sets the decision aside: the case goes back to investigation for a new decision.
    Action.SET_ASIDE_ON_REVIEW: _t(DECIDED, S.INVESTIGATION, SENIOR, "set aside the decision of"),
    # --- steps: the agency's duties on a referral
    Action.ACKNOWLEDGE: _t({S.REFERRED}, None, AGENCY, "acknowledge the referral of"),
    Action.MARK_DISPUTED: _t({S.REFERRED}, None, AGENCY, "mark the record disputed on"),
    # --- investigation
    Action.REQUEST_INFORMATION: _t({S.INVESTIGATION}, None, OFFICERS, "request information on"),
    # An open request may still be answered after the case has moved on (it is evidence).
    Action.ANSWER_INFORMATION_REQUEST: _t(OPEN_STATUSES, None, AGENCY, "answer an information request on"),
    Action.CANCEL_INFORMATION_REQUEST: _t(OPEN_STATUSES, None, OFFICERS, "cancel an information request on"),
    Action.DRAFT_DETERMINATION: _t({S.INVESTIGATION}, None, OFFICERS, "draft a determination on"),
    # A senior officer shares a signed draft for comment; the citizen and the agency comment.
    Action.SHARE_PROVISIONAL: _t({S.INVESTIGATION}, None, SENIOR, "share a provisional decision on"),
    Action.COMMENT_PROVISIONAL: _t({S.INVESTIGATION}, None, CITIZEN | AGENCY, "comment on the provisional decision of"),
    Action.SIGN_DETERMINATION: _t({S.INVESTIGATION}, None, SENIOR, "sign a determination on"),
    # Either party asks for a review of the final decision; a senior officer decides it.
    Action.REQUEST_REVIEW: _t(DECIDED, None, CITIZEN | AGENCY, "ask for a review of the decision on"),
    Action.DECIDE_REVIEW: _t(DECIDED, None, SENIOR, "decide a review of"),
    # --- correction orders (from a determination, or from an agency's own correction)
    Action.CONFIRM_ORDER: _t(OPEN_STATUSES, None, AGENCY, "confirm a correction order on"),
    Action.WAIVE_ORDER: _t(OPEN_STATUSES, None, SENIOR, "waive a correction order on"),
    # --- casework, in any status (a closed case keeps its file and its conversation)
    Action.ASSIGN: _t(frozenset(Status), None, OFFICERS, "assign"),
    Action.POST_MESSAGE: _t(frozenset(Status), None, CITIZEN | AGENCY | OFFICERS, "post a message on"),
    Action.ADD_EVIDENCE: _t(frozenset(Status), None, CITIZEN | AGENCY | OFFICERS, "add evidence to"),
}

STATUS_ACTIONS: tuple[Action, ...] = tuple(a for a, t in TRANSITIONS.items() if t.target is not None)
STEP_ACTIONS: tuple[Action, ...] = tuple(a for a, t in TRANSITIONS.items() if t.target is None)


class TransitionError(Conflict):
    """A step the table does not allow; the message says what is allowed instead (409)."""

    default_code = "transition_not_allowed"

    def __init__(self, message: str, *, action: Action, status: Status) -> None:
        super().__init__(message, field="status")
        self.action = action
        self.status = status


class ActorNotAllowed(TransitionError, NotAllowed):
    """This kind of actor never takes this step (403), whatever the status."""

    status_code = 403
    default_code = "not_allowed"


def allowed_actions(status: Status, actor: ActorKind | None = None, *, steps: bool = False) -> list[Action]:
    """The status transitions (and, with `steps`, the other steps) open from `status`."""
    return [
        action
        for action, t in TRANSITIONS.items()
        if status in t.sources and (actor is None or actor in t.actors) and (steps or t.target is not None)
    ]


def _words(value: str) -> str:
    return value.replace("_", " ")


def _a(value: str) -> str:
    words = _words(value)
    return f"{'an' if words[:1] in 'aeiou' else 'a'} {words}"


def check(status: Status, action: Action, actor: ActorKind) -> Status | None:
    """The status `action` leads to from `status` (None for a step that keeps it), or
    TransitionError saying why not and what this actor may do instead."""
    t = TRANSITIONS[action]
    if actor not in t.actors:
        who = ", ".join(sorted(_words(a) for a in t.actors))
        raise ActorNotAllowed(
            f"{_a(actor.value).capitalize()} cannot {t.verb} a case; only: {who}.",
            action=action,
            status=status,
        )
    if status not in t.sources:
        options = ", ".join(_words(a.value) for a in allowed_actions(status, actor)) or "nothing"
        raise TransitionError(
            f"Cannot {t.verb} a case that is {_words(status.value)}; allowed from here for "
            f"{_a(actor.value)}: {options}.",
            action=action,
            status=status,
        )
    return t.target


def target_of(status: Status, action: Action, actor: ActorKind) -> Status:
    """`check` for a status transition: the new status."""
    target = check(status, action, actor)
    if target is None:
        raise ValueError(f"{action.value} does not change the status")
    return target
