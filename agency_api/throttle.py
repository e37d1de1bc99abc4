"""Per-client rate limit of the agency API (not per IP: one agency's integration sits behind one
address, and several agencies may share one)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone
from rest_framework.request import Request
from rest_framework.throttling import BaseThrottle

from .auth import AgencyPrincipal


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
