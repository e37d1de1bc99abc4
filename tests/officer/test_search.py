"""Officer search: words, substrings, Chinese, short prefixes, references and ID numbers (whole or
masked) straight to the case; the same answers on PostgreSQL (indexes) and SQLite (substring)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from complaints.models import Complaint
from officer.selectors import search_complaints, search_direct_hit
from tests.factories import AgencyFactory, BlacklistEntryFactory, CitizenFactory, make_complaint

pytestmark = pytest.mark.django_db


@pytest.fixture
def cases(db):  # type: ignore[no-untyped-def]
    court = AgencyFactory(name_en="Harbour Court", name_zh="海港法院", slug="harbour")
    wang = CitizenFactory(full_name="Wang Wei", national_id="110101199003071234")
    zhang = CitizenFactory(full_name="张小明", national_id="110101200501019876")
    return {
        "jaywalking": make_complaint(
            blacklist_entry=BlacklistEntryFactory(citizen=wang, agency=court),
            statement="I was listed for jaywalking on a street I never crossed.",
        ),
        "chinese": make_complaint(
            blacklist_entry=BlacklistEntryFactory(citizen=zhang, agency=court),
            statement="我被错误地列入失信被执行人名单，债务已经还清。",
        ),
        "other": make_complaint(
            blacklist_entry=BlacklistEntryFactory(
                citizen=CitizenFactory(full_name="Chen Bo"),
                agency=AgencyFactory(name_en="Lotus Credit", name_zh="莲花信用", slug="lotus"),
            ),
            statement="The debt was paid in March.",
        ),
    }


def _found(text: str) -> set[str]:
    return set(search_complaints(Complaint.objects.all(), text).values_list("reference", flat=True))


def test_words_substrings_names_and_chinese(cases):
    j, zh, other = cases["jaywalking"].reference, cases["chinese"].reference, cases["other"].reference
    assert _found("jaywalking") == {j}
    assert _found("JAYWALK") == {j}  # a substring, any case
    assert _found("Wang Wei") == {j}
    assert _found("wei") == {j}
    assert _found("失信被执行人") == {zh}  # Chinese, three characters or more: anywhere
    assert _found("张小明") == {zh}
    assert _found("还清") == {zh} and _found("名单") == {zh}  # two characters: a word of the index
    assert _found("债") == {zh} and _found("清。") == {zh}
    assert _found("海港法院") == {j, zh}  # the respondent's Chinese name
    assert _found("paid") == {other}
    assert _found("nothing like this") == set()


def test_one_or_two_characters_match_the_start_of_a_word(cases):
    j = cases["jaywalking"].reference
    assert j in _found("j") and j in _found("Wa")
    assert cases["other"].reference not in _found("j")
    assert _found("'") == set() if connection.vendor == "postgresql" else True  # no SQL error on quotes


def test_a_reference_or_an_id_number_goes_straight_to_the_case(cases, officer_client):
    case = cases["jaywalking"]
    assert search_direct_hit(case.reference.lower()) == case
    assert search_direct_hit("110101 19900307 1234") == case
    assert search_direct_hit("11**************34") == case
    assert search_direct_hit("Wang Wei") is None and search_direct_hit("OMB-1999-999999") is None
    response = officer_client.get("/officer/", {"queue": "all", "q": case.reference})
    assert response.status_code == 302 and response["Location"] == f"/officer/cases/{case.reference}/"
    htmx = officer_client.get("/officer/", {"queue": "all", "q": "11**************34"}, HTTP_HX_REQUEST="true")
    assert htmx["HX-Redirect"] == f"/officer/cases/{case.reference}/"


def test_a_masked_number_shared_by_two_people_lists_their_cases(cases):
    twin = CitizenFactory(full_name="Another", national_id="110101199912311234")
    second = make_complaint(blacklist_entry=BlacklistEntryFactory(citizen=twin))
    assert search_direct_hit("11**************34") is None
    assert _found("11**************34") == {cases["jaywalking"].reference, second.reference}


def test_search_costs_the_same_queries_for_any_term(cases, officer_client):
    counts = set()
    for term in ("j", "jaywalking", "Wang Wei", "失信被执行人"):
        with CaptureQueriesContext(connection) as queries:
            assert officer_client.get("/officer/", {"queue": "all", "q": term}).status_code == 200
        counts.add(len(queries))
    assert len(counts) == 1, counts


def test_the_search_column_follows_a_new_respondent(cases):
    from complaints.services import complaint_refer
    from complaints.transitions import Status
    from kernel.actors import Actor
    from tests.factories import OfficerFactory, walk_to

    case = cases["other"]
    walk_to(case, Status.SCREENING)
    bank = AgencyFactory(name_en="Orchid Bank", name_zh="兰花银行")
    complaint_refer(
        complaint_id=case.pk, actor=Actor.for_user(OfficerFactory()), now=case.submitted_at, respondent=bank
    )
    assert case.reference in _found("兰花银行") and case.reference in _found("orchid bank")
