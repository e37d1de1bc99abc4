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
