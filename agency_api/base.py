"""The one base class for every agency endpoint (DESIGN.md house rule 6).

Authentication (OAuth2 client credentials, the token's client must be an active `ApiClient`),
per-client throttling, agency scoping, RFC 9457 problem details and `Idempotency-Key` handling are
all fixed here; a subclass cannot replace them (`__init_subclass__` refuses to build a class that
overrides them). Another agency's object is simply absent from the queryset, so it is a 404.

Usage (e.g. tribunal's information requests)::

    from agency_api.base import AgencyAPIView

    class InformationRequestList(AgencyAPIView, generics.ListAPIView):
        agency_field = "agency"            # the lookup from the model to the Agency
        serializer_class = InformationRequestSerializer
        filterset_class = ...              # optional; cursor pagination is already on

        def get_base_queryset(self):
            return InformationRequest.objects.select_related("complaint")   # unscoped

    class InformationRequestAnswer(AgencyAPIView, generics.GenericAPIView):
        agency_field = "agency"
        lookup_field = "pk"

        def get_base_queryset(self):
            return InformationRequest.objects.all()

        def post(self, request, pk):
            obj = self.get_object()          # 404 unless it belongs to the caller's agency
            answer_service(..., actor=self.actor, now=timezone.now())   # self.agency, self.client too
            ...

Every POST honours `Idempotency-Key` automatically (replay, or 422 for a different body); raise
`ombudsman.errors.ServiceError/Conflict` or DRF exceptions and they become problem+json answers.
"""

from __future__ import annotations

import hashlib
import json
from datetime import timedelta
from typing import TYPE_CHECKING, Any, ClassVar

from django.conf import settings
from django.core.cache import cache
from django.core.files.uploadedfile import UploadedFile
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.http import HttpRequest, QueryDict
from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiParameter
from oauth2_provider.contrib.rest_framework import OAuth2Authentication
from rest_framework import exceptions, generics
from rest_framework.pagination import CursorPagination
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import BaseThrottle

from kernel.actors import Actor
from kernel.errors import Conflict

from .models import ApiClient, IdempotencyRecord
from .problems import PROBLEM_CONTENT_TYPE, ProblemSerializer

if TYPE_CHECKING:
    from agencies.models import Agency

IDEMPOTENCY_HEADER = "Idempotency-Key"
IDEMPOTENCY_TTL = timedelta(hours=24)
IDEMPOTENCY_ABANDONED = timedelta(minutes=5)  # an in-progress claim older than this is abandoned
SCOPE = "agency"


# --- authentication ---------------------------------------------------------------------------


class AgencyPrincipal:
    """`request.user` for an agency machine client (there is no human user)."""

    is_authenticated = True
    is_anonymous = False
    is_staff = False
    is_superuser = False

    def __init__(self, client: ApiClient) -> None:
        self.client = client
        self.agency = client.agency
        self.pk = None

    def __str__(self) -> str:
        return self.client.label


class _HeadersOnlyRequest:
    """The Django request as DOT sees it for bearer-token checks: everything but the body."""

    POST = QueryDict()

    def __init__(self, request: HttpRequest) -> None:
        self._request = request

    def __getattr__(self, name: str) -> Any:
        return getattr(self._request, name)


class AgencyClientAuthentication(OAuth2Authentication):
    """A bearer token from `POST /o/token/` (client credentials) of an active agency API client."""

    def authenticate(self, request: Request) -> tuple[AgencyPrincipal, Any] | None:
        # The token is read from the Authorization header only (RFC 6750 §2.1; RFC 9700): DOT is
        # shown the request without its body, so authentication never parses the body and a bad
        # credential is a 401 whatever the content type.
        headers_only = _HeadersOnlyRequest(request._request)
        result = super().authenticate(headers_only)  # type: ignore[arg-type]
        request.oauth2_error = getattr(headers_only, "oauth2_error", {})  # type: ignore[attr-defined]
        if result is None:
            return None
        token = result[1]
        application = token.application
        # Loaded with the token by AgencyOAuth2Validator (settings.OAUTH2_PROVIDER): no query here.
        client: ApiClient | None = getattr(application, "agency_client", None) if application is not None else None
        if client is None:
            raise exceptions.AuthenticationFailed("This token was not issued to an agency API client.")
        client.application = application
        if client.revoked_at is not None:
            raise exceptions.AuthenticationFailed("This API client has been revoked.")
        if not client.agency.active:
            raise exceptions.AuthenticationFailed("This agency is no longer active.")
        return AgencyPrincipal(client), token


class IsAgencyClient(BasePermission):
    def has_permission(self, request: Request, view: Any) -> bool:
        return isinstance(request.user, AgencyPrincipal)


class AgencyClientThrottle(BaseThrottle):
    """Fixed-window request counter per API client in the default cache (Redis when CACHE_URL is
    set, so the limit holds across web processes). Rate: settings.AGENCY_API_THROTTLE_RATE."""

    def __init__(self) -> None:
        self.wait_seconds: float | None = None

    @staticmethod
    def rate() -> tuple[int, int]:
        num, period = str(getattr(settings, "AGENCY_API_THROTTLE_RATE", "1200/minute")).split("/")
        return int(num), {"s": 1, "m": 60, "h": 3600, "d": 86400}[period[0]]

    def allow_request(self, request: Request, view: Any) -> bool:
        principal = request.user
        if not isinstance(principal, AgencyPrincipal):
            return True
        limit, duration = self.rate()
        now = timezone.now().timestamp()
        window = int(now // duration)
        key = f"agency-api:throttle:{principal.client.application.client_id}:{duration}:{window}"
        try:
            count = cache.incr(key)  # one round trip in the steady state
        except ValueError:  # first request of the window
            if cache.add(key, 1, timeout=duration + 5):
                count = 1
            else:  # another process created it meanwhile
                count = cache.incr(key)
        if count > limit:
            self.wait_seconds = (window + 1) * duration - now
            return False
        return True

    def wait(self) -> float | None:
        return self.wait_seconds


class AgencyClientScheme(OpenApiAuthenticationExtension):
    target_class = "agency_api.base.AgencyClientAuthentication"
    name = "agencyOAuth2"

    def get_security_definition(self, auto_schema: AutoSchema) -> dict[str, Any]:
        return {
            "type": "oauth2",
            "description": (
                "OAuth2 client credentials. Exchange your client id and secret (issued once by the "
                "ombudsman) for a bearer token: `POST /o/token/` with form fields "
                "`grant_type=client_credentials`, `client_id`, `client_secret` (or HTTP Basic). The "
                "token lasts one hour; send it as `Authorization: Bearer <token>`. Each client acts "
                "for exactly one agency and sees only the cases referred to that agency."
            ),
            "flows": {
                "clientCredentials": {
                    "tokenUrl": "/o/token/",
                    "scopes": {SCOPE: "Act for your agency on the cases referred to it"},
                }
            },
        }

    def get_security_requirement(self, auto_schema: AutoSchema) -> dict[str, list[str]]:
        return {self.name: [SCOPE]}


# --- pagination and schema ---------------------------------------------------------------------


class AgencyCursorPagination(CursorPagination):
    """`{"next", "previous", "results"}`; follow `next` until it is null."""

    page_size = 25
    page_size_query_param = "page_size"
    max_page_size = 100
    ordering = ("-updated_at", "-id")


ERROR_CODES_ALL = (400, 401, 404, 406, 429)
ERROR_CODES_WRITE = (409, 413, 415)
ERROR_DESCRIPTIONS = {
    400: "Invalid request: `errors` names every invalid field.",
    401: "Missing, invalid or expired token, or a revoked client.",
    404: "No such object, or it is not referred to your agency.",
    406: "Ask for `application/json`.",
    409: "The case's state does not allow this now (the detail says what is allowed).",
    413: "Request body too large.",
    415: "Unsupported content type.",
    422: "This Idempotency-Key was used with a different request.",
    429: "Too many requests for this client; retry after `Retry-After` seconds.",
}


class AgencyAutoSchema(AutoSchema):
    """Adds the problem+json error answers and the Idempotency-Key header to every operation."""

    def get_tags(self) -> list[str]:
        return ["agency"]

    def get_override_parameters(self) -> list[Any]:
        params = list(super().get_override_parameters())
        if self.method == "POST":
            params.append(
                OpenApiParameter(
                    IDEMPOTENCY_HEADER,
                    str,
                    OpenApiParameter.HEADER,
                    required=False,
                    description=(
                        "Any unique string (e.g. a UUID), at most 255 characters. Retrying with the same key "
                        "and body returns the first answer (header `Idempotent-Replayed: true`) and changes "
                        "nothing; the same key with a different body is a 422. Keys are kept 24 hours per client."
                    ),
                )
            )
        return params

    def _get_response_bodies(self, direction: Any = "response") -> dict[str, Any]:
        responses: dict[str, Any] = super()._get_response_bodies(direction)
        codes: tuple[int, ...] = ERROR_CODES_ALL
        if self.method in ("POST", "PUT", "PATCH"):
            codes += ERROR_CODES_WRITE
        if self.method == "POST":
            codes += (422,)
        for code in sorted(codes):
            if str(code) not in responses:
                response = self._get_response_for_code(ProblemSerializer, str(code), [PROBLEM_CONTENT_TYPE], direction)
                response["description"] = ERROR_DESCRIPTIONS[code]
                responses[str(code)] = response
        return responses


# --- idempotency ------------------------------------------------------------------------------


class IdempotencyKeyReused(exceptions.APIException):
    status_code = 422
    default_detail = "This Idempotency-Key was already used with a different request; use a new key."
    default_code = "idempotency_key_reused"


class _Replay(Exception):
    def __init__(self, response: Response) -> None:
        self.response = response


def _canonical(value: Any) -> Any:
    if isinstance(value, UploadedFile):
        digest = hashlib.sha256()
        for chunk in value.chunks():
            digest.update(chunk)
        value.seek(0)
        return {"file": value.name, "sha256": digest.hexdigest()}
    if hasattr(value, "lists"):  # QueryDict / MultiValueDict
        return {k: [_canonical(v) for v in vs] for k, vs in sorted(value.lists())}
    if isinstance(value, dict):
        return {str(k): _canonical(v) for k, v in sorted(value.items())}
    if isinstance(value, list | tuple):
        return [_canonical(v) for v in value]
    return value


def request_fingerprint(request: Request) -> str:
    files = getattr(request, "FILES", None) or {}
    body = {"data": _canonical(request.data), "files": _canonical(files)}
    raw = json.dumps([request.method, request.get_full_path(), body], sort_keys=True, cls=DjangoJSONEncoder)
    return hashlib.sha256(raw.encode()).hexdigest()


def idempotency_begin(*, client: ApiClient, key: str, fingerprint: str, now: Any) -> IdempotencyRecord:
    """Claim `key` for this client, or raise _Replay / IdempotencyKeyReused / Conflict."""
    if not key or len(key) > 255 or not key.isprintable():
        raise exceptions.ValidationError({IDEMPOTENCY_HEADER: ["Use 1-255 printable characters."]})
    for _attempt in range(2):
        try:
            with transaction.atomic():
                return IdempotencyRecord.objects.create(client=client, key=key, fingerprint=fingerprint, created_at=now)
        except IntegrityError:
            existing = IdempotencyRecord.objects.filter(client=client, key=key).first()
            if existing is None:
                continue
            abandoned = not existing.completed and existing.created_at < now - IDEMPOTENCY_ABANDONED
            if existing.created_at < now - IDEMPOTENCY_TTL or abandoned:
                # Expired, or its request died before answering (crash, timeout): claim it afresh.
                existing.delete()
                continue
            if existing.fingerprint != fingerprint:
                raise IdempotencyKeyReused()
            if not existing.completed:
                raise Conflict(
                    "A request with this Idempotency-Key is still being processed; retry in a moment.",
                    field=IDEMPOTENCY_HEADER,
                    code="idempotency_in_progress",
                )
            response = Response(
                existing.response_body,
                status=existing.response_status,
                content_type=existing.response_headers.get("Content-Type") or None,
            )
            for name, value in existing.response_headers.items():
                if name != "Content-Type":
                    response[name] = value
            response["Idempotent-Replayed"] = "true"
            raise _Replay(response)
    raise Conflict("Could not claim the Idempotency-Key; retry.", field=IDEMPOTENCY_HEADER)


def idempotency_finish(*, record: IdempotencyRecord, response: Response) -> None:
    if response.status_code >= 500 or response.status_code in (401, 429):
        record.delete()  # not an answer worth replaying: the client may retry with the same key
        return
    headers = {k: response[k] for k in ("Location",) if response.has_header(k)}
    if response.content_type:
        headers["Content-Type"] = response.content_type
    record.completed = True
    record.response_status = response.status_code
    record.response_body = json.loads(json.dumps(response.data, cls=DjangoJSONEncoder))
    record.response_headers = headers
    record.save(update_fields=["completed", "response_status", "response_body", "response_headers"])


# --- the base class ---------------------------------------------------------------------------

_SEALED = (
    "authentication_classes",
    "permission_classes",
    "throttle_classes",
    "get_queryset",
    "initial",
    "dispatch",
    "handle_exception",
    "finalize_response",
    "get_authenticators",
    "get_permissions",
    "get_throttles",
)


class AgencyAPIView(generics.GenericAPIView):
    """Base for every agency endpoint. Subclasses set `agency_field` and `get_base_queryset()`."""

    authentication_classes: ClassVar[list[type[Any]]] = [AgencyClientAuthentication]  # type: ignore[misc]
    permission_classes: ClassVar[list[type[Any]]] = [IsAgencyClient]  # type: ignore[misc]
    throttle_classes: ClassVar[list[type[Any]]] = [AgencyClientThrottle]  # type: ignore[misc]
    pagination_class = AgencyCursorPagination
    schema = AgencyAutoSchema()
    agency_field: ClassVar[str] = ""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        overridden = [name for name in _SEALED if name in cls.__dict__]
        if overridden:
            raise TypeError(
                f"{cls.__name__} may not override {', '.join(overridden)}: agency scoping, authentication and "
                "idempotency live in AgencyAPIView. Override get_base_queryset() instead."
            )

    # -- who is calling
    @property
    def client(self) -> ApiClient:
        principal = self.request.user
        assert isinstance(principal, AgencyPrincipal)
        return principal.client

    @property
    def agency(self) -> Agency:
        return self.client.agency

    @property
    def actor(self) -> Actor:
        return Actor.for_agency(self.agency, self.client.label)

    # -- scoping
    def get_base_queryset(self) -> QuerySet[Any]:
        """The unscoped queryset; the base class filters it to the caller's agency."""
        raise NotImplementedError(f"{type(self).__name__} must define get_base_queryset()")

    def get_queryset(self) -> QuerySet[Any]:
        if getattr(self, "swagger_fake_view", False):  # schema generation: no request user
            return self.get_base_queryset().none()
        if not self.agency_field:
            raise TypeError(f"{type(self).__name__} must set agency_field")
        return self.get_base_queryset().filter(**{self.agency_field: self.agency})

    # -- idempotency around every POST
    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        self._idempotency: IdempotencyRecord | None = None
        super().initial(request, *args, **kwargs)
        key = request.headers.get(IDEMPOTENCY_HEADER)
        if request.method == "POST" and key is not None:
            self._idempotency = idempotency_begin(
                client=self.client, key=key.strip(), fingerprint=request_fingerprint(request), now=timezone.now()
            )

    def handle_exception(self, exc: Exception) -> Response:
        if isinstance(exc, _Replay):
            return exc.response
        return super().handle_exception(exc)

    def finalize_response(self, request: Request, response: Any, *args: Any, **kwargs: Any) -> Any:
        response = super().finalize_response(request, response, *args, **kwargs)
        record = getattr(self, "_idempotency", None)
        if record is not None:
            self._idempotency = None
            idempotency_finish(record=record, response=response)
            response["Idempotent-Replayed"] = "false"
        return response
