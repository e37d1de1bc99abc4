from celery import shared_task
from django.core.management import call_command

from .models import Heartbeat


@shared_task(bind=True, name="ops.ping", ignore_result=True)
def ping(self, token: str) -> None:  # type: ignore[no-untyped-def]
    Heartbeat.objects.get_or_create(token=token, defaults={"worker": self.request.hostname or "unknown"})


@shared_task(name="ops.tasks.clear_expired_sessions", ignore_result=True)
def clear_expired_sessions() -> None:
    """Expired sessions hold filing drafts (personal data): delete them (beat, every 6 hours)."""
    call_command("clearsessions")


@shared_task(name="ops.tasks.clear_expired_oauth_tokens", ignore_result=True)
def clear_expired_oauth_tokens() -> None:
    """Expired OAuth access/refresh tokens and grants (django-oauth-toolkit's cleartokens)."""
    call_command("cleartokens")
