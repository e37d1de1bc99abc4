"""Batch answers: up to 100 answers in one call, each with its own Idempotency-Key and its own
result; one refused item does not stop the others; a retried batch replays, never answers twice."""

from __future__ import annotations

import pytest
from django.utils import timezone

from complaints.models import AgencyResponse
from tests.factories import AgencyFactory, make_complaint

pytestmark = pytest.mark.django_db

URL = "/api/v1/agency/responses/batch"


def referred(agency):  # type: ignore[no-untyped-def]
    return make_complaint(status="referred", entry_kwargs={"agency": agency}, now=timezone.now())


def item(reference: str, key: str, **extra):  # type: ignore[no-untyped-def]
    return {"reference": reference, "idempotency_key": key, "outcome": "deleted", "explanation": "Deleted.", **extra}


def test_each_item_is_answered_with_its_own_result(caller, agency):
    one, two = referred(agency), referred(agency)
    response = caller.post(URL, {"items": [item(one.reference, "k1"), item(two.reference, "k2")]}, format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["answered"], body["refused"]) == (2, 0)
    assert [(r["index"], r["reference"], r["status"]) for r in body["results"]] == [
        (0, one.reference, 201),
        (1, two.reference, 201),
    ]
    assert body["results"][0]["result"]["response"]["outcome"] == "deleted"
    assert body["results"][0]["problem"] is None
    assert AgencyResponse.objects.filter(complaint__in=[one, two]).count() == 2


def test_a_refused_item_does_not_stop_the_others(caller, agency):
    mine = referred(agency)
    theirs = referred(AgencyFactory())
    items = [
        item("OMB-2099-999999", "a"),  # no such referral
        item(theirs.reference, "b"),  # another agency's: the same 404
        item(mine.reference, "c", outcome="corrected"),  # corrections missing
        {"reference": mine.reference, "outcome": "deleted", "explanation": "x"},  # no key
        item(mine.reference, "d"),
    ]
    body = caller.post(URL, {"items": items}, format="json").json()
    assert [r["status"] for r in body["results"]] == [404, 404, 400, 400, 201]
    assert (body["answered"], body["refused"]) == (1, 4)
    assert body["results"][0]["problem"]["detail"] == body["results"][1]["problem"]["detail"]
    assert body["results"][2]["problem"]["errors"][0]["field"] == "corrections"
    assert body["results"][3]["problem"]["errors"][0]["field"] == "idempotency_key"
    assert body["results"][0]["problem"]["type"].endswith("not-found")
    assert not AgencyResponse.objects.filter(complaint=theirs).exists()
    assert AgencyResponse.objects.filter(complaint=mine).count() == 1


def test_a_retried_batch_replays_and_answers_nothing_twice(caller, agency):
    one, two = referred(agency), referred(agency)
    batch = {"items": [item(one.reference, "r1"), item(two.reference, "r2")]}
    first = caller.post(URL, batch, format="json").json()
    again = caller.post(URL, batch, format="json").json()
    assert [r["status"] for r in again["results"]] == [201, 201]
    assert [r["replayed"] for r in again["results"]] == [True, True]
    assert again["answered"] == 0
    assert again["results"][0]["result"] == first["results"][0]["result"]
    assert AgencyResponse.objects.filter(complaint__in=[one, two]).count() == 2


def test_an_item_key_reused_with_another_answer_is_a_422_and_a_second_answer_a_409(caller, agency):
    case = referred(agency)
    caller.post(URL, {"items": [item(case.reference, "same")]}, format="json")
    reused = caller.post(URL, {"items": [item(case.reference, "same", explanation="Other.")]}, format="json").json()
    assert reused["results"][0]["status"] == 422
    second = caller.post(URL, {"items": [item(case.reference, "new")]}, format="json").json()
    assert second["results"][0]["status"] == 409
    assert "already has a final answer" in second["results"][0]["problem"]["detail"]
    assert AgencyResponse.objects.filter(complaint=case).count() == 1


@pytest.mark.parametrize("body", [{}, {"items": []}, {"items": "x"}, {"items": [{"reference": "x"}] * 101}])
def test_a_malformed_batch_is_a_400_and_answers_nothing(caller, agency, body):
    response = caller.post(URL, body, format="json")
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/problem+json")
    assert response.json()["errors"][0]["field"].startswith("items")


def test_batch_is_documented_with_typed_items(caller):
    schema = caller.get("/api/v1/schema/?format=json").json()
    operation = schema["paths"][URL]["post"]
    ref = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    items = schema["components"]["schemas"][ref]["properties"]["items"]
    assert items["maxItems"] == 100
    item_schema = schema["components"]["schemas"][items["items"]["$ref"].rsplit("/", 1)[1]]
    assert {"reference", "idempotency_key", "outcome", "explanation"} <= set(item_schema["required"])
