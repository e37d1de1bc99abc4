"""The transition table, tested as plain data: no database."""

import pytest

from complaints.transitions import (
    TERMINAL_STATUSES,
    TRANSITIONS,
    Action,
    ActorKind,
    Status,
    TransitionError,
    allowed_actions,
    target_of,
)

ALLOWED = {(action, source): t.target for action, t in TRANSITIONS.items() for source in t.sources}


def test_lifecycle_of_design_md_is_reachable():
    path = [
        (Status.SUBMITTED, Action.START_SCREENING, Status.SCREENING),
        (Status.SCREENING, Action.REFER, Status.REFERRED),
        (Status.REFERRED, Action.RECORD_AGENCY_RESPONSE, Status.AGENCY_RESPONDED),
        (Status.AGENCY_RESPONDED, Action.OPEN_INVESTIGATION, Status.INVESTIGATION),
        (Status.INVESTIGATION, Action.ISSUE_DETERMINATION, Status.DETERMINATION),
        (Status.DETERMINATION, Action.START_COMPLIANCE, Status.COMPLIANCE),
        (Status.COMPLIANCE, Action.CLOSE, Status.CLOSED),
    ]
    for source, action, target in path:
        assert ALLOWED[(action, source)] == target


@pytest.mark.parametrize("action", list(Action))
@pytest.mark.parametrize("source", list(Status))
def test_every_pair_is_allowed_or_refused_with_a_clear_message(action, source):
    t = TRANSITIONS[action]
    actor = sorted(t.actors)[0]
    if (action, source) in ALLOWED:
        assert target_of(source, action, actor) == ALLOWED[(action, source)]
    else:
        with pytest.raises(TransitionError) as exc:
            target_of(source, action, actor)
        assert "Cannot" in str(exc.value) and "allowed from here" in str(exc.value)


@pytest.mark.parametrize("action", list(Action))
def test_actors_outside_the_table_are_refused(action):
    t = TRANSITIONS[action]
    source = sorted(t.sources)[0]
    for actor in set(ActorKind) - t.actors:
        with pytest.raises(TransitionError, match="cannot"):
            target_of(source, action, actor)


def test_terminal_statuses_allow_only_reopening():
    for status in TERMINAL_STATUSES:
        assert set(allowed_actions(status)) <= {Action.REOPEN}
    assert allowed_actions(Status.OUT_OF_SCOPE) == []
    assert allowed_actions(Status.WITHDRAWN) == []


def test_agency_may_only_answer_and_citizen_never_determines():
    assert allowed_actions(Status.REFERRED, ActorKind.AGENCY) == [Action.RECORD_AGENCY_RESPONSE]
    for status in Status:
        assert Action.ISSUE_DETERMINATION not in allowed_actions(status, ActorKind.CITIZEN)
        assert Action.ISSUE_DETERMINATION not in allowed_actions(status, ActorKind.OFFICER)


def test_module_has_no_orm():
    from pathlib import Path

    import complaints.transitions as mod

    src = Path(mod.__file__).read_text()
    assert "django" not in src
