"""The public, read-only clock-rule API: the rules, and a due-date calculator."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from .models import ClockRule
from .rules import rule_due_date
from .selectors import clock_rule_get, clock_rules_current
from .serializers import ClockRuleSerializer, DueDateQuerySerializer, DueDateSerializer


class ClockRuleList(generics.ListAPIView):
    """Every legal clock rule in force (newest version of each), with its source."""

    serializer_class = ClockRuleSerializer
    authentication_classes: list[type] = []
    permission_classes: list[type] = []
    pagination_class = None
    filter_backends: list[type] = []

    def get_queryset(self) -> QuerySet[ClockRule]:
        return clock_rules_current()

    @extend_schema(operation_id="clock_rules_list", tags=["clock rules"])
    def get(self, request: Request, *args: object, **kwargs: object) -> Response:
        return super().get(request, *args, **kwargs)


class ClockRuleDetail(APIView):
    authentication_classes: list[type] = []
    permission_classes: list[type] = []

    @extend_schema(
        operation_id="clock_rules_retrieve",
        tags=["clock rules"],
        responses={200: ClockRuleSerializer, 404: OpenApiResponse(description="No rule with this code.")},
    )
    def get(self, request: Request, code: str) -> Response:
        rule = clock_rule_get(code=code)
        if rule is None:
            raise Http404("No clock rule with this code.")
        return Response(ClockRuleSerializer(rule).data)


class ClockRuleDueDate(APIView):
    """When a duty received on `received` is due under this rule, and why."""

    authentication_classes: list[type] = []
    permission_classes: list[type] = []

    @extend_schema(
        operation_id="clock_rules_due_date",
        tags=["clock rules"],
        parameters=[DueDateQuerySerializer],
        responses={
            200: DueDateSerializer,
            400: OpenApiResponse(description="A query parameter is missing or invalid; the error names it."),
            404: OpenApiResponse(description="No rule with this code."),
        },
    )
    def get(self, request: Request, code: str) -> Response:
        rule = clock_rule_get(code=code)
        if rule is None:
            raise Http404("No clock rule with this code.")
        query = DueDateQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        due = rule_due_date(
            rule=rule, received=query.validated_data["received"], jurisdiction=query.validated_data.get("jurisdiction")
        )
        body = {
            "rule": f"{rule.code} v{rule.version}",
            "received": due.received,
            "due": due.due,
            "explanation": due.explanation,
        }
        return Response(DueDateSerializer(body).data)
