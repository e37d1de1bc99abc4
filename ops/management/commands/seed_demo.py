from django.core.management.base import BaseCommand

from ops.demo import seed_demo


class Command(BaseCommand):
    help = "Load the demo agencies, links, citizens, records and logins (idempotent)."

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        created = seed_demo()
        summary = ", ".join(f"{v} {k}" for k, v in created.items() if v) or "nothing new"
        self.stdout.write(f"demo data: created {summary}")
