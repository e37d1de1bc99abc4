"""Template helpers of the portal's pages and of the site's shell (base.html), used by the officer
pages too."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from kernel.events import event_label

register = template.Library()

# Public registers (public app), linked from the navigation when they exist: one link to their
# index page, or each register when there is no index.
REGISTER_INDEX = ("public:registers", _("Public registers"))
REGISTER_LINKS = [
    ("public:determinations", _("Decisions")),
    ("public:criteria", _("Scoring criteria")),
    ("public:conflicts", _("Conflicts of interest")),
]


@register.simple_tag
def register_links() -> list[dict[str, Any]]:
    try:
        return [{"url": reverse(REGISTER_INDEX[0]), "label": REGISTER_INDEX[1]}]
    except NoReverseMatch:
        pass
    links = []
    for name, label in REGISTER_LINKS:
        try:
            links.append({"url": reverse(name), "label": label})
        except NoReverseMatch:
            continue
    return links


@register.filter
def eventlabel(kind: str) -> str:
    return event_label(kind)


@register.filter
def filesize(n: int) -> str:
    if n >= 1024 * 1024:
        return f"{n / (1024 * 1024):.1f} MB"
    return f"{max(1, n // 1024)} KB"


@register.filter
def choice_value(obj: Any, prefix: str) -> str:
    """The value of a record's radio button: `b:<id>` for a blacklist entry, `s:<id>` for a score."""
    return f"{prefix}:{obj.pk}"


@register.simple_tag
def optional_url(name: str, *args: Any) -> str:
    """The URL of a page another app may provide, or '' when it does not exist."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""
