"""One error format for the whole API: RFC 9457 problem details (`application/problem+json`).

    {"type": "https://<host>/api/v1/docs/#problem-validation", "title": "Invalid request",
     "status": 400, "detail": "outcome: ...", "instance": "/api/v1/agency/referrals/OMB-2026-000001/response",
     "errors": [{"field": "outcome", "message": "...", "code": "invalid_choice"}]}

`problem_exception_handler` is DRF's EXCEPTION_HANDLER (settings.REST_FRAMEWORK); domain errors get
their status, message and field from kernel.http, as on the HTML pages. `api_not_found` and
`api_server_error` answer Django-level 404/500 under /api/ in the same format.
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.views import defaults
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from kernel.errors import ServiceError
from kernel.http import error_answer

logger = logging.getLogger(__name__)

PROBLEM_CONTENT_TYPE = "application/problem+json"
PROBLEM_TYPE_BASE = "/api/v1/docs/#problem-"

TITLES = {
    400: "Invalid request",
    401: "Authentication required",
    403: "Not allowed",
    404: "Not found",
    405: "Method not allowed",
    406: "Not acceptable",
    409: "Conflict with the case's current state",
    411: "Length required",
    413: "Request too large",
    415: "Unsupported media type",
    422: "Idempotency-Key reused with a different request",
    429: "Too many requests",
    500: "Server error",
}
TYPES = {
    400: "validation",
    401: "unauthenticated",
    403: "forbidden",
    404: "not-found",
    405: "method-not-allowed",
    406: "not-acceptable",
    409: "conflict",
    411: "length-required",
    413: "too-large",
    415: "unsupported-media-type",
    422: "idempotency-key-reuse",
    429: "throttled",
    500: "server-error",
}


class ProblemFieldErrorSerializer(serializers.Serializer):
    field = serializers.CharField(help_text="The request field (dotted path for nested ones, `non_field` if none).")
    message = serializers.CharField()
    code = serializers.CharField()


class ProblemSerializer(serializers.Serializer):
    """RFC 9457 problem details. `errors` lists every invalid field on validation problems."""

    type = serializers.CharField(help_text="URI naming the problem type (documented in these docs).")
    title = serializers.CharField()
    status = serializers.IntegerField()
    detail = serializers.CharField()
    instance = serializers.CharField(help_text="The request path.")
    request_id = serializers.CharField(
        required=False, help_text="The `Request-Id` of this answer: quote it when you contact the ombudsman."
    )
    errors = ProblemFieldErrorSerializer(many=True, required=False)  # type: ignore[assignment]


def problem_body(
    *,
    status_code: int,
    detail: str,
    instance: str,
    errors: list[dict[str, str]] | None = None,
    kind: str | None = None,
    request_id: str = "",
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": PROBLEM_TYPE_BASE + (kind or TYPES.get(status_code, "error")),
        "title": TITLES.get(status_code, "Error"),
        "status": status_code,
        "detail": detail,
        "instance": instance,
    }
    if request_id:
        body["request_id"] = request_id
    if errors:
        body["errors"] = errors
    return body


def _flatten(detail: Any, prefix: str = "") -> list[dict[str, str]]:
    """DRF's nested error structure -> [{field, message, code}] with dotted field paths."""
    out: list[dict[str, str]] = []
    if isinstance(detail, dict):
        for key, value in detail.items():
            name = "non_field" if key in ("non_field_errors", "__all__") else str(key)
            out += _flatten(value, f"{prefix}.{name}" if prefix and name != "non_field" else (prefix or name))
    elif isinstance(detail, list):
        if all(isinstance(d, str) for d in detail):
            for d in detail:
                out.append({"field": prefix or "non_field", "message": str(d), "code": getattr(d, "code", "invalid")})
        else:
            for i, d in enumerate(detail):
                if d:
                    out += _flatten(d, f"{prefix}.{i}" if prefix else str(i))
    else:
        out.append({"field": prefix or "non_field", "message": str(detail), "code": getattr(detail, "code", "invalid")})
    return out


def _response(body: dict[str, Any], headers: dict[str, str] | None = None) -> Response:
    response = Response(body, status=body["status"], content_type=PROBLEM_CONTENT_TYPE)
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def problem_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    request = context.get("request")
    instance = request.path if request is not None else ""
    request_id = str(getattr(request, "request_id", "")) if request is not None else ""

    if isinstance(exc, ServiceError):  # a domain refusal, answered as everywhere else (kernel.http)
        answer = error_answer(exc)
        errors = [{"field": answer.field, "message": answer.message, "code": answer.code}] if answer.field else None
        body = problem_body(
            status_code=answer.status, detail=answer.detail, instance=instance, errors=errors, request_id=request_id
        )
        return _response(body)
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field": exc.messages}
        )
    if isinstance(exc, ObjectDoesNotExist):
        exc = exceptions.NotFound()

    response = drf_exception_handler(exc, context)
    if response is None:
        return None  # a real bug: Django's 500 handler (problem+json under /api/) takes over
    headers = {k: v for k, v in response.items() if k in ("WWW-Authenticate", "Retry-After", "Allow")}
    data = response.data
    if isinstance(exc, exceptions.ValidationError):
        errors = _flatten(data)
        detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors) or "Invalid request."
        body = problem_body(
            status_code=response.status_code, detail=detail, instance=instance, errors=errors, request_id=request_id
        )
    else:
        detail = str(data.get("detail", "")) if isinstance(data, dict) else str(data)
        if isinstance(exc, Http404) or (
            isinstance(exc, exceptions.NotFound) and str(exc.detail) == str(exceptions.NotFound.default_detail)
        ):
            # Never says whether the object exists for someone else.
            detail = "Not found, or not available to you."
        body = problem_body(
            status_code=response.status_code,
            detail=detail or TITLES.get(response.status_code, ""),
            instance=instance,
            request_id=request_id,
        )
    return _response(body, headers)


def json_problem(
    request: HttpRequest, status_code: int, detail: str, headers: dict[str, str] | None = None
) -> HttpResponse:
    """A problem+json answer outside DRF (Django handlers, middleware)."""
    return JsonResponse(
        problem_body(
            status_code=status_code,
            detail=detail,
            instance=request.path,
            request_id=str(getattr(request, "request_id", "")),
        ),
        status=status_code,
        content_type=PROBLEM_CONTENT_TYPE,
        headers=headers,
    )


def is_api_request(request: HttpRequest) -> bool:
    return request.path.startswith("/api/") or request.path.startswith("/o/")


def api_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """handler404: problem+json under /api/, the usual page elsewhere."""
    if is_api_request(request):
        return json_problem(request, status.HTTP_404_NOT_FOUND, "No such API resource.")
    return defaults.page_not_found(request, exception or Http404())


def api_server_error(request: HttpRequest) -> HttpResponse:
    """handler500: problem+json under /api/ (no details leak), the usual page elsewhere."""
    if is_api_request(request):
        return json_problem(request, 500, "The server failed; the error was logged. Retry later.")
    return defaults.server_error(request)


def api_permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if is_api_request(request):
        return json_problem(request, 403, "Not allowed.")
    return defaults.permission_denied(request, exception or PermissionDenied())


def api_bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if is_api_request(request):
        return json_problem(request, 400, "Bad request.")
    return defaults.bad_request(request, exception or Exception())
