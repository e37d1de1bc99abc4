"""Per-client rate limit of the agency API (not per IP: one agency's integration sits behind one
address, and several agencies may share one)."""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone
from rest_framework.request import Request
from rest_framework.throttling import BaseThrottle

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
            count = self._count(key, duration)
        except Exception as exc:  # the cache is down or unreachable: fail open, loudly
            logger.warning(
                "agency API throttle: cache unavailable, request of client %s let through unthrottled (%s: %s)",
                principal.client.application.client_id,
                type(exc).__name__,
                exc,
            )
            return True
        if count > limit:
            self.wait_seconds = (window + 1) * duration - now
            return False
        return True

    @staticmethod
    def _count(key: str, duration: int) -> int:
        try:
            return int(cache.incr(key))  # one round trip in the steady state
        except ValueError:  # first request of the window
            if cache.add(key, 1, timeout=duration + 5):
                return 1
            return int(cache.incr(key))  # another process created it meanwhile

    def wait(self) -> float | None:
        return self.wait_seconds
