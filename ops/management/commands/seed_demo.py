import time

from django.core.management.base import BaseCommand

from ops.demo import seed_demo


class Command(BaseCommand):
    help = "Load the demo agencies, links, citizens, records and logins (idempotent)."

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument(
            "--no-cases", action="store_true", help="Only agencies, people, records and registers (no cases)."
        )

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        started = time.monotonic()
        created = seed_demo(cases=not options["no_cases"])
        summary = ", ".join(f"{v} {k}" for k, v in created.items() if v) or "nothing new"
        self.stdout.write(f"demo data: created {summary} ({time.monotonic() - started:.1f} s)")
