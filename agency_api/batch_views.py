"""`POST /api/v1/agency/responses/batch`: up to 100 answers to referrals in one call, as bureaus
send e-OSCAR batches. Each item carries its own Idempotency-Key and gets its own result (the
ResponseResult of a single answer, or a problem); one item's refusal does not stop the others.

Per item, the key's claim, the answer and the stored result commit in one transaction: a retry of
the batch (after a timeout, a crash) replays the items already answered (`replayed: true`) and
answers the rest, never recording an answer twice."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import exceptions, serializers
from rest_framework.request import Request
from rest_framework.response import Response

from complaints.models import Complaint
from complaints.selectors import referred_complaints
from kernel.errors import NotFound, ServiceError

from .base import AgencyAPIView
from .idempotency import Replay, idempotency_begin, idempotency_finish
from .parsers import JSONParser
from .problems import ProblemSerializer, problem_exception_handler
from .serializers import ResponseRequestSerializer, ResponseResultSerializer
from .views import answer_referral

MAX_BATCH = 100
ITEM_KEY_PREFIX = "batch-item:"


class BatchAnswerItemSerializer(ResponseRequestSerializer):
    """One answer of a batch: a referral's answer plus its reference and its own key."""

    reference = serializers.CharField(max_length=40, help_text="The referral answered.")
    idempotency_key = serializers.CharField(
        max_length=255,
        help_text="This item's own Idempotency-Key: a retried batch replays the items already answered.",
    )


class BatchAnswerRequestSerializer(serializers.Serializer):
    items = serializers.ListField(
        child=BatchAnswerItemSerializer(), min_length=1, max_length=MAX_BATCH, help_text=f"1 to {MAX_BATCH} answers."
    )


class _Envelope(serializers.Serializer):
    """What is checked of the whole body before any item is: each item is then checked alone."""

    items = serializers.ListField(child=serializers.DictField(), min_length=1, max_length=MAX_BATCH)


class BatchAnswerResultSerializer(serializers.Serializer):
    index = serializers.IntegerField(help_text="The item's position in `items` (from 0).")
    reference = serializers.CharField(allow_blank=True)
    idempotency_key = serializers.CharField(allow_blank=True)
    status = serializers.IntegerField(help_text="201 answered; 400, 404, 409 or 422 refused (see `problem`).")
    replayed = serializers.BooleanField(help_text="True when this key's first result is replayed (nothing changed).")
    result = ResponseResultSerializer(allow_null=True, help_text="The answer's result (status 201).")
    problem = ProblemSerializer(allow_null=True, help_text="Why this item was refused (status 4xx).")


class BatchAnswerResponseSerializer(serializers.Serializer):
    results = BatchAnswerResultSerializer(many=True)
    answered = serializers.IntegerField(help_text="Items answered by this call (not replayed).")
    refused = serializers.IntegerField()


def _item_fingerprint(item: dict[str, Any]) -> str:
    raw = json.dumps(["batch-item", item], sort_keys=True, default=str)
    return hashlib.sha256(raw.encode()).hexdigest()


_PROBLEM_EXCEPTIONS = (ServiceError, exceptions.APIException, DjangoValidationError, ObjectDoesNotExist)


class ResponseBatch(AgencyAPIView):
    agency_field = "respondent"
    parser_classes = (JSONParser,)
    serializer_class = BatchAnswerRequestSerializer

    def get_base_queryset(self) -> QuerySet[Complaint]:
        return referred_complaints()

    @extend_schema(
        summary="Answer many referrals",
        description=(
            f"Up to {MAX_BATCH} answers, each as for `referrals/{{reference}}/response` plus its `reference` and "
            "its own `idempotency_key`. Always 200 when the body is well formed: every item has its result, in "
            "order (`status` 201 with `result`, or a 4xx with `problem`); one refused item does not stop the "
            "others. Retry the same batch after a timeout: items already answered are replayed, not answered twice."
        ),
        request=BatchAnswerRequestSerializer,
        responses={200: BatchAnswerResponseSerializer},
        examples=[
            OpenApiExample(
                "Two answers",
                request_only=True,
                value={
                    "items": [
                        {
                            "reference": "OMB-2026-000123",
                            "idempotency_key": "2026-11-27-batch-7-1",
                            "outcome": "deleted",
                            "explanation": "The listing had no legal basis; it is deleted.",
                        },
                        {
                            "reference": "OMB-2026-000124",
                            "idempotency_key": "2026-11-27-batch-7-2",
                            "outcome": "corrected",
                            "explanation": "The amount was wrong.",
                            "corrections": [{"field": "amount", "old_value": "5000", "new_value": "500"}],
                        },
                    ]
                },
            )
        ],
    )
    def post(self, request: Request) -> Response:
        envelope = _Envelope(data=request.data)
        envelope.is_valid(raise_exception=True)
        results = [self._answer(index, item) for index, item in enumerate(envelope.validated_data["items"])]
        body = {
            "results": results,
            "answered": sum(1 for r in results if r["status"] == 201 and not r["replayed"]),
            "refused": sum(1 for r in results if r["status"] >= 400),
        }
        return Response(BatchAnswerResponseSerializer(body).data)

    def _problem(self, exc: Exception) -> Response:
        response = problem_exception_handler(exc, {"request": self.request, "view": self})
        if response is None:  # not a refusal: a bug, answered as a 500 by the handlers
            raise exc
        return response

    def _answer(self, index: int, item: dict[str, Any]) -> dict[str, Any]:
        reference = item.get("reference")
        key = item.get("idempotency_key")
        row: dict[str, Any] = {
            "index": index,
            "reference": reference if isinstance(reference, str) else "",
            "idempotency_key": key if isinstance(key, str) else "",
            "replayed": False,
            "result": None,
            "problem": None,
        }
        missing = {
            name: ["Required: a non-empty string."]
            for name, value in (("reference", reference), ("idempotency_key", key))
            if not isinstance(value, str) or not value.strip()
        }
        if missing:
            return self._row(row, self._problem(exceptions.ValidationError(missing)))
        payload = {k: v for k, v in item.items() if k not in ("reference", "idempotency_key")}
        with transaction.atomic():  # the claim, the answer and the stored result, together
            try:
                record = idempotency_begin(
                    client=self.client,
                    key=ITEM_KEY_PREFIX + str(key).strip(),
                    fingerprint=_item_fingerprint(item),
                    now=timezone.now(),
                )
            except Replay as replay:
                row["replayed"] = True
                return self._row(row, replay.response)
            except _PROBLEM_EXCEPTIONS as exc:
                return self._row(row, self._problem(exc))
            try:
                complaint = self.get_queryset().filter(reference=str(reference).strip()).first()
                if complaint is None:
                    raise NotFound("No referral of your agency has this reference.", field="reference")
                with transaction.atomic():  # a refused answer leaves nothing behind but its result
                    response = Response(answer_referral(complaint, payload, actor=self.actor), status=201)
            except _PROBLEM_EXCEPTIONS as exc:
                response = self._problem(exc)
            idempotency_finish(record=record, response=response)
        return self._row(row, response)

    @staticmethod
    def _row(row: dict[str, Any], response: Response) -> dict[str, Any]:
        row["status"] = response.status_code
        if response.status_code < 400:
            row["result"] = response.data
        else:
            row["problem"] = response.data
        return row


__all__ = ["ResponseBatch"]
