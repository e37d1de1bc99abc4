"""Screen every published determination summary again (after a change to the screening) and
withhold from the public registers each one that now fails. Run once after deploying issue 10's
screening; safe to run again (withheld summaries are skipped)."""

from django.core.management.base import BaseCommand
from django.utils import timezone

from tribunal.services import determination_summaries_rescreen


class Command(BaseCommand):
    help = "Re-screen published public summaries; withhold those that fail the current screening."

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("--dry-run", action="store_true", help="only list what would be withheld")
        parser.add_argument("--batch-size", type=int, default=200)

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        report = determination_summaries_rescreen(
            now=timezone.now(), dry_run=options["dry_run"], batch_size=options["batch_size"]
        )
        verb = "would withhold" if options["dry_run"] else "withheld"
        self.stdout.write(f"{report.checked} published summaries checked, {verb} {len(report.withheld)}")
        for number in report.withheld:
            self.stdout.write(f"  {number}")
