"""The case owner's view of who held the record and what each agency was ordered to do, with the
state of each order (GDPR art. 19), as a page and as JSON. For the citizen (or representative)
whose case it is, and officers; a 404 for anyone else."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from tribunal import selectors
from tribunal.models import CorrectionOrder

# --- serializers ------------------------------------------------------------------------------


class CaseOrderSerializer(serializers.Serializer):
    agency = serializers.CharField(source="agency.name_en")
    agency_slug = serializers.CharField(source="agency.slug")
    path = serializers.ListField(child=serializers.CharField())
    status = serializers.CharField()
    status_label = serializers.CharField(source="get_status_display")
    trigger = serializers.CharField()
    actions = serializers.SerializerMethodField()
    ordered_at = serializers.DateTimeField()
    due_at = serializers.DateTimeField()
    confirmed_at = serializers.DateTimeField(allow_null=True)
    waived_at = serializers.DateTimeField(allow_null=True)
    waiver_reason = serializers.CharField()
    escalation_level = serializers.SerializerMethodField()

    def get_actions(self, obj: CorrectionOrder) -> list[str]:
        return [a["kind"] for a in obj.actions]

    def get_escalation_level(self, obj: CorrectionOrder) -> int:
        clock = self.context.get("clocks", {}).get(obj.subject_key)
        return int(clock["escalation_level"]) if clock else 0


class HolderSerializer(serializers.Serializer):
    agency = serializers.CharField()
    agency_slug = serializers.CharField()
    path = serializers.ListField(child=serializers.CharField())


class CaseRecordHoldersSerializer(serializers.Serializer):
    reference = serializers.CharField()
    status = serializers.CharField()
    flag_unlawful_category = serializers.BooleanField()
    flag_derived_from_relative = serializers.BooleanField()
    holders = HolderSerializer(many=True)
    orders = CaseOrderSerializer(many=True)


# --- page and JSON ----------------------------------------------------------------------------


def _holders_context(request: HttpRequest, reference: str) -> dict[str, Any]:
    if not request.user.is_authenticated:
        raise Http404()
    found = selectors.record_holders_for_case(user=request.user, reference=reference)  # type: ignore[arg-type]
    if found is None:
        raise Http404("No such case.")
    complaint = found["complaint"]
    holders = selectors.known_holders(complaint, on=timezone.localdate())
    ordered = {o.agency_id for o in found["orders"]}
    # Agencies ordered to act that the current links no longer show still held the record.
    extra = [o for o in found["orders"] if o.agency_id not in {h["agency"].pk for h in holders}]
    rows = [
        {
            "agency": h["agency"],
            "path": h["path"],
            "via": " → ".join(a.display_name for a in h["path"][:-1]),
            "ordered": h["agency"].pk in ordered,
        }
        for h in holders
    ] + [{"agency": o.agency, "path": [o.agency], "via": "", "ordered": True} for o in extra]
    return {"complaint": complaint, "holders": rows, "orders": found["orders"], "clocks": found["clocks"]}


def case_record_holders_page(request: HttpRequest, reference: str) -> HttpResponse:
    ctx = _holders_context(request, reference)
    for order in ctx["orders"]:
        order.clock = ctx["clocks"].get(order.subject_key)
    return render(request, "portal/case_record_holders.html", ctx)


class CaseRecordHolders(APIView):
    """For the citizen (or representative) whose case it is, and officers; 404 for anyone else."""

    permission_classes = (IsAuthenticated,)

    @extend_schema(
        summary="Who held my record, and what each was ordered to do",
        responses=CaseRecordHoldersSerializer,
        tags=["cases"],
    )
    def get(self, request: Request, reference: str) -> Response:
        ctx = _holders_context(request._request, reference)
        complaint = ctx["complaint"]
        body = {
            "reference": complaint.reference,
            "status": complaint.status,
            "flag_unlawful_category": complaint.flag_unlawful_category,
            "flag_derived_from_relative": complaint.flag_derived_from_relative,
            "holders": [
                {
                    "agency": h["agency"].name_en,
                    "agency_slug": h["agency"].slug,
                    "path": [a.slug for a in h["path"]],
                }
                for h in ctx["holders"]
            ],
            "orders": ctx["orders"],
        }
        return Response(CaseRecordHoldersSerializer(body, context={"clocks": ctx["clocks"]}).data)
