"""Request ids, and Django-level 404s under /api/ and /o/ as problem+json (also with DEBUG on).

`RequestIdMiddleware`: every response carries `Request-Id`: the caller's own (a `Request-Id`
header of 1-128 visible ASCII characters) or a new UUID; problem bodies repeat it as `request_id`,
and it is the key to find a call in the logs.

`ApiNotFoundMiddleware`:
handler404 (agency_api.problems.api_not_found) covers production; under DEBUG Django answers an
unresolved URL with its HTML technical page instead, which a generated client cannot read. This
middleware turns any such HTML 404 of an API path into the same problem answer.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from .problems import api_not_found, is_api_request

REQUEST_ID_HEADER = "Request-Id"
_SAFE_ID = re.compile(r"^[\x21-\x7e]{1,128}$")


class RequestIdMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        given = request.headers.get(REQUEST_ID_HEADER, "")
        request_id = given if _SAFE_ID.match(given) else str(uuid.uuid4())
        request.request_id = request_id  # type: ignore[attr-defined]
        response = self.get_response(request)
        response[REQUEST_ID_HEADER] = request_id
        return response


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
