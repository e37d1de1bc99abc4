"""Import the records an agency holds (CSV) through the re-insertion watch.

    python manage.py import_agency_records <agency-slug> records.csv

Columns: citizen_match_token, agency_record_id, category (catalogue code, optional), list_name
(optional). Each row goes through `tribunal.services.record_reported`: a record that matches one
ordered deleted reopens its case and alerts the officer. Rows with errors are reported, not imported.
"""

from __future__ import annotations

import csv
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from agencies.models import Agency, RecordCategory
from kernel.errors import ServiceError
from tribunal import services


class Command(BaseCommand):
    help = "Import an agency's records (CSV) and check them against records ordered deleted."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("agency", help="The agency's slug.")
        parser.add_argument("csv_path", help="CSV with citizen_match_token, agency_record_id, category, list_name.")

    def handle(self, *args: Any, **options: Any) -> None:
        agency = Agency.objects.filter(slug=options["agency"]).first()
        if agency is None:
            raise CommandError(f"No agency with slug {options['agency']!r}.")
        categories = {c.code: c for c in RecordCategory.objects.all()}
        imported = matched = 0
        errors: list[str] = []
        with open(options["csv_path"], newline="", encoding="utf-8") as fh:
            for line, row in enumerate(csv.DictReader(fh), start=2):
                code = (row.get("category") or "").strip()
                if code and code not in categories:
                    errors.append(f"line {line}: unknown category {code!r}")
                    continue
                try:
                    reported = services.record_reported(
                        agency=agency,
                        citizen_match_token=(row.get("citizen_match_token") or "").strip(),
                        agency_record_id=(row.get("agency_record_id") or "").strip(),
                        category=categories.get(code) if code else None,
                        list_name=(row.get("list_name") or "").strip(),
                        source="import",
                        now=timezone.now(),
                    )
                except ServiceError as exc:
                    errors.append(f"line {line}: {exc.field}: {exc.message}")
                    continue
                imported += 1
                matched += reported.matched_watch_id is not None
        for error in errors:
            self.stderr.write(error)
        self.stdout.write(
            f"{imported} records imported, {matched} matched records ordered deleted, {len(errors)} errors"
        )
