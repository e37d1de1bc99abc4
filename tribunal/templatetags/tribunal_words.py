"""Template filters for the tribunal's vocabulary, for every page that shows decisions and
orders (`{% load tribunal_words %}`): `{{ remedy|remedy_words }}`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import template

from tribunal.remedies import remedy_words as _remedy_words

register = template.Library()


@register.filter
def remedy_words(item: Mapping[str, Any]) -> str:
    return _remedy_words(item)
