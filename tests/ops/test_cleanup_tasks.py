"""Beat jobs: expired sessions (they hold filing drafts) and expired OAuth tokens are deleted."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.utils import timezone
from oauth2_provider.models import get_access_token_model, get_application_model

from ops.tasks import clear_expired_oauth_tokens, clear_expired_sessions

pytestmark = pytest.mark.django_db


def test_beat_schedules_both_jobs():
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert {"ops.tasks.clear_expired_sessions", "ops.tasks.clear_expired_oauth_tokens"} <= tasks


def test_expired_sessions_are_cleared_live_ones_kept():
    now = timezone.now()
    Session.objects.create(session_key="expired" + "x" * 25, session_data="", expire_date=now - timedelta(days=1))
    Session.objects.create(session_key="live" + "y" * 28, session_data="", expire_date=now + timedelta(days=1))
    clear_expired_sessions()
    assert list(Session.objects.values_list("session_key", flat=True)) == ["live" + "y" * 28]


def test_expired_oauth_tokens_are_cleared_live_ones_kept(settings):
    settings.OAUTH2_PROVIDER = {**settings.OAUTH2_PROVIDER, "REFRESH_TOKEN_EXPIRE_SECONDS": 3600}
    app = get_application_model().objects.create(
        name="t", client_type="confidential", authorization_grant_type="client-credentials"
    )
    Token = get_access_token_model()
    now = timezone.now()
    Token.objects.create(application=app, token="old-token", expires=now - timedelta(days=2), scope="agency")
    Token.objects.create(application=app, token="live-token", expires=now + timedelta(hours=1), scope="agency")
    clear_expired_oauth_tokens()
    assert Token.objects.count() == 1
    assert Token.objects.get().expires > now


def test_sessions_service_takes_now_and_works_in_batches():
    from ops.cleanup import sessions_clear_expired

    now = timezone.now()
    for i in range(5):
        Session.objects.create(session_key=f"old{i:029d}", session_data="", expire_date=now - timedelta(minutes=1))
    Session.objects.create(session_key="z" * 32, session_data="", expire_date=now + timedelta(minutes=1))
    assert sessions_clear_expired(now=now - timedelta(hours=1), batch_size=2) == 0  # nothing had expired then
    assert sessions_clear_expired(now=now, batch_size=2) == 5
    assert sessions_clear_expired(now=now, batch_size=2) == 0  # safe to run twice
    assert list(Session.objects.values_list("session_key", flat=True)) == ["z" * 32]


def test_staged_files_of_abandoned_filings_are_cleared(settings, tmp_path):
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    from ops.tasks import clear_staged_files

    settings.MEDIA_ROOT = str(tmp_path)
    name = default_storage.save("staging/abandoned.pdf", ContentFile(b"%PDF-1.4"))
    assert "ops.tasks.clear_staged_files" in {e["task"] for e in settings.CELERY_BEAT_SCHEDULE.values()}
    import os

    old = (timezone.now() - timedelta(days=2)).timestamp()
    os.utime(default_storage.path(name), (old, old))
    clear_staged_files()
    assert not default_storage.exists(name)
