"""National ID numbers: encrypted at rest, matched by a keyed hash, shown only masked.

The plain number exists only in memory: `protect()` turns it into what the database stores.
Encryption uses the service's one key ring (kernel.crypto); `rotate_keys` re-encrypts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError

from kernel import crypto

_ALLOWED = re.compile(r"^[0-9A-Z]{6,24}$")


def normalize(raw: str) -> str:
    """Upper-case, strip spaces and hyphens: `110101 2009 0101 123x` -> `110101200901011234X`."""
    value = re.sub(r"[\s-]", "", raw or "").upper()
    if not _ALLOWED.match(value):
        raise ValidationError("Enter the ID number as 6 to 24 letters and digits.", code="invalid_national_id")
    return value


def keyed_hash(raw: str) -> str:
    """HMAC-SHA256 of the normalised number with a secret key: the lookup and match token."""
    return crypto.keyed_hash(normalize(raw))


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
        ciphertext=crypto.encrypt(value),
        hash=keyed_hash(value),
        masked=mask(value),
    )


def reveal(ciphertext: str) -> str:
    return crypto.decrypt(ciphertext)
