"""The public register of scoring criteria: each agency's disclosed criteria, versioned and dated.
Criteria come from an agency's answer to a complaint or from a `disclose_criteria` order it
confirmed (both inside the step that brings them, after the case lock)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction

from agencies.models import Agency
from complaints.models import AgencyResponse
from kernel.errors import ServiceError

from ..models import CorrectionOrder, CriteriaDisclosure

CRITERIA_KEYS = ("factor", "description", "direction_or_weight", "data_source")
MAX_CRITERIA = 200


def validated_criteria(value: object, *, field: str, required: bool) -> list[dict[str, Any]]:
    """Clean a list of criteria (objects with `CRITERIA_KEYS`, a factor required), or ServiceError."""
    if value is None:
        value = []
    if not isinstance(value, list):
        raise ServiceError(f"{field} must be a list of objects ({', '.join(CRITERIA_KEYS)}).", field=field)
    out = []
    for i, item in enumerate(value):
        if not isinstance(item, dict) or not isinstance(item.get("factor"), str) or not item["factor"].strip():
            raise ServiceError(f"{field}[{i}].factor is required.", field=field)
        out.append({k: str(item.get(k, "") or "").strip()[:2000] for k in CRITERIA_KEYS})
    if required and not out:
        raise ServiceError(f"{field} must list the criteria.", field=field)
    if len(out) > MAX_CRITERIA:
        raise ServiceError(f"At most {MAX_CRITERIA} criteria in {field}.", field=field)
    return out


def criteria_disclosure_record(
    *,
    agency: Agency,
    criteria: list[dict[str, Any]],
    now: datetime,
    source_response: AgencyResponse | None = None,
    source_order: CorrectionOrder | None = None,
) -> CriteriaDisclosure:
    """Add a version to the agency's entry in the public register (unless nothing changed). The
    agency row is locked so that two disclosures never take the same version number."""
    with transaction.atomic():
        Agency.objects.select_for_update().filter(pk=agency.pk).first()
        latest = CriteriaDisclosure.objects.filter(agency=agency).order_by("-version").first()
        if latest is not None and latest.criteria == criteria:
            return latest
        return CriteriaDisclosure.objects.create(
            agency=agency,
            version=(latest.version + 1) if latest else 1,
            criteria=criteria,
            disclosed_at=now,
            source_response=source_response,
            source_order=source_order,
        )
