import time
import uuid

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from ops.models import Heartbeat
from ops.tasks import ping


class Command(BaseCommand):
    help = (
        "Send a task through the broker to every queue (the default one and each kind in "
        "CELERY_QUEUES_BY_KIND) and wait until workers have written a heartbeat from each."
    )

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("--timeout", type=float, default=60.0)
        parser.add_argument("--queue", action="append", help="only these queues (repeatable)")

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        queues = options["queue"] or [settings.CELERY_TASK_DEFAULT_QUEUE, *settings.CELERY_QUEUES_BY_KIND]
        tokens = {}
        for queue in queues:
            tokens[queue] = uuid.uuid4().hex
            ping.apply_async((tokens[queue],), queue=queue)
        deadline = time.monotonic() + options["timeout"]
        while time.monotonic() < deadline:
            beats = dict(Heartbeat.objects.filter(token__in=tokens.values()).values_list("token", "worker"))
            if len(beats) == len(tokens):
                for queue, token in tokens.items():
                    self.stdout.write(f"queue {queue}: worker {beats[token]} processed the task")
                return
            time.sleep(0.5)
        missing = [q for q, t in tokens.items() if t not in beats]
        raise CommandError(f"no worker processed the task on {', '.join(missing)} within {options['timeout']} s")
