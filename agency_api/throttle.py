"""Per-client rate limit of the agency API (not per IP: one agency's integration sits behind one
address, and several agencies may share one)."""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.utils import timezone
from rest_framework.request import Request
from rest_framework.throttling import BaseThrottle

from kernel import ratelimit

from .auth import AgencyPrincipal

logger = logging.getLogger(__name__)


class AgencyClientThrottle(BaseThrottle):
    """Fixed-window request counter per API client in the default cache (Redis when CACHE_URL is
    set, so the limit holds across web processes). Rate: settings.AGENCY_API_THROTTLE_RATE.

    Fails open: when the cache cannot be reached the request is let through and a warning is logged
    (a rate limit protects the service; it must not take every agency call down with Redis)."""

    def __init__(self) -> None:
        self.wait_seconds: float | None = None

    @staticmethod
    def rate() -> tuple[int, int]:
        return ratelimit.parse_rate(str(getattr(settings, "AGENCY_API_THROTTLE_RATE", "1200/minute")))

    def allow_request(self, request: Request, view: Any) -> bool:
        principal = request.user
        if not isinstance(principal, AgencyPrincipal):
            return True
        client_id = principal.client.application.client_id
        try:
            hit = ratelimit.window_hit(f"agency-api:{client_id}", self.rate(), now=timezone.now().timestamp())
        except Exception as exc:  # the cache is down or unreachable: fail open, loudly
            logger.warning(
                "agency API throttle: cache unavailable, request of client %s let through unthrottled (%s: %s)",
                client_id,
                type(exc).__name__,
                exc,
            )
            return True
        if hit.exceeded:
            self.wait_seconds = hit.retry_after
            return False
        return True

    def wait(self) -> float | None:
        return self.wait_seconds
