import time
import uuid

from django.core.management.base import BaseCommand, CommandError

from ops.models import Heartbeat
from ops.tasks import ping


class Command(BaseCommand):
    help = "Send a task through the broker and wait until a worker has written its heartbeat."

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("--timeout", type=float, default=60.0)

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        token = uuid.uuid4().hex
        ping.delay(token)
        deadline = time.monotonic() + options["timeout"]
        while time.monotonic() < deadline:
            beat = Heartbeat.objects.filter(token=token).first()
            if beat:
                self.stdout.write(f"worker {beat.worker} processed the task")
                return
            time.sleep(0.5)
        raise CommandError(f"no worker processed the task within {options['timeout']} s")
