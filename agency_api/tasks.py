from celery import shared_task
from django.utils import timezone

from .services import idempotency_records_purge


@shared_task(name="agency_api.tasks.purge_idempotency_records", ignore_result=True)
def purge_idempotency_records() -> int:
    return idempotency_records_purge(now=timezone.now())
