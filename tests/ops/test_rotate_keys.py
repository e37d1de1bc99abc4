"""rotate_keys: every registered encrypted field re-encrypted under the newest key, batched,
resumable (a second run finds nothing), --dry-run only counts."""

from __future__ import annotations

from io import StringIO

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command

from citizens.models import Citizen
from kernel import crypto
from ops.keys import keys_rotate
from tests.factories import CitizenFactory

pytestmark = pytest.mark.django_db


def _report(reports, model="citizens.Citizen"):
    return next(r for r in reports if r.model == model)


def test_rotation_re_encrypts_every_id_number_under_the_newest_key(settings):
    old_key, new_key = settings.ENCRYPTION_KEYS[0], Fernet.generate_key().decode()
    citizens = [CitizenFactory() for _ in range(5)]
    plain = {c.pk: c.reveal_national_id() for c in citizens}
    settings.ENCRYPTION_KEYS = [new_key, old_key]
    CitizenFactory()  # written after the new key came in: already current

    out = StringIO()
    call_command("rotate_keys", "--dry-run", stdout=out)
    assert (
        "citizens.Citizen.national_id_ciphertext: 6 values, 5 under an older key, would re-encrypt 5" in out.getvalue()
    )
    assert not any(crypto.is_current(c.national_id_ciphertext) for c in Citizen.objects.filter(pk__in=plain))

    report = _report(keys_rotate(batch_size=2))
    assert (report.total, report.stale, report.rotated) == (6, 5, 5)

    # The old key can now be dropped: every number still opens, and matches the same hash.
    settings.ENCRYPTION_KEYS = [new_key]
    for c in Citizen.objects.filter(pk__in=plain):
        assert c.reveal_national_id() == plain[c.pk]
        assert crypto.is_current(c.national_id_ciphertext)


def test_rotation_is_resumable_and_idempotent(settings):
    for _ in range(3):
        CitizenFactory()
    settings.ENCRYPTION_KEYS = [Fernet.generate_key().decode(), *settings.ENCRYPTION_KEYS]
    first = _report(keys_rotate(batch_size=1))
    assert first.rotated == 3
    again = _report(keys_rotate(batch_size=1))
    assert (again.total, again.stale, again.rotated) == (3, 0, 0)


def test_webhook_secrets_are_encrypted_and_rotated_with_the_id_numbers(settings):
    from django.utils import timezone

    from agency_api.models import WebhookEndpoint
    from agency_api.services import webhook_endpoint_set
    from tests.factories import AgencyFactory

    old_key, new_key = settings.ENCRYPTION_KEYS[0], Fernet.generate_key().decode()
    secrets = {}
    for i in range(3):
        endpoint, secret, _created = webhook_endpoint_set(
            agency=AgencyFactory(), url=f"https://hooks{i}.example.org/in", now=timezone.now()
        )
        secrets[endpoint.pk] = secret
        stored = WebhookEndpoint.objects.values_list("secret_ciphertext", flat=True).get(pk=endpoint.pk)
        assert secret not in stored and secret.removeprefix("whsec_") not in stored  # never in clear
        assert crypto.decrypt(stored) == secret
    CitizenFactory()
    settings.ENCRYPTION_KEYS = [new_key, old_key]

    out = StringIO()
    call_command("rotate_keys", "--dry-run", stdout=out)
    assert "agency_api.WebhookEndpoint.secret_ciphertext: 3 values, 3 under an older key, would re-encrypt 3" in (
        out.getvalue()
    )
    assert "citizens.Citizen.national_id_ciphertext: 1 values, 1 under an older key" in out.getvalue()
    call_command("rotate_keys", "--batch-size", "2", stdout=StringIO())
    settings.ENCRYPTION_KEYS = [new_key]  # the old key dropped: every secret still opens
    for endpoint in WebhookEndpoint.objects.filter(pk__in=secrets):
        assert endpoint.secret == secrets[endpoint.pk]
        assert crypto.is_current(endpoint.secret_ciphertext)
    out = StringIO()
    call_command("rotate_keys", stdout=out)
    assert "agency_api.WebhookEndpoint.secret_ciphertext: 3 values, 0 under an older key, re-encrypted 0" in (
        out.getvalue()
    )


def test_rotation_re_encrypts_the_second_factor_secrets(settings):
    from allauth.mfa.models import Authenticator

    from accounts.services import totp_code_now
    from tests.factories import TEST_TOTP_SECRET, OfficerFactory

    officer = OfficerFactory()
    old_key, new_key = settings.ENCRYPTION_KEYS[0], Fernet.generate_key().decode()
    settings.ENCRYPTION_KEYS = [new_key, old_key]
    report = next(r for r in keys_rotate() if r.field == "data.secret")
    assert (report.total, report.stale, report.rotated) == (1, 1, 1)
    stored = Authenticator.objects.get(user=officer, type=Authenticator.Type.TOTP).data["secret"]
    assert crypto.is_current(stored) and crypto.decrypt(stored) == TEST_TOTP_SECRET
    settings.ENCRYPTION_KEYS = [new_key]  # the old key dropped: the officer still signs in
    assert totp_code_now(crypto.decrypt(stored), at=0)
