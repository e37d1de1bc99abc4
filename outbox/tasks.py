from celery import shared_task

from .services import RELAY_TASK, outbox_relay


@shared_task(name=RELAY_TASK, ignore_result=True)
def relay_outbox() -> int:
    return outbox_relay()
