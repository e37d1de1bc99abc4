"""`/o/token/` with limits (issue 10, attack 3: 200 wrong secrets, each about 0.5 s of CPU, were
all checked). django-oauth-toolkit's TokenView behind two fixed-window limits in the shared
cache (kernel.ratelimit), checked BEFORE the secret is:

- per address: at most OAUTH_TOKEN_RATE_PER_ADDRESS requests (default 30/minute) from one
  address (behind TRUSTED_PROXY_COUNT reverse proxies, the address they saw);
- per client: after OAUTH_TOKEN_FAILURES_PER_CLIENT refused attempts (default 10 per 15 minutes,
  from any address) the client id is locked until the window ends: even the right secret is
  answered 429 then. Someone who knows a client id can so hold it off for at most one window;
  the agency sees `Retry-After` and the failures are logged.

Refusals are problem+json 429 with `Retry-After`. When the cache is down the endpoint fails OPEN
(the token request is served) with a warning in the log, like the agency API's own throttle: a
rate limit must not take every agency integration down with Redis.
"""

from __future__ import annotations

import base64
import binascii
import logging
import time
from typing import Any
from urllib.parse import unquote_plus

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.decorators import method_decorator
from django.views.decorators.csrf import csrf_exempt
from oauth2_provider.views import TokenView

from kernel import ratelimit

from .problems import json_problem

logger = logging.getLogger(__name__)


def _client_id(request: HttpRequest) -> str:
    """The client id the caller claims: HTTP Basic (RFC 6749 2.3.1, form-encoded) or the form."""
    auth = request.META.get("HTTP_AUTHORIZATION", "")
    if auth[:6].lower() == "basic ":
        try:
            decoded = base64.b64decode(auth[6:].strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return ""
        return unquote_plus(decoded.split(":", 1)[0])[:100]
    return str(request.POST.get("client_id", ""))[:100]


def _throttled(request: HttpRequest, retry_after: int, detail: str) -> HttpResponse:
    return json_problem(request, 429, detail, headers={"Retry-After": str(retry_after)})


@method_decorator(csrf_exempt, name="dispatch")
class ThrottledTokenView(TokenView):
    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        now = time.time()
        address = ratelimit.client_address(request.META, trusted_proxies=settings.TRUSTED_PROXY_COUNT)
        client_id = _client_id(request)
        per_address = ratelimit.parse_rate(settings.OAUTH_TOKEN_RATE_PER_ADDRESS)
        failures = ratelimit.parse_rate(settings.OAUTH_TOKEN_FAILURES_PER_CLIENT)
        try:
            by_address = ratelimit.window_hit(f"oauth-token:address:{address}", per_address, now=now)
            by_client = ratelimit.window_peek(f"oauth-token:failures:{client_id}", failures, now=now)
        except Exception as exc:  # the cache is down: fail open, loudly
            logger.warning(
                "token endpoint: cache unavailable, request let through unthrottled (%s: %s)", type(exc).__name__, exc
            )
            return super().post(request, *args, **kwargs)
        if by_address.exceeded:
            return _throttled(
                request,
                by_address.retry_after,
                f"Too many token requests from your address; retry after {by_address.retry_after} seconds.",
            )
        if client_id and by_client.count >= by_client.limit:
            logger.warning("token endpoint: client %s locked after %s failed attempts", client_id, by_client.count)
            return _throttled(
                request,
                by_client.retry_after,
                "This client is locked after too many failed attempts; "
                f"retry after {by_client.retry_after} seconds with the right secret.",
            )
        response = super().post(request, *args, **kwargs)
        if client_id and response.status_code in (400, 401):
            try:
                ratelimit.window_hit(f"oauth-token:failures:{client_id}", failures, now=now)
            except Exception as exc:
                logger.warning("token endpoint: cache unavailable, failure not counted (%s)", exc)
        return response
