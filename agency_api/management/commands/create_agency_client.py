"""`manage.py create_agency_client <agency-slug> [--name NAME]`: prints the new client's id and
secret once, as JSON. The secret is stored hashed and cannot be shown again."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from agencies.models import Agency
from agency_api.services import api_client_create
from kernel.errors import ServiceError


class Command(BaseCommand):
    help = "Create an OAuth2 client-credentials API client for an agency; prints id and secret once (JSON)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("agency_slug")
        parser.add_argument("--name", default="", help="A label for the client (e.g. the agency's system).")

    def handle(self, *args: Any, **options: Any) -> None:
        agency = Agency.objects.filter(slug=options["agency_slug"]).first()
        if agency is None:
            raise CommandError(f"No agency with slug {options['agency_slug']!r}.")
        try:
            client, secret = api_client_create(agency=agency, name=options["name"], now=timezone.now())
        except ServiceError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(
            json.dumps(
                {
                    "agency": agency.slug,
                    "client_id": client.application.client_id,
                    "client_secret": secret,
                    "token_url": "/o/token/",
                    "grant_type": "client_credentials",
                }
            )
        )
