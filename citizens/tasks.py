from celery import shared_task
from django.utils import timezone

from .services import representations_expire


@shared_task(name="citizens.tasks.expire_representations", ignore_result=True)
def expire_representations() -> None:
    """End every representation whose time is up (beat, hourly; safe to run twice)."""
    representations_expire(now=timezone.now())
