"""The lock order of clock writes on PostgreSQL: while a clock write is open it holds the case and
its clock rows, and never the rule row every clock of that rule shares (a lock there would queue
writers of unrelated cases behind each other)."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from django.db import DatabaseError, connection, transaction

from clocks import services
from clocks.models import Clock, ClockRule
from complaints.models import Complaint
from kernel.actors import Actor
from tests.factories import NOW, OfficerFactory, make_complaint

pytestmark = [pytest.mark.postgres, pytest.mark.usefixtures("django_db_serialized_rollback")]


def _pause(clock: Clock, actor: Actor) -> None:
    services.clock_pause(clock_id=clock.pk, reason="Waiting for the citizen", now=NOW, actor=actor)


def _cancel_all(clock: Clock, actor: Actor) -> None:
    services.clocks_cancel_for_complaint(
        complaint_id=clock.complaint_id, reason="Test", now=NOW, actor=actor, obligations=("respond",)
    )


def _stop_for_investigation(clock: Clock, actor: Actor) -> None:
    services.clocks_stop_for_investigation(complaint_id=clock.complaint_id, now=NOW, actor=actor)


def _locked_by_someone_else(fetch: Callable[[], object]) -> bool:
    try:
        with transaction.atomic():
            fetch()
    except DatabaseError:  # NOWAIT: "could not obtain lock on row"
        return True
    return False


@pytest.mark.parametrize("write", [_pause, _cancel_all, _stop_for_investigation])
def test_a_clock_write_holds_the_case_and_the_clock_but_not_the_rule(transactional_db, write):
    complaint = make_complaint(status="referred")
    respond = Clock.objects.get(complaint=complaint, obligation="respond")
    actor = Actor.for_user(OfficerFactory())
    holding, release = threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def write_and_hold() -> None:
        try:
            with transaction.atomic():
                write(respond, actor)
                holding.set()
                release.wait(timeout=20)
        except BaseException as exc:
            errors.append(exc)
            holding.set()
        finally:
            connection.close()

    writer = threading.Thread(target=write_and_hold)
    writer.start()
    try:
        assert holding.wait(timeout=20) and not errors, errors
        assert _locked_by_someone_else(
            lambda: Complaint.objects.select_for_update(nowait=True, of=("self",)).get(pk=complaint.pk)
        )
        assert _locked_by_someone_else(lambda: Clock.objects.select_for_update(nowait=True).get(pk=respond.pk))
        assert not _locked_by_someone_else(
            lambda: ClockRule.objects.select_for_update(nowait=True).get(pk=respond.rule_id)
        )
    finally:
        release.set()
        writer.join(timeout=30)
    assert not errors, errors
