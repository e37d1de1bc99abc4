"""Public registers (anonymised determinations, disclosed scoring criteria, conflicts of interest)
as server-rendered pages and JSON, and the case owner's view of who held the record and each
order's state (GDPR art. 19)."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import generics
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from . import selectors
from .models import Outcome
from .serializers import (
    AgencyConflictsSerializer,
    AgencyCriteriaSerializer,
    CaseRecordHoldersSerializer,
    PublicDeterminationSerializer,
)

PAGE_SIZE = 25


# --- pages ------------------------------------------------------------------------------------


def registers_index(request: HttpRequest) -> HttpResponse:
    return render(request, "tribunal/registers_index.html")


def determinations_page(request: HttpRequest) -> HttpResponse:
    qs = selectors.issued_determinations()
    outcome = request.GET.get("outcome", "")
    if outcome in Outcome.values:
        qs = qs.filter(outcome=outcome)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "tribunal/determinations.html",
        {"page": page, "outcome": outcome, "outcomes": Outcome.choices},
    )


def determination_page(request: HttpRequest, number: str) -> HttpResponse:
    det = selectors.issued_determinations().filter(number=number).first()
    if det is None:
        raise Http404("No such determination.")
    return render(request, "tribunal/determination_detail.html", {"d": det})


def criteria_page(request: HttpRequest) -> HttpResponse:
    return render(request, "tribunal/criteria.html", {"rows": selectors.criteria_register()})


def criteria_agency_page(request: HttpRequest, slug: str) -> HttpResponse:
    found = selectors.criteria_for_agency(slug)
    if found is None:
        raise Http404("No such agency.")
    agency, versions = found
    return render(request, "tribunal/criteria_agency.html", {"agency": agency, "versions": versions})


def conflicts_page(request: HttpRequest) -> HttpResponse:
    return render(request, "tribunal/conflicts.html", {"rows": selectors.conflicts_register()})


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
    return render(request, "tribunal/case_record_holders.html", ctx)


# --- JSON -------------------------------------------------------------------------------------


class RegisterPagination(PageNumberPagination):
    page_size = PAGE_SIZE
    page_size_query_param = "page_size"
    max_page_size = 100


class PublicDeterminationList(generics.ListAPIView):
    """Anonymised determinations: no names, no ID numbers, no case references."""

    permission_classes = (AllowAny,)
    authentication_classes = ()
    serializer_class = PublicDeterminationSerializer
    pagination_class = RegisterPagination
    filterset_fields = ("outcome",)

    def get_queryset(self) -> Any:
        return selectors.issued_determinations()

    @extend_schema(summary="Register of determinations (anonymised)", tags=["public registers"])
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)


class PublicDeterminationDetail(generics.RetrieveAPIView):
    permission_classes = (AllowAny,)
    authentication_classes = ()
    serializer_class = PublicDeterminationSerializer
    lookup_field = "number"

    def get_queryset(self) -> Any:
        return selectors.issued_determinations()

    @extend_schema(summary="One determination (anonymised)", tags=["public registers"])
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)


class CriteriaRegister(APIView):
    permission_classes = (AllowAny,)
    authentication_classes = ()

    @extend_schema(
        summary="Register of disclosed scoring criteria",
        description="Per agency: the current version and every earlier one, each dated.",
        responses=AgencyCriteriaSerializer(many=True),
        tags=["public registers"],
    )
    def get(self, request: Request) -> Response:
        return Response(AgencyCriteriaSerializer(selectors.criteria_register(), many=True).data)


class ConflictsRegister(APIView):
    permission_classes = (AllowAny,)
    authentication_classes = ()

    @extend_schema(
        summary="Register of agencies' conflicts of interest",
        description="Paid score-improvement services, shareholdings in other agencies, other conflicts.",
        responses=AgencyConflictsSerializer(many=True),
        tags=["public registers"],
    )
    def get(self, request: Request) -> Response:
        return Response(AgencyConflictsSerializer(selectors.conflicts_register(), many=True).data)


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
