"""schemathesis against the OpenAPI schema (its Python API, in-process WSGI): every agency
operation, generated requests with a valid token against a real referral of the caller's agency;
no 5xx, and every answer conforms to the schema (status code, content type, body). Negative mode
sends schema-violating input, which must be a documented 4xx. Bounded: a few examples per
operation, so the whole run stays well under two minutes."""

from __future__ import annotations

import contextlib

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)


@contextlib.contextmanager
def keep_test_connection():  # type: ignore[no-untyped-def]
    """The WSGI app runs inside the test transaction; like Django's test client, stop the
    request hooks from closing that connection (entered after every test-client call, which
    reconnects them)."""
    from django.core import signals
    from django.db import close_old_connections

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
MAX_EXAMPLES = 8


def _schema():  # type: ignore[no-untyped-def]
    from ombudsman.wsgi import application

    return schemathesis.openapi.from_wsgi("/api/v1/schema/?format=json", application).include(
        path_regex=r"^/api/v1/agency/"
    )


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=["positive", "negative"])
def test_agency_api_conforms_to_its_schema(db, caller, referral, mode):  # type: ignore[no-untyped-def]
    with keep_test_connection():
        _run(caller, referral, mode)


def _run(caller, referral, mode) -> None:  # type: ignore[no-untyped-def]
    schema = _schema()
    operations = [result.ok() for result in schema.get_all_operations()]
    labels = {op.label for op in operations}
    assert "POST /api/v1/agency/referrals/{reference}/response" in labels
    assert "GET /api/v1/agency/referrals/" in labels
    headers = {"Authorization": f"Bearer {caller.token}"}
    failures: list[str] = []
    for operation in operations:

        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(max_examples=MAX_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def run(case):  # type: ignore[no-untyped-def]
            if case.path_parameters and "reference" in case.path_parameters:
                case.path_parameters["reference"] = referral.reference
            case.call_and_validate(headers=headers, checks=CHECKS)

        try:
            run()
        except Unsatisfiable:
            # Negative mode: nothing in this operation can violate the schema (e.g. one string path
            # parameter, no body); the positive run covers it.
            assert mode == GenerationMode.NEGATIVE, operation.label
        except Exception as exc:  # collect every operation's failure, then report them together
            failures.append(f"{operation.label}: {type(exc).__name__}: {str(exc)[:1500]}")
    assert not failures, "\n\n".join(failures)
