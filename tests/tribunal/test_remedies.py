"""Pure tests of remedy validation and of the evidence an order needs (no database)."""

from __future__ import annotations

import pytest

from complaints.remedies import ORDER_CHOICES, RECORD_REMEDIES, Remedy
from kernel.errors import ServiceError
from tribunal.remedies import check_evidence, validated_remedies

SANCTIONS = ("schools", "rail_travel")


def valid(items: object, upheld: bool = True) -> list[dict[str, object]]:
    return validated_remedies(items, upheld=upheld, sanctions=SANCTIONS)


def test_one_vocabulary_for_asking_and_ordering():
    assert Remedy.values == [
        "correct", "delete", "lift_sanction", "disclose_criteria", "annotate", "apology", "compensation"
    ]  # fmt: skip
    assert [code for code, _label in ORDER_CHOICES] == Remedy.values
    assert str(Remedy.DELETE.label) == "Delete the record" and str(Remedy.DELETE.order_label) == "Delete the entry"
    assert {Remedy.CORRECT, Remedy.DELETE, Remedy.LIFT_SANCTION, Remedy.ANNOTATE} == RECORD_REMEDIES


def test_items_are_cleaned():
    assert valid(
        [
            {"kind": "correct", "field": "reason", "new_value": "none", "detail": "  why  ", "extra": 1},
            {"kind": "lift_sanction", "sanction": "schools"},
            {"kind": "compensation", "amount": "800"},
        ]
    ) == [
        {"kind": "correct", "detail": "why", "field": "reason", "new_value": "none"},
        {"kind": "lift_sanction", "sanction": "schools"},
        {"kind": "compensation", "amount": "800.00", "currency": "CNY"},
    ]
    assert valid(None, upheld=False) == []


@pytest.mark.parametrize(
    "items, upheld",
    [
        ("delete", True),
        ([{"kind": "delete_entry"}], True),  # the old code is not a remedy any more
        ([{"kind": "apology"}], False),
        ([], True),
        ([{"kind": "correct"}], True),
        ([{"kind": "correct", "field": "Reason!"}], True),
        ([{"kind": "correct", "field": "reason", "new_value": ["x"]}], True),
        ([{"kind": "lift_sanction", "sanction": "air_travel"}], True),
        ([{"kind": "compensation", "amount": "-3"}], True),
        ([{"kind": "compensation", "amount": "NaN"}], True),
        ([{"kind": "compensation", "amount": "5", "currency": "yuan"}], True),
        ([{"kind": "apology", "detail": "x" * 2001}], True),
        ([{"kind": "apology"}, {"kind": "apology"}], True),
        ([{"kind": "delete"}, {"kind": "annotate"}], True),
        ([{"kind": "delete"}, {"kind": "correct", "field": "reason", "new_value": "x"}], True),
    ],
)
def test_refusals(items, upheld):
    with pytest.raises(ServiceError) as err:
        valid(items, upheld=upheld)
    assert err.value.field == "remedies"


def test_the_same_kind_on_two_fields_is_two_remedies():
    items = [
        {"kind": "correct", "field": "reason", "new_value": "a"},
        {"kind": "correct", "field": "list", "new_value": "b"},
    ]
    assert len(valid(items)) == 2


@pytest.mark.parametrize(
    "actions, after, ok",
    [
        ([{"kind": "delete"}], {"status": "deleted"}, True),
        ([{"kind": "delete"}], {"status": "active"}, False),
        ([{"kind": "correct", "field": "reason", "new_value": "none"}], {"reason": "none"}, True),
        ([{"kind": "correct", "field": "reason", "new_value": "none"}], {"reason": "debt"}, False),
        ([{"kind": "lift_sanction", "sanction": "schools"}], {"sanctions": ["rail_travel"]}, True),
        ([{"kind": "lift_sanction", "sanction": "schools"}], {"sanctions": ["schools"]}, False),
        ([{"kind": "lift_sanction", "sanction": "schools"}], {"status": "corrected"}, False),
        ([{"kind": "annotate"}], {"annotation": "My statement"}, True),
        ([{"kind": "annotate"}], {"annotation": ""}, False),
        ([{"kind": "apology"}], {"apologised": True}, True),
    ],
)
def test_evidence_must_show_each_action(actions, after, ok):
    if ok:
        check_evidence(actions, {"status": "active"}, after)
    else:
        with pytest.raises(ServiceError) as err:
            check_evidence(actions, {"status": "active"}, after)
        assert err.value.field == "evidence_after"


@pytest.mark.parametrize(
    "before, after, field",
    [
        ({}, {"status": "deleted"}, "evidence_before"),
        ({"a": 1}, [], "evidence_after"),
        ({"a": "x" * 50_001}, {"b": 1}, "evidence_after"),
    ],
)
def test_evidence_must_be_objects_of_reasonable_size(before, after, field):
    with pytest.raises(ServiceError) as err:
        check_evidence([{"kind": "delete"}], before, after)
    assert err.value.field == field
