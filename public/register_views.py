"""Public registers (anonymised determinations, disclosed scoring criteria, conflicts of interest)
as server-rendered pages and JSON. Anyone may read them; nothing here names a person."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from drf_spectacular.utils import extend_schema
from rest_framework import generics
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from tribunal import selectors
from tribunal.models import Outcome

from .serializers import AgencyConflictsSerializer, AgencyCriteriaSerializer, PublicDeterminationSerializer

PAGE_SIZE = 25


# --- pages ------------------------------------------------------------------------------------


def registers_index(request: HttpRequest) -> HttpResponse:
    return render(request, "public/registers_index.html")


def determinations_page(request: HttpRequest) -> HttpResponse:
    qs = selectors.issued_determinations()
    outcome = request.GET.get("outcome", "")
    if outcome in Outcome.values:
        qs = qs.filter(outcome=outcome)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "public/determinations.html",
        {"page": page, "outcome": outcome, "outcomes": Outcome.choices},
    )


def determination_page(request: HttpRequest, number: str) -> HttpResponse:
    det = selectors.issued_determinations().filter(number=number).first()
    if det is None:
        raise Http404("No such determination.")
    return render(request, "public/determination_detail.html", {"d": det})


def criteria_page(request: HttpRequest) -> HttpResponse:
    return render(request, "public/criteria.html", {"rows": selectors.criteria_register()})


def criteria_agency_page(request: HttpRequest, slug: str) -> HttpResponse:
    found = selectors.criteria_for_agency(slug)
    if found is None:
        raise Http404("No such agency.")
    agency, versions = found
    return render(request, "public/criteria_agency.html", {"agency": agency, "versions": versions})


def conflicts_page(request: HttpRequest) -> HttpResponse:
    return render(request, "public/conflicts.html", {"rows": selectors.conflicts_register()})


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
