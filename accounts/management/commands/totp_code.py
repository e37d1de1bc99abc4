"""Print the current TOTP code of a user (development only: refuses unless DEBUG is on).

python manage.py totp_code officer@example.org
"""

from __future__ import annotations

import time
from typing import Any

from allauth.mfa.models import Authenticator
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.services import totp_code_now
from kernel import crypto


class Command(BaseCommand):
    help = "Print the current TOTP code of a user (development only)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email")

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG:
            raise CommandError("totp_code works only with DEBUG on (development).")
        totp = Authenticator.objects.filter(user__email__iexact=options["email"], type=Authenticator.Type.TOTP).first()
        if totp is None:
            raise CommandError(f"{options['email']} has no authenticator app set up.")
        self.stdout.write(totp_code_now(crypto.decrypt(totp.data["secret"]), at=time.time()))
