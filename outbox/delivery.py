"""How each outbox channel leaves the building. A deliverer raises DeliveryError on failure."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import send_mail

from .models import OutboxMessage


class DeliveryError(Exception):
    def __init__(self, detail: str, *, permanent: bool = False, status_code: int | None = None) -> None:
        super().__init__(detail)
        self.permanent = permanent
        self.status_code = status_code


@dataclass(frozen=True)
class DeliveryResult:
    status_code: int | None = None
    detail: str = ""


Deliverer = Callable[[OutboxMessage], DeliveryResult]
DELIVERERS: dict[str, Deliverer] = {}


def deliverer(channel: str) -> Callable[[Deliverer], Deliverer]:
    def register(fn: Deliverer) -> Deliverer:
        DELIVERERS[channel] = fn
        return fn

    return register


@deliverer("email")
def deliver_email(message: OutboxMessage) -> DeliveryResult:
    p = message.payload
    try:
        send_mail(p["subject"], p["body"], settings.DEFAULT_FROM_EMAIL, [message.recipient], fail_silently=False)
    except (KeyError, ValueError) as exc:
        raise DeliveryError(f"malformed email payload: {exc}", permanent=True) from exc
    except OSError as exc:
        raise DeliveryError(f"mail server: {exc}") from exc
    return DeliveryResult(detail="sent")
