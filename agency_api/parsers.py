"""Request parsers of the agency API.

`JSONParser` is DRF's, plus one rule: no string (key or value) may contain NUL (U+0000).
PostgreSQL cannot store it in text or jsonb, so free-form JSON (a correction's evidence) carrying
`\\u0000` used to reach the database and fail there with a 500; it is now a 400 naming the field.
"""

from __future__ import annotations

from typing import Any

from rest_framework import parsers
from rest_framework.exceptions import ParseError


def nul_path(value: Any, path: str = "") -> str | None:
    """The dotted path of the first string holding NUL in `value` ('' for the top level), or None."""
    if isinstance(value, str):
        return path if "\x00" in value else None
    if isinstance(value, dict):
        for key, item in value.items():
            where = f"{path}.{key}" if path else str(key)
            if "\x00" in str(key):
                return where
            found = nul_path(item, where)
            if found is not None:
                return found
    if isinstance(value, list):
        for i, item in enumerate(value):
            found = nul_path(item, f"{path}.{i}" if path else str(i))
            if found is not None:
                return found
    return None


class JSONParser(parsers.JSONParser):
    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        data = super().parse(stream, media_type, parser_context)
        where = nul_path(data)
        if where is not None:
            raise ParseError(
                f"JSON strings may not contain the NUL character (\\u0000); remove it from {where or 'the body'}."
            )
        return data
