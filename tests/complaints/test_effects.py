"""What each step of a case sets off, spelled out by hand.

This is the answer to "what happens to clocks, webhooks and orders when a case is referred?":
every transition effect and guard registered with `complaints.lifecycle`, per action, in the
order they run. A new effect (or a lost one: an app whose `effects.py` is no longer imported)
fails this test until the table below says so; update it together with docs/architecture.md."""

from __future__ import annotations

import pytest

from complaints.lifecycle import effects_of, guards_of
from complaints.transitions import Action

STATUS_MAIL = "complaints.effects.email_citizen_on_status_change"
CANCEL_CLOCKS = "clocks.effects.cancel_every_clock"
ACTIVITY_MAIL = "complaints.effects.tell_the_other_sides_of_new_activity"

EXPECTED_EFFECTS: dict[Action, list[str]] = {
    Action.START_SCREENING: [STATUS_MAIL],
    Action.REFER: [
        "clocks.effects.start_agency_clocks",
        STATUS_MAIL,
        "complaints.effects.tell_agency_of_referral",
    ],
    Action.RULE_OUT_OF_SCOPE: [CANCEL_CLOCKS, STATUS_MAIL],
    Action.RECORD_AGENCY_RESPONSE: [
        "clocks.effects.answer_meets_agency_clocks",
        "tribunal.effects.register_and_propagate_answer",
        STATUS_MAIL,
    ],
    Action.RESOLVE: ["clocks.effects.citizen_reply_met", STATUS_MAIL],
    Action.OPEN_INVESTIGATION: [
        "clocks.effects.citizen_reply_met",
        "clocks.effects.stop_agency_clocks",
        STATUS_MAIL,
    ],
    Action.ISSUE_DETERMINATION: [STATUS_MAIL],
    Action.START_COMPLIANCE: [STATUS_MAIL],
    Action.CLOSE: [CANCEL_CLOCKS, STATUS_MAIL],
    Action.WITHDRAW: [CANCEL_CLOCKS, STATUS_MAIL],
    Action.REOPEN: [STATUS_MAIL],
    Action.SET_ASIDE_ON_REVIEW: [STATUS_MAIL],
    Action.REQUEST_REVIEW: ["clocks.effects.start_review_clock"],
    Action.DECIDE_REVIEW: ["clocks.effects.meet_review_clock"],
    Action.SHARE_PROVISIONAL: ["clocks.effects.start_comment_periods"],
    Action.COMMENT_PROVISIONAL: ["clocks.effects.comment_meets_party_period"],
    Action.SIGN_DETERMINATION: ["clocks.effects.end_comment_periods"],
    Action.ACKNOWLEDGE: ["clocks.effects.meet_acknowledgement"],
    Action.MARK_DISPUTED: ["clocks.effects.meet_disputed_marking"],
    Action.POST_MESSAGE: [ACTIVITY_MAIL],
    Action.ADD_EVIDENCE: [ACTIVITY_MAIL],
}

EXPECTED_GUARDS: dict[Action, list[str]] = {
    Action.ISSUE_DETERMINATION: ["tribunal.effects.determination_must_be_signed"],
    Action.CLOSE: ["tribunal.effects.no_pending_orders"],
}


def _names(hooks: list) -> list[str]:
    return [f"{hook.__module__}.{hook.__name__}" for hook in hooks]


@pytest.mark.parametrize("action", list(Action), ids=lambda a: a.value)
def test_effects_per_action_as_written(action: Action) -> None:
    assert _names(effects_of(action)) == EXPECTED_EFFECTS.get(action, [])


@pytest.mark.parametrize("action", list(Action), ids=lambda a: a.value)
def test_guards_per_action_as_written(action: Action) -> None:
    assert _names(guards_of(action)) == EXPECTED_GUARDS.get(action, [])


def test_clock_effects_come_before_notifications() -> None:
    """State first (clocks), then derived work (orders, registers), then mail and webhooks: a
    message never announces a deadline that was not written."""
    for action, names in EXPECTED_EFFECTS.items():
        apps = [name.split(".")[0] for name in names]
        if "clocks" in apps and STATUS_MAIL in names:
            assert apps.index("clocks") < names.index(STATUS_MAIL), action
