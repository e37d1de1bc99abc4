"""The complaint lifecycle as plain data (no ORM, no Django models): DESIGN.md "The case, step by step".

    submitted -> screening -> referred -> agency_responded -> resolved | investigation
    investigation -> determination -> compliance -> closed; plus out_of_scope and withdrawn.

Each action names the statuses it may start from, the status it leads to, and who may take it.
The services in `complaints.services` are the only code that applies these; they also hold the
guards that need data (ownership, signatures). Tested without a database in tests/complaints.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


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


class ActorKind(StrEnum):
    CITIZEN = "citizen"  # the citizen or their representative
    OFFICER = "officer"
    SENIOR_OFFICER = "senior_officer"
    AGENCY = "agency"  # an agency's API client
    SYSTEM = "system"  # the clock sweep and other automatic steps


class Action(StrEnum):
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


@dataclass(frozen=True)
class Transition:
    sources: frozenset[Status]
    target: Status
    actors: frozenset[ActorKind]


S = Status
OFFICERS = frozenset({ActorKind.OFFICER, ActorKind.SENIOR_OFFICER})
OFFICERS_AND_SYSTEM = OFFICERS | {ActorKind.SYSTEM}

TRANSITIONS: dict[Action, Transition] = {
    Action.START_SCREENING: Transition(frozenset({S.SUBMITTED}), S.SCREENING, OFFICERS_AND_SYSTEM),
    # A second referral follows `needs_information` or `misdirected` answers.
    Action.REFER: Transition(frozenset({S.SCREENING, S.AGENCY_RESPONDED}), S.REFERRED, OFFICERS),
    Action.RULE_OUT_OF_SCOPE: Transition(frozenset({S.SUBMITTED, S.SCREENING}), S.OUT_OF_SCOPE, OFFICERS),
    Action.RECORD_AGENCY_RESPONSE: Transition(
        frozenset({S.REFERRED}), S.AGENCY_RESPONDED, frozenset({ActorKind.AGENCY}) | OFFICERS
    ),
    # The citizen confirms a correction (or an officer records that they did).
    Action.RESOLVE: Transition(frozenset({S.AGENCY_RESPONDED}), S.RESOLVED, frozenset({ActorKind.CITIZEN}) | OFFICERS),
    # From a contested answer, a citizen's rejection, an unlawful listing found at screening, or an
    # agency in default after the last escalation level (the sweep: SYSTEM).
    Action.OPEN_INVESTIGATION: Transition(
        frozenset({S.SCREENING, S.REFERRED, S.AGENCY_RESPONDED}),
        S.INVESTIGATION,
        frozenset({ActorKind.CITIZEN}) | OFFICERS_AND_SYSTEM,
    ),
    Action.ISSUE_DETERMINATION: Transition(
        frozenset({S.INVESTIGATION}), S.DETERMINATION, frozenset({ActorKind.SENIOR_OFFICER})
    ),
    Action.START_COMPLIANCE: Transition(frozenset({S.DETERMINATION}), S.COMPLIANCE, OFFICERS_AND_SYSTEM),
    Action.CLOSE: Transition(frozenset({S.RESOLVED, S.DETERMINATION, S.COMPLIANCE}), S.CLOSED, OFFICERS_AND_SYSTEM),
    Action.WITHDRAW: Transition(
        frozenset({S.SUBMITTED, S.SCREENING, S.REFERRED, S.AGENCY_RESPONDED, S.INVESTIGATION}),
        S.WITHDRAWN,
        frozenset({ActorKind.CITIZEN}) | OFFICERS,
    ),
    # Re-insertion watch: a record ordered deleted comes back.
    Action.REOPEN: Transition(frozenset({S.RESOLVED, S.CLOSED}), S.INVESTIGATION, OFFICERS_AND_SYSTEM),
}

OPEN_STATUSES: frozenset[Status] = frozenset(Status) - {S.CLOSED, S.OUT_OF_SCOPE, S.WITHDRAWN}
TERMINAL_STATUSES: frozenset[Status] = frozenset({S.CLOSED, S.OUT_OF_SCOPE, S.WITHDRAWN})


class TransitionError(Exception):
    """A transition the table does not allow; the message says what is allowed instead."""

    def __init__(self, message: str, *, action: Action, status: Status) -> None:
        super().__init__(message)
        self.action = action
        self.status = status


def allowed_actions(status: Status, actor: ActorKind | None = None) -> list[Action]:
    return [action for action, t in TRANSITIONS.items() if status in t.sources and (actor is None or actor in t.actors)]


def target_of(status: Status, action: Action, actor: ActorKind) -> Status:
    """The status `action` leads to from `status`, or TransitionError saying why not."""
    t = TRANSITIONS[action]
    if status not in t.sources:
        allowed = ", ".join(a.value for a in allowed_actions(status)) or "none (the case is finished)"
        raise TransitionError(
            f"Cannot {action.value.replace('_', ' ')} a case that is {status.value.replace('_', ' ')}; "
            f"allowed from here: {allowed}.",
            action=action,
            status=status,
        )
    if actor not in t.actors:
        raise TransitionError(
            f"A {actor.value.replace('_', ' ')} cannot {action.value.replace('_', ' ')}; "
            f"only: {', '.join(sorted(a.value for a in t.actors))}.",
            action=action,
            status=status,
        )
    return t.target
