"""Django-level 404s under /api/ and /o/ are problem+json, also with DEBUG on.

handler404 (agency_api.problems.api_not_found) covers production; under DEBUG Django answers an
unresolved URL with its HTML technical page instead, which a generated client cannot read. This
middleware turns any such HTML 404 of an API path into the same problem answer.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from .problems import api_not_found, is_api_request


class ApiNotFoundMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            response.status_code == 404
            and is_api_request(request)
            and response.get("Content-Type", "").startswith("text/html")
        ):
            return api_not_found(request)
        return response
