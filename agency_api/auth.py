"""Who is calling the agency API: OAuth2 client credentials (django-oauth-toolkit), where the
token's application must be an active agency's unrevoked `ApiClient`. `request.user` is then an
`AgencyPrincipal` (there is no human user). The OpenAPI security scheme is declared here too."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, QueryDict
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema
from oauth2_provider.contrib.rest_framework import OAuth2Authentication
from rest_framework import exceptions
from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from .models import ApiClient

SCOPE = "agency"


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
            if request._request.headers.get("Authorization", "").lower().startswith("bearer "):
                # A token was sent but is unknown, expired or revoked: say so (RFC 6750 §3.1), not
                # "credentials were not provided".
                request.oauth2_error = request.oauth2_error or {  # type: ignore[attr-defined]
                    "error": "invalid_token",
                    "error_description": "The access token is invalid",
                }
                raise exceptions.AuthenticationFailed(
                    "Invalid token: it is unknown, expired or revoked. Fetch a new one with POST /o/token/."
                )
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


class AgencyClientScheme(OpenApiAuthenticationExtension):
    target_class = "agency_api.auth.AgencyClientAuthentication"
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
