"""The one base class for every agency endpoint (DESIGN.md house rule 7).

Authentication (agency_api.auth), per-client throttling (agency_api.throttle), agency scoping,
RFC 9457 problem details (agency_api.problems) and `Idempotency-Key` handling
(agency_api.idempotency) are fixed here; a subclass cannot replace them: `__init_subclass__`
refuses to build a class that overrides them, itself or through a mixin. Objects are only ever
read through the scoped queryset, for lists (`get_queryset`, `filter_queryset`) and for one object
(DRF's `get_object` on that queryset, sealed too), so another agency's object is simply absent:
a 404, never a 403 that would reveal it exists.

Usage (e.g. the tribunal's information requests, agency_api.tribunal_views)::

    class InformationRequestList(AgencyAPIView, generics.ListAPIView):
        agency_field = "agency"            # the lookup from the model to the Agency
        serializer_class = InformationRequestSerializer
        filterset_class = ...              # optional; cursor pagination is already on

        def get_base_queryset(self):
            return InformationRequest.objects.select_related("complaint")   # unscoped

    class InformationRequestAnswer(AgencyAPIView, generics.GenericAPIView):
        agency_field = "agency"

        def get_base_queryset(self):
            return InformationRequest.objects.all()

        def post(self, request, pk):
            obj = self.get_object()          # 404 unless it belongs to the caller's agency
            answer_service(..., actor=self.actor, now=timezone.now())   # self.agency, self.client too
            ...

The one escape hatch, as in PostHog's TeamAndOrgViewSetMixin, is `dangerously_get_queryset()`:
a view whose objects no single agency owns may define it to return its queryset unscoped; the name
is there to stop a reviewer. No view uses it.

Every POST honours `Idempotency-Key` automatically (replay, or 422 for a different body); raise
`kernel.errors.ServiceError/Conflict` or DRF exceptions and they become problem+json answers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from rest_framework import generics
from rest_framework.metadata import SimpleMetadata
from rest_framework.pagination import CursorPagination
from rest_framework.request import Request
from rest_framework.response import Response

from agencies.scoping import agency_scoped
from citizens.services import Read, access_log_record
from kernel.actors import Actor
from kernel.http import request_purpose

from .auth import AgencyClientAuthentication, AgencyPrincipal, IsAgencyClient
from .idempotency import IDEMPOTENCY_HEADER, Replay, idempotency_begin, idempotency_finish, request_fingerprint
from .models import ApiClient, IdempotencyRecord
from .schema import AgencyAutoSchema
from .throttle import AgencyClientThrottle

if TYPE_CHECKING:
    from agencies.models import Agency


class AgencyCursorPagination(CursorPagination):
    """`{"next", "previous", "results"}`; follow `next` until it is null."""

    page_size = 25
    page_size_query_param = "page_size"
    max_page_size = 100
    ordering = ("-updated_at", "-id")

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        """DRF's example `next` link ends in a stray quote, which is not a URI (Spectral's
        oas3-valid-schema-example): the examples point at this API instead."""
        out = super().get_paginated_response_schema(schema)
        for key in ("next", "previous"):
            out["properties"][key]["example"] = "https://ombudsman.example/api/v1/agency/referrals/?cursor=cD0yMDI2"
        return out


class AgencyMetadata(SimpleMetadata):
    """OPTIONS: name, description, media types and (in `Allow`) the methods; never the per-method
    field listing DRF builds by loading the object (`get_object` on views without a `pk`, such as the
    webhook, was a 500). The fields are in the OpenAPI schema."""

    def determine_actions(self, request: Any, view: Any) -> dict[str, Any]:
        return {}


# What no subclass may define (or mix in before the base class).
_SEALED = (
    "authentication_classes",
    "permission_classes",
    "throttle_classes",
    "get_queryset",
    "filter_queryset",
    "get_object",
    "initial",
    "dispatch",
    "handle_exception",
    "finalize_response",
    "get_authenticators",
    "get_permissions",
    "get_throttles",
    "metadata_class",
)


def _defined_by(cls: type, name: str) -> type | None:
    """The class whose definition of `name` `cls` uses (the first in the method resolution order)."""
    return next((klass for klass in cls.__mro__ if name in klass.__dict__), None)


def _sealed_overrides(cls: type) -> list[str]:
    """The sealed names that `cls` takes from anywhere but AgencyAPIView and the DRF classes it
    builds on: defined in the subclass itself or in a mixin ahead of the base class."""
    return [name for name in _SEALED if _defined_by(cls, name) not in AgencyAPIView.__mro__]


class AgencyAPIView(generics.GenericAPIView):
    """Base for every agency endpoint. Subclasses set `agency_field` and `get_base_queryset()`."""

    authentication_classes: ClassVar[list[type[Any]]] = [AgencyClientAuthentication]  # type: ignore[misc]
    permission_classes: ClassVar[list[type[Any]]] = [IsAgencyClient]  # type: ignore[misc]
    throttle_classes: ClassVar[list[type[Any]]] = [AgencyClientThrottle]  # type: ignore[misc]
    pagination_class = AgencyCursorPagination
    metadata_class = AgencyMetadata
    schema = AgencyAutoSchema()
    agency_field: ClassVar[str] = ""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        overridden = _sealed_overrides(cls)
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

    def log_read(self, kind: str, reads: list[Read]) -> None:
        """The access log: what this agency's client read, at which endpoint (one INSERT)."""
        access_log_record(
            reader=self.actor, kind=kind, why=request_purpose(self.request), now=timezone.now(), reads=reads
        )

    # -- scoping
    def get_base_queryset(self) -> QuerySet[Any]:
        """The unscoped queryset; the base class filters it to the caller's agency."""
        raise NotImplementedError(f"{type(self).__name__} must define get_base_queryset()")

    def dangerously_get_queryset(self) -> QuerySet[Any]:
        """The escape hatch: define it to return a queryset that is NOT scoped to the caller's agency
        (objects no single agency owns). Every use needs a reviewer's explicit agreement."""
        raise NotImplementedError

    def get_queryset(self) -> QuerySet[Any]:
        if type(self).dangerously_get_queryset is not AgencyAPIView.dangerously_get_queryset:
            return self.dangerously_get_queryset()
        if getattr(self, "swagger_fake_view", False):  # schema generation: no request user
            return self.get_base_queryset().none()
        if not self.agency_field:
            raise TypeError(f"{type(self).__name__} must set agency_field")
        return agency_scoped(self.get_base_queryset(), actor=self.actor, agency_field=self.agency_field)

    # -- idempotency around every POST
    def dispatch(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        """A POST with an Idempotency-Key runs in ONE transaction: the key's claim, the step (its
        effects and outbox rows) and the stored answer commit together or not at all. A worker
        that dies after the step but before the answer is stored leaves nothing, so a retry does
        the step once; a concurrent retry waits for the first to commit, then is replayed."""
        if request.method == "POST" and request.headers.get(IDEMPOTENCY_HEADER) is not None:
            with transaction.atomic():
                return super().dispatch(request, *args, **kwargs)
        return super().dispatch(request, *args, **kwargs)

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        self._idempotency: IdempotencyRecord | None = None
        super().initial(request, *args, **kwargs)
        key = request.headers.get(IDEMPOTENCY_HEADER)
        if request.method == "POST" and key is not None:
            self._idempotency = idempotency_begin(
                client=self.client, key=key.strip(), fingerprint=request_fingerprint(request), now=timezone.now()
            )

    def handle_exception(self, exc: Exception) -> Response:
        if isinstance(exc, Replay):
            return exc.response
        return super().handle_exception(exc)

    def finalize_response(self, request: Request, response: Any, *args: Any, **kwargs: Any) -> Any:
        response = super().finalize_response(request, response, *args, **kwargs)
        record = getattr(self, "_idempotency", None)
        if record is not None:
            self._idempotency = None
            if response.status_code >= 500:
                transaction.set_rollback(True)  # nothing of a failed request stays, its claim neither
            else:
                idempotency_finish(record=record, response=response)
            response["Idempotent-Replayed"] = "false"
        return response
