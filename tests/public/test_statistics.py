import csv
import io
import json

import pytest
from django.test import Client

from clocks.models import Clock, ClockStatus, Obligation
from complaints import services
from complaints.transitions import Status
from kernel.actors import Actor
from public.services import statistics_refresh, statistics_refresh_cases
from public.statistics import MIN_SAMPLE, Rate, agency_statistics, wilson_interval
from tests.factories import (
    NOW,
    AgencyFactory,
    BlacklistEntryFactory,
    OfficerFactory,
    SeniorOfficerFactory,
    make_complaint,
    walk_to,
)
from tribunal.services import determination_save_draft, determination_sign


def test_wilson_interval_known_values():
    low, high = wilson_interval(5, 10)
    assert round(low, 4) == 0.2366 and round(high, 4) == 0.7634
    low, high = wilson_interval(0, 10)
    assert low == 0.0 and round(high, 4) == 0.2775
    low, high = wilson_interval(10, 10)
    assert round(low, 4) == 0.7225 and high == 1.0
    assert wilson_interval(0, 0) == (0.0, 1.0)
    with pytest.raises(ValueError):
        wilson_interval(3, 2)


def test_small_samples_have_no_share():
    assert Rate(3, 3).share is None and Rate(3, 3).interval is None
    assert Rate(MIN_SAMPLE, MIN_SAMPLE).share == 1.0


def _stats():  # type: ignore[no-untyped-def]
    """The figures after the rollup has read what changed (the periodic task's job)."""
    statistics_refresh(now=NOW)
    return {s.agency.slug: s for s in agency_statistics()}


def _answered(agency, outcome, n):
    for _ in range(n):
        c = make_complaint(blacklist_entry=BlacklistEntryFactory(agency=agency))
        walk_to(c, Status.REFERRED, now=NOW)
        services.complaint_record_agency_response(
            complaint_id=c.pk, actor=Actor.for_agency(agency), outcome=outcome, explanation="Done.", now=NOW
        )


@pytest.mark.django_db
def test_statistics_per_agency():
    big = AgencyFactory(name_en="Big agency", slug="big")
    small = AgencyFactory(name_en="Small agency", slug="small")
    _answered(big, "corrected", 6)
    _answered(big, "verified", 6)
    _answered(small, "corrected", 2)
    make_complaint(blacklist_entry=BlacklistEntryFactory(agency=small))  # received, not answered
    stats = _stats()
    assert stats["big"].received == 12 and stats["big"].answered == 12
    assert stats["big"].upheld.successes == 6 and stats["big"].upheld.n == 12
    assert stats["big"].upheld.share == 0.5 and stats["big"].corrections == 6
    assert stats["big"].median_days_to_answer == 0.0
    assert stats["small"].received == 3 and stats["small"].upheld.n == 2
    assert stats["small"].upheld.share is None  # below the minimum sample: not rated, not ranked

    client = Client()
    page = client.get("/statistics/")
    body = page.content.decode()
    assert page.status_code == 200
    assert "<svg" in body and "Big agency" in body and "too few cases (n=2)" in body
    assert "Wilson" in body

    data = json.loads(client.get("/statistics.json").content)
    rows = {r["agency"]: r for r in data["agencies"]}
    assert rows["big"]["upheld"]["share"] == 0.5
    assert rows["big"]["upheld"]["ci95_low"] == pytest.approx(0.2538, abs=1e-4)
    assert rows["small"]["upheld"]["share"] is None and rows["small"]["upheld"]["enough_data"] is False
    assert data["minimum_sample_size"] == MIN_SAMPLE

    response = client.get("/statistics.csv")
    assert response["Content-Type"].startswith("text/csv")
    assert response.content.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM: spreadsheets read the Chinese names
    table = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    big_row = next(r for r in table if r["agency"] == "big")
    assert big_row["received"] == "12" and big_row["upheld_share"] == "0.5" and big_row["corrections_made"] == "6"


@pytest.mark.django_db
def test_on_time_share_comes_from_the_clocks():

    agency = AgencyFactory(slug="timely")
    for i in range(MIN_SAMPLE):
        c = make_complaint(blacklist_entry=BlacklistEntryFactory(agency=agency))
        walk_to(c, Status.REFERRED, now=NOW)
        clock = Clock.objects.get(complaint=c, obligation=Obligation.RESPOND)
        late = i < 3
        Clock.objects.filter(pk=clock.pk).update(
            status=ClockStatus.MISSED if late else ClockStatus.MET, met_at=None if late else NOW
        )
    # Changed by hand, with no timeline event: the rollup is told which cases to read again.
    statistics_refresh(now=NOW)
    statistics_refresh_cases(complaint_ids=Clock.objects.values_list("complaint_id", flat=True), now=NOW)
    stats = {s.agency.slug: s for s in agency_statistics()}
    assert (stats["timely"].on_time.successes, stats["timely"].on_time.n) == (7, MIN_SAMPLE)
    assert stats["timely"].on_time.share == 0.7


@pytest.mark.django_db
def test_chart_text_is_escaped():
    agency = AgencyFactory(name_en="<script>alert(1)</script>", slug="evil")
    _answered(agency, "deleted", MIN_SAMPLE)
    body = Client().get("/statistics/").content.decode()
    assert "<script>alert(1)</script>" not in body


@pytest.mark.django_db
def test_a_determination_that_upholds_counts_as_upheld():

    agency = AgencyFactory(slug="decided")
    complaint = make_complaint(blacklist_entry=BlacklistEntryFactory(agency=agency))
    walk_to(complaint, Status.INVESTIGATION, now=NOW)
    draft = determination_save_draft(
        complaint_id=complaint.pk,
        actor=Actor.for_user(OfficerFactory()),
        outcome="upheld",
        findings="The debt was paid.",
        reasons="Listing without basis.",
        public_summary="A paid debt stayed on a list.",
        remedies=[{"kind": "delete"}],
        now=NOW,
    )
    determination_sign(
        determination_id=draft.pk,
        actor=Actor.for_user(SeniorOfficerFactory()),
        now=NOW,
        skip_provisional_reason="Decided without comments in this test.",
    )
    stats = _stats()
    assert (stats["decided"].upheld.successes, stats["decided"].upheld.n) == (1, 1)


def _flat(row, prefix=""):
    out = {}
    for key, value in row.items():
        if isinstance(value, dict):
            out.update(_flat(value, f"{prefix}{key}_"))
        else:
            out[f"{prefix}{key}"] = value
    return out


@pytest.mark.django_db
def test_the_csv_has_the_json_fields():
    agency = AgencyFactory(slug="same", name_zh="同一机构")
    _answered(agency, "corrected", 2)
    client = Client()
    json_row = next(r for r in json.loads(client.get("/statistics.json").content)["agencies"] if r["agency"] == "same")
    table = list(csv.DictReader(io.StringIO(client.get("/statistics.csv").content.decode("utf-8-sig"))))
    csv_row = next(r for r in table if r["agency"] == "same")
    flat = _flat(json_row)
    assert list(csv_row) == list(flat)
    assert csv_row["name_zh"] == "同一机构" and csv_row["upheld_successes"] == "2"
    assert csv_row["answered_on_time_enough_data"] == str(flat["answered_on_time_enough_data"])


@pytest.mark.django_db
def test_statistics_answer_304_until_something_changes():
    agency = AgencyFactory(slug="cached")
    _answered(agency, "corrected", 1)
    client = Client()
    for url in ("/statistics/", "/statistics.json", "/statistics.csv"):
        first = client.get(url)
        assert first.status_code == 200 and first["ETag"] and first["Last-Modified"]
        assert client.get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
        _answered(agency, "verified", 1)  # a new answer: new figures, new tag
        again = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
        assert again.status_code == 200 and again["ETag"] != first["ETag"]
    zh = client.get("/statistics/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert zh["ETag"] != client.get("/statistics/", HTTP_ACCEPT_LANGUAGE="en")["ETag"]


@pytest.mark.django_db
def test_a_correction_carried_out_on_order_counts_as_a_correction():
    """The court answered "verified", lost at determination and deleted the record when ordered:
    it made a correction (issue 14: it showed 0)."""
    from tribunal.models import CorrectionOrder
    from tribunal.services import correction_order_confirm

    court = AgencyFactory(slug="ordered-court")
    complaint = make_complaint(blacklist_entry=BlacklistEntryFactory(agency=court))
    walk_to(complaint, Status.INVESTIGATION, now=NOW)
    draft = determination_save_draft(
        complaint_id=complaint.pk,
        actor=Actor.for_user(OfficerFactory()),
        outcome="upheld",
        findings="The debt was paid.",
        reasons="Listing without basis.",
        public_summary="A paid debt stayed on a list.",
        remedies=[{"kind": "delete"}],
        now=NOW,
    )
    determination_sign(
        determination_id=draft.pk,
        actor=Actor.for_user(SeniorOfficerFactory()),
        now=NOW,
        skip_provisional_reason="Decided without comments in this test.",
    )
    assert _stats()["ordered-court"].corrections == 0
    order = CorrectionOrder.objects.get(complaint=complaint, agency=court)
    correction_order_confirm(
        order_id=order.pk,
        actor=Actor.for_agency(court),
        evidence_before={"status": "active"},
        evidence_after={"status": "deleted"},
        now=NOW,
    )
    assert _stats()["ordered-court"].corrections == 1


@pytest.mark.django_db
def test_statistics_cost_the_same_queries_for_few_and_many_cases():
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    agency = AgencyFactory(slug="counted")
    client = Client()

    def queries() -> list[int]:
        out = []
        for url in ("/statistics/", "/statistics.json", "/statistics.csv"):
            with CaptureQueriesContext(connection) as captured:
                assert client.get(url).status_code == 200
            out.append(len(captured))
        return out

    _answered(agency, "corrected", 2)
    statistics_refresh(now=NOW)  # the periodic task's work; the pages then only read the rollup
    few = queries()
    _answered(agency, "verified", 8)
    statistics_refresh(now=NOW)
    assert queries() == few


@pytest.mark.django_db
def test_the_csv_quotes_formula_cells():
    """An agency name that a spreadsheet would run as a formula is written as text."""
    AgencyFactory(slug="formula", name_en='=HYPERLINK("http://evil.example","x")', name_zh="@SUM(1)")
    _answered(AgencyFactory(slug="formula-2", name_en="+1+1", name_zh="-2"), "corrected", 1)
    table = list(csv.DictReader(io.StringIO(Client().get("/statistics.csv").content.decode("utf-8-sig"))))
    rows = {r["agency"]: r for r in table}
    assert rows["formula-2"]["name_en"] == "'+1+1" and rows["formula-2"]["name_zh"] == "'-2"
    if "formula" in rows:  # agencies without a case may be left out of the statistics
        assert rows["formula"]["name_en"].startswith("'=") and rows["formula"]["name_zh"] == "'@SUM(1)"
    assert all(not v.startswith(("=", "+", "-", "@")) for r in table for v in r.values())
