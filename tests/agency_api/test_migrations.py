"""agency_api 0002: webhook secrets stored in clear before it are encrypted by it, and back."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from kernel import crypto
from tests.factories import AgencyFactory

BEFORE = [("agency_api", "0001_initial")]
AFTER = [("agency_api", "0002_webhook_secret_encrypted")]


def _migrate(target):  # type: ignore[no-untyped-def]
    executor = MigrationExecutor(connection)
    executor.migrate(target)
    return executor.loader.project_state(target).apps


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_plain_secrets_are_encrypted_and_decrypted_back() -> None:
    agency = AgencyFactory()
    try:
        old = _migrate(BEFORE)
        now = timezone.now()
        old.get_model("agency_api", "WebhookEndpoint").objects.create(
            agency_id=agency.pk,
            url="https://hooks.example.org/in",
            secret="whsec_plain",
            created_at=now,
            updated_at=now,
        )
        new = _migrate(AFTER)
        row = new.get_model("agency_api", "WebhookEndpoint").objects.get(agency_id=agency.pk)
        assert "plain" not in row.secret_ciphertext and crypto.decrypt(row.secret_ciphertext) == "whsec_plain"

        back = _migrate(BEFORE)
        assert back.get_model("agency_api", "WebhookEndpoint").objects.get(agency_id=agency.pk).secret == "whsec_plain"
    finally:
        _migrate([("agency_api", MigrationExecutor(connection).loader.graph.leaf_nodes("agency_api")[0][1])])
    from agency_api.models import WebhookEndpoint

    assert WebhookEndpoint.objects.get(agency_id=agency.pk).secret == "whsec_plain"
