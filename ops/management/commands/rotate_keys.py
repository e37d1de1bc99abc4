from django.core.management.base import BaseCommand

from ops.keys import keys_rotate


class Command(BaseCommand):
    help = (
        "Re-encrypt every encrypted field (national ID numbers, webhook secrets, ...) under the newest "
        "key of ENCRYPTION_KEYS. Batched and resumable: values already under the newest key are skipped."
    )

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("--batch-size", type=int, default=500)
        parser.add_argument("--dry-run", action="store_true", help="only count what would be re-encrypted")

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        reports = keys_rotate(batch_size=options["batch_size"], dry_run=options["dry_run"])
        verb = "would re-encrypt" if options["dry_run"] else "re-encrypted"
        for r in reports:
            done = r.stale if options["dry_run"] else r.rotated
            self.stdout.write(f"{r.model}.{r.field}: {r.total} values, {r.stale} under an older key, {verb} {done}")
        if not reports:
            self.stdout.write("no encrypted fields are registered")
