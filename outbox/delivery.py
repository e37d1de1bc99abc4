"""How each outbox channel leaves the building. A deliverer takes the message and the relay run's
`DeliveryContext` (the connections it reuses) and raises DeliveryError on failure."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from django.conf import settings
from django.core.mail import EmailMessage, get_connection

from .models import OutboxMessage

T = TypeVar("T")


class DeliveryError(Exception):
    """A failed attempt. `permanent`: never retried (the message is given up, DEAD). `refused`:
    the address guard refused the destination before anything was sent (REFUSED, queued again
    by a redelivery once the endpoint is fixed)."""

    def __init__(
        self, detail: str, *, permanent: bool = False, refused: bool = False, status_code: int | None = None
    ) -> None:
        super().__init__(detail)
        self.permanent = permanent or refused
        self.refused = refused
        self.status_code = status_code


@dataclass(frozen=True)
class DeliveryResult:
    status_code: int | None = None
    detail: str = ""


class DeliveryContext:
    """What one relay run shares between its messages: one HTTP connection pool per endpoint
    (the deliverer picks the key, e.g. scheme, host, checked address and port) and one SMTP
    connection, opened on first use and closed with `close_mail()` at the end of each batch.
    `close()` closes everything (the relay calls it when the run ends)."""

    def __init__(self) -> None:
        self._pools: dict[Any, Any] = {}
        self._memo: dict[Any, tuple[float, Any]] = {}
        self._mail: Any = None

    def remember(self, key: Any, factory: Callable[[], T], *, seconds: float = 5.0) -> T:
        """`factory()`, kept for `seconds` (e.g. an agency's endpoint: looked up once every few
        seconds, not once per message; a change takes effect within that time)."""
        now = time.monotonic()
        kept = self._memo.get(key)
        if kept is None or now - kept[0] > seconds:
            kept = (now, factory())
            self._memo[key] = kept
        value: T = kept[1]
        return value

    def forget(self, key: Any) -> None:
        self._memo.pop(key, None)

    def pool(self, key: Any, factory: Callable[[], T]) -> T:
        if key not in self._pools:
            self._pools[key] = factory()
        pool: T = self._pools[key]
        return pool

    def drop_pool(self, key: Any) -> None:
        pool = self._pools.pop(key, None)
        if pool is not None:
            pool.close()

    def mail(self) -> Any:
        if self._mail is None:
            connection = get_connection(fail_silently=False)
            connection.open()
            self._mail = connection
        return self._mail

    def close_mail(self) -> None:
        connection, self._mail = self._mail, None
        if connection is not None:
            with contextlib.suppress(OSError):
                connection.close()

    def close(self) -> None:
        self.close_mail()
        for key in list(self._pools):
            self.drop_pool(key)


Deliverer = Callable[[OutboxMessage, DeliveryContext], DeliveryResult]
DELIVERERS: dict[str, Deliverer] = {}


def deliverer(channel: str) -> Callable[[Deliverer], Deliverer]:
    def register(fn: Deliverer) -> Deliverer:
        DELIVERERS[channel] = fn
        return fn

    return register


@deliverer("email")
def deliver_email(message: OutboxMessage, context: DeliveryContext) -> DeliveryResult:
    p = message.payload
    try:
        email = EmailMessage(p["subject"], p["body"], settings.DEFAULT_FROM_EMAIL, [message.recipient])
    except (KeyError, TypeError, ValueError) as exc:
        raise DeliveryError(f"malformed email payload: {exc}", permanent=True) from exc
    try:
        email.connection = context.mail()
        email.send(fail_silently=False)
    except (KeyError, ValueError) as exc:
        raise DeliveryError(f"malformed email payload: {exc}", permanent=True) from exc
    except OSError as exc:  # smtplib's errors are OSErrors: drop the connection, the next message reconnects
        context.close_mail()
        raise DeliveryError(f"mail server: {exc}") from exc
    return DeliveryResult(detail="sent")
