from celery import shared_task

from .models import Heartbeat


@shared_task(bind=True, name="ops.ping", ignore_result=True)
def ping(self, token: str) -> None:  # type: ignore[no-untyped-def]
    Heartbeat.objects.get_or_create(token=token, defaults={"worker": self.request.hostname or "unknown"})
