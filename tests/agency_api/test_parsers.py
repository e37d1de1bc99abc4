"""The agency API's JSON parser refuses NUL in any string, key or value, at any depth."""

from __future__ import annotations

import io

import pytest
from rest_framework.exceptions import ParseError

from agency_api.parsers import JSONParser, nul_path


@pytest.mark.parametrize(
    ("value", "path"),
    [
        ("a\x00", ""),
        ({"a": "ok", "b": {"c": ["x", "y\x00"]}}, "b.c.1"),
        ({"k\x00": "v"}, "k\x00"),
        ([{"a": 1}, {"b": "\x00"}], "1.b"),
    ],
)
def test_nul_path_finds_the_first_nul(value, path):
    assert nul_path(value) == path


def test_nul_path_of_clean_json_is_none():
    assert nul_path({"a": ["b", 1, None, True, {"c": "d"}]}) is None


def test_parser_refuses_nul_and_names_where():
    with pytest.raises(ParseError, match=r"evidence_after\.field"):
        JSONParser().parse(io.BytesIO(b'{"evidence_after": {"field": "x\\u0000"}}'), "application/json")
    assert JSONParser().parse(io.BytesIO(b'{"a": "b"}'), "application/json") == {"a": "b"}
