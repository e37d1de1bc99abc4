"""The filing wizard's session state, an interface concern rather than a domain record: its session
key, how an officer starts an assisted filing in it, and the evidence files held between the
filing screens. A file is checked on the screen where it is chosen, kept under `staging/` until the
complaint is submitted (then `complaints.services.attachment_add` stores it on the case), and
purged when a filing is abandoned. No complaint exists yet, so no domain service is involved."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import IO

from django.contrib.sessions.backends.base import SessionBase
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from kernel import uploads

SESSION_KEY = "filing"
STAGING_DIR = "staging"
MAX_STAGED_FILES = 5
# The session outlives a filing by at most this much in practice; then its evidence is purged.
STAGED_FILE_LIFETIME = timedelta(days=1)


# --- evidence held between the filing screens -------------------------------------------------


def staged_files_purge(*, now: datetime, older_than: timedelta = STAGED_FILE_LIFETIME) -> int:
    """Delete evidence files left behind by filings that were never submitted (abandoned wizards,
    expired sessions). Returns how many were deleted."""
    try:
        _dirs, names = default_storage.listdir(STAGING_DIR)
    except FileNotFoundError:
        return 0
    deleted = 0
    for name in names:
        path = f"{STAGING_DIR}/{name}"
        if default_storage.get_modified_time(path) < now - older_than:
            default_storage.delete(path)
            deleted += 1
    return deleted


def staged_file_add(
    *, fileobj: IO[bytes], filename: str, size: int | None, now: datetime | None = None
) -> dict[str, object]:
    """Check an evidence file now (type sniffed from content, size limit) so the citizen hears about
    a problem on the screen where they chose it, and keep it until the complaint is submitted.
    Abandoned files older than a day are purged on the way."""
    staged_files_purge(now=now or timezone.now())
    content, mime, ext, digest = uploads.read_checked(fileobj, size)
    name = default_storage.save(f"{STAGING_DIR}/{uuid.uuid4().hex}.{ext}", ContentFile(content))
    return {
        "path": name,
        "name": uploads.safe_original_name(filename),
        "size": len(content),
        "content_type": mime,
        "sha256": digest,
    }


def staged_file_discard(staged: dict[str, object]) -> None:
    path = str(staged.get("path", ""))
    if path.startswith(f"{STAGING_DIR}/") and default_storage.exists(path):
        default_storage.delete(path)


def assisted_filing_start(session: SessionBase, *, citizen_id: int, channel: str) -> None:
    """An officer files for someone (phone, walk-in): the wizard starts afresh for that citizen,
    and evidence a previous filing left in this session is deleted."""
    for f in (session.get(SESSION_KEY) or {}).get("files", []):
        staged_file_discard(f)
    session[SESSION_KEY] = {"assisted": True, "citizen": citizen_id, "channel": channel}
