"""Portal writes that are not complaint transitions: accounts and citizen records, and evidence
files held between the filing screens. Complaint writes go through `complaints.services`."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta
from typing import IO

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role, User
from citizens import national_id
from citizens.models import Citizen, RepresentativeKind
from kernel import uploads
from kernel.errors import ServiceError

STAGING_DIR = "staging"
MAX_STAGED_FILES = 5
# The session outlives a filing by at most this much in practice; then its evidence is purged.
STAGED_FILE_LIFETIME = timedelta(days=1)


def _normalized_id(raw: str) -> str:
    try:
        return national_id.normalize(raw)
    except ValidationError:
        raise ServiceError(_("Enter the ID number as 6 to 24 letters and digits."), field="national_id")


def _existing_citizen(raw_id: str) -> Citizen | None:
    return Citizen.objects.filter(national_id_hash=national_id.keyed_hash(raw_id)).first()


def citizen_sign_up(
    *, email: str, password: str, full_name: str, national_id_number: str, language: str = "en"
) -> User:
    """Create a citizen's account and their citizen record. A citizen record that an officer created
    for them (assisted filing, no account yet) is linked to the new account."""
    normalized = _normalized_id(national_id_number)
    email = User.objects.normalize_email(email).lower()
    if User.objects.filter(email__iexact=email).exists():
        raise ServiceError(_("An account with this email address already exists. Sign in instead."), field="email")
    with transaction.atomic():
        existing = Citizen.objects.select_for_update().filter(national_id_hash=national_id.keyed_hash(normalized))
        citizen = existing.first()
        if citizen is not None and citizen.user_id is not None:
            raise ServiceError(
                _("This ID number is already registered to an account. Contact us if this is wrong."),
                field="national_id",
            )
        try:
            user = User.objects.create_user(
                email=email,
                password=password,
                full_name=full_name.strip(),
                role=Role.CITIZEN,
                preferred_language=language,
            )
        except IntegrityError:
            raise ServiceError(_("An account with this email address already exists. Sign in instead."), field="email")
        if citizen is None:
            citizen = Citizen(full_name=full_name.strip(), email=email, preferred_language=language)
            citizen.set_national_id(normalized)
        citizen.user = user
        citizen.email = citizen.email or email
        citizen.save()
    return user


def citizen_add_represented(
    *, representative: User, full_name: str, national_id_number: str, date_of_birth: date | None, kind: str
) -> Citizen:
    """Register a person the user represents (a parent for a minor, a lawyer for a client)."""
    normalized = _normalized_id(national_id_number)
    if kind not in RepresentativeKind.values:
        raise ServiceError(_("Choose how you represent this person."), field="kind")
    if not full_name.strip():
        raise ServiceError(_("Enter the person's full name."), field="full_name")
    with transaction.atomic():
        if _existing_citizen(normalized) is not None:
            # Never attach a stranger's existing record to whoever knows their ID number.
            raise ServiceError(
                _("This person is already registered with us. Ask us to add you as their representative."),
                field="national_id",
            )
        citizen = Citizen(
            full_name=full_name.strip(),
            date_of_birth=date_of_birth,
            representative=representative,
            representative_kind=kind,
            email=representative.email,
        )
        citizen.set_national_id(normalized)
        try:
            citizen.save()
        except IntegrityError:
            raise ServiceError(_("This person is already registered with us."), field="national_id")
    return citizen


def citizen_find_or_create_assisted(
    *, national_id_number: str, full_name: str, email: str = "", phone: str = ""
) -> tuple[Citizen, bool]:
    """For an officer filing on someone's behalf (phone or walk-in): the citizen with this ID
    number (matched by keyed hash), or a new citizen record without an account."""
    normalized = _normalized_id(national_id_number)
    existing = _existing_citizen(normalized)
    if existing is not None:
        return existing, False
    if not full_name.strip():
        raise ServiceError(_("Enter the person's full name."), field="full_name")
    citizen = Citizen(full_name=full_name.strip(), email=email.strip(), phone=phone.strip())
    citizen.set_national_id(normalized)
    try:
        with transaction.atomic():
            citizen.save()
    except IntegrityError:
        existing = _existing_citizen(normalized)
        if existing is None:
            raise
        return existing, False
    return citizen, True


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
