"""The officer queue pages cost the same number of queries however many cases the archive holds
(counts are grouped or come from the clocks' indexes; the page is one query)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from officer.views import QUEUES
from tests.factories import BlacklistEntryFactory, make_complaint

pytestmark = pytest.mark.django_db


def _queries_per_queue(client) -> dict[str, int]:  # type: ignore[no-untyped-def]
    out = {}
    for queue in QUEUES:
        with CaptureQueriesContext(connection) as queries:
            response = client.get("/officer/", {"queue": queue})
        assert response.status_code == 200
        out[queue] = len(queries)
    return out


def _cases(n: int, court) -> None:  # type: ignore[no-untyped-def]
    statuses = ["referred", "screening", "investigation", "closed", None]
    for i in range(n):
        make_complaint(blacklist_entry=BlacklistEntryFactory(agency=court), status=statuses[i % len(statuses)])


def test_queue_pages_cost_the_same_queries_for_few_and_many_cases(officer_client, court):
    _cases(5, court)  # one case in each kind of queue (an empty queue skips its page query)
    few = _queries_per_queue(officer_client)
    _cases(15, court)
    many = _queries_per_queue(officer_client)
    assert few == many


def test_search_costs_the_same_queries_for_few_and_many_cases(officer_client, court):
    _cases(2, court)
    with CaptureQueriesContext(connection) as few:
        officer_client.get("/officer/", {"queue": "all", "q": "record"})
    _cases(12, court)
    with CaptureQueriesContext(connection) as many:
        body = officer_client.get("/officer/", {"queue": "all", "q": "record"}).content.decode()
    assert "OMB-" in body
    assert len(few) == len(many)
