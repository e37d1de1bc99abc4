"""Fixed-window counters in the default cache (Redis in production, so a limit holds across web
processes): the one rate-limit primitive of the service (the agency API's per-client throttle,
the OAuth token endpoint's per-address and per-client limits).

    rate = parse_rate("10/15m")                  # (10, 900): 10 per 15 minutes
    hit = window_hit("token:addr:1.2.3.4", rate, now=time.time())
    if hit.exceeded: answer 429 with Retry-After: hit.retry_after

`window_hit` counts one event and says whether the window's count is now over the limit;
`window_peek` only reads. Both raise whatever the cache raises when it is down: callers decide
to fail open or closed.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from django.core.cache import cache

_RATE = re.compile(r"^\s*(\d+)\s*/\s*(\d*)\s*(s|sec|second|m|min|minute|h|hour|d|day)s?\s*$")
_UNIT = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_rate(rate: str) -> tuple[int, int]:
    """'1200/minute', '10/15m', '5/h' -> (limit, window in seconds)."""
    match = _RATE.match(rate)
    if match is None:
        raise ValueError(f"Not a rate: {rate!r} (write e.g. 20/minute or 10/15m).")
    count, multiplier, unit = match.groups()
    return int(count), int(multiplier or 1) * _UNIT[unit[0]]


@dataclass(frozen=True)
class Hit:
    count: int
    limit: int
    retry_after: int  # seconds until the window ends

    @property
    def exceeded(self) -> bool:
        return self.count > self.limit


def _key(name: str, window_seconds: int, now: float) -> tuple[str, int]:
    window = int(now // window_seconds)
    return f"ratelimit:{name}:{window_seconds}:{window}", math.ceil((window + 1) * window_seconds - now)


def window_hit(name: str, rate: tuple[int, int], *, now: float) -> Hit:
    limit, seconds = rate
    key, retry_after = _key(name, seconds, now)
    try:
        count = int(cache.incr(key))  # one round trip in the steady state
    except ValueError:  # first event of the window
        count = 1 if cache.add(key, 1, timeout=seconds + 5) else int(cache.incr(key))
    return Hit(count=count, limit=limit, retry_after=max(retry_after, 1))


def window_peek(name: str, rate: tuple[int, int], *, now: float) -> Hit:
    limit, seconds = rate
    key, retry_after = _key(name, seconds, now)
    return Hit(count=int(cache.get(key) or 0), limit=limit, retry_after=max(retry_after, 1))


def client_address(meta: dict[str, str], *, trusted_proxies: int = 0) -> str:
    """The caller's address: REMOTE_ADDR, or, behind `trusted_proxies` reverse proxies that each
    append to X-Forwarded-For, the address the outermost trusted proxy saw."""
    if trusted_proxies > 0:
        hops = [h.strip() for h in meta.get("HTTP_X_FORWARDED_FOR", "").split(",") if h.strip()]
        if len(hops) >= trusted_proxies:
            return hops[-trusted_proxies]
    return meta.get("REMOTE_ADDR", "") or "unknown"
