from celery import shared_task

from .services import outbox_relay


@shared_task(name="outbox.tasks.relay_outbox", ignore_result=True)
def relay_outbox() -> int:
    return outbox_relay()
