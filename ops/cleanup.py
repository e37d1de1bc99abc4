"""Housekeeping services behind the beat jobs (ops.tasks; house rule 5: a task calls one service).

    sessions_clear_expired(now=...)      expired sessions (they hold filing drafts): deleted in batches
    oauth_tokens_clear_expired()         django-oauth-toolkit's clear_expired (tokens, grants)
    staged_files_clear(now=...)          evidence left by filings never submitted (portal.staging)

Each is safe to run twice or late: it deletes only what has expired by `now`.
"""

from __future__ import annotations

from datetime import datetime
from importlib import import_module

from django.conf import settings
from django.contrib.sessions.models import Session
from oauth2_provider.models import clear_expired

from portal.staging import staged_files_purge

DB_SESSION_ENGINES = ("django.contrib.sessions.backends.db", "django.contrib.sessions.backends.cached_db")


def sessions_clear_expired(*, now: datetime, batch_size: int = 5000) -> int:
    """Delete sessions expired before `now`, a batch per statement (database sessions), or ask
    the session engine to (any other engine). Returns how many rows were deleted (0 if unknown)."""
    if settings.SESSION_ENGINE not in DB_SESSION_ENGINES:
        import_module(settings.SESSION_ENGINE).SessionStore.clear_expired()
        return 0
    deleted = 0
    while True:
        keys = list(Session.objects.filter(expire_date__lt=now).values_list("session_key", flat=True)[:batch_size])
        if not keys:
            return deleted
        deleted += Session.objects.filter(session_key__in=keys, expire_date__lt=now).delete()[0]


def oauth_tokens_clear_expired() -> None:
    """Expired access and refresh tokens, ID tokens and grants (django-oauth-toolkit)."""
    clear_expired()


def staged_files_clear(*, now: datetime) -> int:
    return staged_files_purge(now=now)
