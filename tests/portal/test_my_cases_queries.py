"""'My cases' costs the same number of queries however many cases the citizen (and everyone else)
has: one query for the list (`citizen_id IN (the user's citizens)` on the (citizen, -submitted_at)
index, no OR across a join), one each for the clocks and messages that say what waits for them."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import BlacklistEntryFactory, make_complaint

pytestmark = pytest.mark.django_db


def _count(client) -> int:  # type: ignore[no-untyped-def]
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/cases/").status_code == 200
    return len(queries)


def test_my_cases_cost_the_same_queries_for_few_and_many_cases(client_a, citizen_a, citizen_b):
    entry = citizen_a.blacklist_entries.get()
    make_complaint(blacklist_entry=entry)
    make_complaint(blacklist_entry=BlacklistEntryFactory(citizen=citizen_a), status="referred")
    few = _count(client_a)
    for status in ("referred", "agency_responded", "closed", None, "screening", "investigation"):
        make_complaint(blacklist_entry=BlacklistEntryFactory(citizen=citizen_a), status=status)
        make_complaint(blacklist_entry=citizen_b.blacklist_entries.get())  # someone else's: never read
    body = client_a.get("/cases/").content.decode()
    assert body.count("OMB-") >= 8
    assert _count(client_a) == few
