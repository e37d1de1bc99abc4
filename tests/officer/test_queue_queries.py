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


def _walk_pages(qs, size):  # type: ignore[no-untyped-def]
    from officer.selectors import queue_page

    seen, after, pages = [], None, 0
    while True:
        page = queue_page(qs, after=after, size=size)
        seen += [c.pk for c in page.rows]
        pages += 1
        if page.next_cursor is None:
            return seen, pages
        after = page.next_cursor


def test_keyset_pages_follow_the_queue_order_across_urgent_and_ties(court):
    from datetime import timedelta

    from complaints.models import Complaint
    from tests.factories import NOW

    for i in range(7):
        # Three at the same second (ties broken by id), urgent ones in between.
        make_complaint(
            blacklist_entry=BlacklistEntryFactory(agency=court),
            now=NOW + timedelta(seconds=0 if i < 3 else i),
            urgent=i % 3 == 0,
            urgency_reason="travel" if i % 3 == 0 else "",
        )
    qs = Complaint.objects.all()
    expected = list(qs.order_by("-urgent", "submitted_at", "pk").values_list("pk", flat=True))
    for size in (1, 2, 3, 50):
        seen, pages = _walk_pages(qs, size)
        assert seen == expected, size
        assert pages == max(1, -(-len(expected) // size))


def test_a_cursor_not_from_the_page_is_the_first_page(officer_client, court):
    _cases(3, court)
    for bad in ("x", "1-2", "2-1-1", "1-99999999999999999999999-1", "-1--1-1", "1-1-1-1"):
        response = officer_client.get("/officer/", {"queue": "all", "after": bad})
        assert response.status_code == 200 and response.context["page"].first


def test_a_deep_page_costs_what_the_first_costs(officer_client, court):
    from officer import selectors

    _cases(9, court)
    selectors_size = selectors.PAGE_SIZE
    selectors.PAGE_SIZE = 2
    try:
        with CaptureQueriesContext(connection) as first:
            page1 = officer_client.get("/officer/", {"queue": "all"})
        cursor = page1.context["page"].next_cursor
        for _ in range(3):
            with CaptureQueriesContext(connection) as deep:
                page = officer_client.get("/officer/", {"queue": "all", "after": cursor})
            cursor = page.context["page"].next_cursor
        assert len(deep) <= len(first) + 1  # the urgent part and the rest may be two queries
        body = page.content.decode()
        assert "First page" in body and 'rel="next"' in body
    finally:
        selectors.PAGE_SIZE = selectors_size


def test_counts_read_no_closed_case_and_all_is_the_references_handed_out(officer_client, court):
    from complaints.models import Complaint
    from officer.selectors import capped_count, queue_counts
    from tests.factories import NOW

    _cases(10, court)
    counts = queue_counts(now=NOW, queues=["all", "open"])
    assert counts["all"] == Complaint.objects.count() == 10
    assert counts["open"] == Complaint.objects.exclude(status__in=["closed", "withdrawn", "out_of_scope"]).count()
    with CaptureQueriesContext(connection) as queries:
        queue_counts(now=NOW, queues=["all"])
    status_sql = [q["sql"] for q in queries.captured_queries if "complaints_complaint" in q["sql"]]
    assert len(status_sql) == 1 and "IN (" in status_sql[0]  # only the open statuses
    assert capped_count(Complaint.objects.all(), cap=4) == (4, True)
    assert capped_count(Complaint.objects.all(), cap=40) == (10, False)
