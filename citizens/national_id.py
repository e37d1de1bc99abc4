"""National ID numbers: encrypted at rest, matched by a keyed hash, shown only masked.

The plain number exists only in memory: `protect()` turns it into what the database stores.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass
from functools import lru_cache

from cryptography.fernet import Fernet, MultiFernet
from django.conf import settings
from django.core.exceptions import ValidationError

_ALLOWED = re.compile(r"^[0-9A-Z]{6,24}$")


def normalize(raw: str) -> str:
    """Upper-case, strip spaces and hyphens: `110101 2009 0101 123x` -> `110101200901011234X`."""
    value = re.sub(r"[\s-]", "", raw or "").upper()
    if not _ALLOWED.match(value):
        raise ValidationError("Enter the ID number as 6 to 24 letters and digits.", code="invalid_national_id")
    return value


@lru_cache(maxsize=1)
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(k.encode()) for k in keys])


def _cipher() -> MultiFernet:
    return _fernet(tuple(settings.NATIONAL_ID_ENCRYPTION_KEYS))


def keyed_hash(raw: str) -> str:
    """HMAC-SHA256 of the normalised number with a secret key: the lookup and match token."""
    key = settings.NATIONAL_ID_HMAC_KEY.encode()
    return hmac.new(key, normalize(raw).encode(), hashlib.sha256).hexdigest()


def mask(normalized: str) -> str:
    """Keep the first 2 and last 2 characters: `11**************3X`."""
    if len(normalized) <= 4:
        return "*" * len(normalized)
    return normalized[:2] + "*" * (len(normalized) - 4) + normalized[-2:]


@dataclass(frozen=True)
class ProtectedId:
    ciphertext: str
    hash: str
    masked: str


def protect(raw: str) -> ProtectedId:
    value = normalize(raw)
    return ProtectedId(
        ciphertext=_cipher().encrypt(value.encode()).decode(),
        hash=keyed_hash(value),
        masked=mask(value),
    )


def reveal(ciphertext: str) -> str:
    return _cipher().decrypt(ciphertext.encode()).decode()
