from celery import shared_task
from django.utils import timezone

from privacy.services import retention_run

from .cleanup import oauth_tokens_clear_expired, sessions_clear_expired, staged_files_clear
from .models import Heartbeat


@shared_task(bind=True, name="ops.ping", ignore_result=True)
def ping(self, token: str) -> None:  # type: ignore[no-untyped-def]
    Heartbeat.objects.get_or_create(token=token, defaults={"worker": self.request.hostname or "unknown"})


@shared_task(name="ops.tasks.clear_expired_sessions", ignore_result=True)
def clear_expired_sessions() -> None:
    """Expired sessions hold filing drafts (personal data): delete them (beat, every 6 hours)."""
    sessions_clear_expired(now=timezone.now())


@shared_task(name="ops.tasks.clear_expired_oauth_tokens", ignore_result=True)
def clear_expired_oauth_tokens() -> None:
    """Expired OAuth access/refresh tokens and grants (beat, every 6 hours)."""
    oauth_tokens_clear_expired()


@shared_task(name="ops.tasks.clear_staged_files", ignore_result=True)
def clear_staged_files() -> None:
    """Evidence files of filings never submitted, older than a day (beat, every 6 hours)."""
    staged_files_clear(now=timezone.now())


@shared_task(name="ops.tasks.apply_retention", ignore_result=True)
def apply_retention() -> None:
    """The retention schedule (settings.RETENTION, docs/retention.md): erase what is older than its
    period, in batches (beat, nightly; safe to run twice or late)."""
    retention_run(now=timezone.now())
