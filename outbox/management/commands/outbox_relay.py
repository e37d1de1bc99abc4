"""`manage.py outbox_relay [--lane L] [--budget S]`: one relay run in this process (what the relay
tasks do), for operators and for the benchmarks' worker processes."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from outbox.services import LANES, outbox_relay_run


class Command(BaseCommand):
    help = "Deliver the outbox messages that are due (one relay run), then exit."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--lane", choices=LANES, default=None, help="one lane (default: every channel)")
        parser.add_argument("--budget", type=float, default=None, help="stop after this many seconds")

    def handle(self, *args: Any, **options: Any) -> None:
        run = outbox_relay_run(lane=options["lane"], time_budget=options["budget"])
        self.stdout.write(f"delivered {run.delivered} of {run.attempted} attempted in {run.batches} batches")
