"""The transition table against a matrix written out by hand (no database).

EXPECTED is the specification, typed from DESIGN.md "The case, step by step", not derived from
`complaints.transitions`: widening who may take a step, or from which status, fails here."""

import pytest

from complaints.transitions import (
    STATUS_ACTIONS,
    STEP_ACTIONS,
    TERMINAL_STATUSES,
    TRANSITIONS,
    Action,
    ActorNotAllowed,
    Status,
    TransitionError,
    allowed_actions,
    check,
)
from kernel.actors import ActorKind
from kernel.errors import NotAllowed
from kernel.events import CaseEventKind

ALL = {"submitted", "screening", "referred", "agency_responded", "resolved", "investigation", "determination",
       "compliance", "closed", "out_of_scope", "withdrawn"}  # fmt: skip
OPEN = ALL - {"closed", "out_of_scope", "withdrawn"}

# action: (statuses it may start from, the status it leads to or None, actor kinds that may take it)
EXPECTED = {
    "start_screening": ({"submitted"}, "screening", {"officer", "senior_officer", "system"}),
    "refer": ({"screening", "agency_responded"}, "referred", {"officer", "senior_officer"}),
    "rule_out_of_scope": ({"submitted", "screening"}, "out_of_scope", {"officer", "senior_officer"}),
    "record_agency_response": ({"referred"}, "agency_responded", {"agency", "officer", "senior_officer"}),
    "resolve": ({"agency_responded"}, "resolved", {"citizen", "officer", "senior_officer"}),
    "open_investigation": (
        {"screening", "referred", "agency_responded"},
        "investigation",
        {"citizen", "officer", "senior_officer", "system"},
    ),
    "issue_determination": ({"investigation"}, "determination", {"senior_officer"}),
    "start_compliance": ({"determination"}, "compliance", {"officer", "senior_officer", "system"}),
    "close": ({"resolved", "determination", "compliance"}, "closed", {"officer", "senior_officer", "system"}),
    "withdraw": (
        {"submitted", "screening", "referred", "agency_responded", "investigation"},
        "withdrawn",
        {"citizen", "officer", "senior_officer"},
    ),
    "reopen": ({"resolved", "closed"}, "investigation", {"officer", "senior_officer", "system"}),
    # steps that keep the status
    "acknowledge": ({"referred"}, None, {"agency"}),
    "mark_disputed": ({"referred"}, None, {"agency"}),
    "request_information": ({"investigation"}, None, {"officer", "senior_officer"}),
    "answer_information_request": (OPEN, None, {"agency"}),
    "cancel_information_request": (OPEN, None, {"officer", "senior_officer"}),
    "draft_determination": ({"investigation"}, None, {"officer", "senior_officer"}),
    "sign_determination": ({"investigation"}, None, {"senior_officer"}),
    "confirm_order": (OPEN, None, {"agency"}),
    "waive_order": (OPEN, None, {"senior_officer"}),
    "assign": (ALL, None, {"officer", "senior_officer"}),
    "post_message": (ALL, None, {"citizen", "agency", "officer", "senior_officer"}),
    "add_evidence": (ALL, None, {"citizen", "agency", "officer", "senior_officer"}),
}

TRIPLES = [(s, a, k) for a in EXPECTED for s in sorted(ALL) for k in sorted(x.value for x in ActorKind)]


def test_the_table_names_exactly_the_expected_actions():
    assert {a.value for a in Action} == set(EXPECTED)
    assert {s.value for s in Status} == ALL


@pytest.mark.parametrize(("status", "action", "actor"), TRIPLES)
def test_every_status_action_and_actor_is_allowed_or_refused_as_written(status, action, actor):
    sources, target, actors = EXPECTED[action]
    if actor not in actors:
        with pytest.raises(ActorNotAllowed) as exc:
            check(Status(status), Action(action), ActorKind(actor))
        assert "cannot" in str(exc.value) and "only:" in str(exc.value)
        assert isinstance(exc.value, NotAllowed) and exc.value.status_code == 403
    elif status not in sources:
        with pytest.raises(TransitionError) as exc:
            check(Status(status), Action(action), ActorKind(actor))
        assert not isinstance(exc.value, ActorNotAllowed) and exc.value.status_code == 409
        assert "Cannot" in str(exc.value) and "allowed from here" in str(exc.value)
    else:
        result = check(Status(status), Action(action), ActorKind(actor))
        assert result == (Status(target) if target else None)


def test_lifecycle_of_design_md_is_reachable():
    path = [
        ("submitted", "start_screening", "screening"),
        ("screening", "refer", "referred"),
        ("referred", "record_agency_response", "agency_responded"),
        ("agency_responded", "open_investigation", "investigation"),
        ("investigation", "issue_determination", "determination"),
        ("determination", "start_compliance", "compliance"),
        ("compliance", "close", "closed"),
    ]
    for source, action, target in path:
        assert check(Status(source), Action(action), ActorKind.SENIOR_OFFICER) == Status(target)


def test_status_actions_and_steps_partition_the_table():
    assert {a.value for a in STATUS_ACTIONS} == {a for a, (_s, t, _k) in EXPECTED.items() if t}
    assert {a.value for a in STEP_ACTIONS} == {a for a, (_s, t, _k) in EXPECTED.items() if t is None}


def test_refusals_name_what_this_actor_may_do_instead():
    with pytest.raises(TransitionError) as exc:
        check(Status.AGENCY_RESPONDED, Action.RECORD_AGENCY_RESPONSE, ActorKind.AGENCY)
    assert str(exc.value) == (
        "Cannot record an answer to a case that is agency responded; allowed from here for an agency: nothing."
    )
    with pytest.raises(TransitionError) as exc:
        check(Status.SUBMITTED, Action.REFER, ActorKind.OFFICER)
    assert str(exc.value) == (
        "Cannot refer a case that is submitted; allowed from here for an officer: start screening, "
        "rule out of scope, withdraw."
    )


def test_terminal_statuses_allow_only_reopening():
    for status in TERMINAL_STATUSES:
        assert set(allowed_actions(status)) <= {Action.REOPEN}
    assert allowed_actions(Status.OUT_OF_SCOPE) == []
    assert allowed_actions(Status.WITHDRAWN) == []
    assert set(allowed_actions(Status.CLOSED, ActorKind.CITIZEN, steps=True)) == {
        Action.POST_MESSAGE,
        Action.ADD_EVIDENCE,
    }


def test_agency_may_only_answer_and_citizen_never_determines():
    assert allowed_actions(Status.REFERRED, ActorKind.AGENCY) == [Action.RECORD_AGENCY_RESPONSE]
    assert allowed_actions(Status.REFERRED, ActorKind.AGENCY, steps=True) == [
        Action.RECORD_AGENCY_RESPONSE,
        Action.ACKNOWLEDGE,
        Action.MARK_DISPUTED,
        Action.ANSWER_INFORMATION_REQUEST,
        Action.CONFIRM_ORDER,
        Action.POST_MESSAGE,
        Action.ADD_EVIDENCE,
    ]
    for status in Status:
        assert Action.ISSUE_DETERMINATION not in allowed_actions(status, ActorKind.CITIZEN)
        assert Action.ISSUE_DETERMINATION not in allowed_actions(status, ActorKind.OFFICER)


def test_every_status_action_is_a_timeline_event_kind():
    assert {a.value for a in STATUS_ACTIONS} <= set(CaseEventKind.values)


def test_target_none_only_for_steps():
    assert all((t.target is None) == (a in STEP_ACTIONS) for a, t in TRANSITIONS.items())


def test_module_has_no_orm():
    from pathlib import Path

    import complaints.transitions as mod

    src = Path(mod.__file__).read_text()
    assert "django" not in src
