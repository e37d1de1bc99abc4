"""The key ring: one set of Fernet keys for every secret the service stores encrypted (national ID
numbers, webhook signing secrets, ...), and the registry of encrypted fields `rotate_keys` walks.

Keys come from the environment (`ENCRYPTION_KEYS`, comma-separated, NEWEST FIRST; the older
`NATIONAL_ID_ENCRYPTION_KEYS` name is still read). New values are always encrypted under the
newest key; any key in the ring decrypts. To rotate: put a new key first, deploy, run
`manage.py rotate_keys`, then drop the old key once it reports nothing left.

An app with an encrypted column registers it once (in its AppConfig.ready or models module):

    register_encrypted_field("agency_api.WebhookEndpoint", "secret_ciphertext")

Kernel has no models: the registry holds model labels, the command resolves them.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings

__all__ = [
    "EncryptedField",
    "InvalidToken",
    "decrypt",
    "encrypt",
    "encrypted_fields",
    "is_current",
    "keyed_hash",
    "register_encrypted_field",
    "rotate",
]


def _keys() -> tuple[str, ...]:
    keys = tuple(k for k in getattr(settings, "ENCRYPTION_KEYS", ()) if k)
    if not keys:
        raise RuntimeError("ENCRYPTION_KEYS is empty: set at least one Fernet key.")
    return keys


@lru_cache(maxsize=4)
def _ring(keys: tuple[str, ...]) -> tuple[Fernet, MultiFernet]:
    fernets = [Fernet(k.encode()) for k in keys]
    return fernets[0], MultiFernet(fernets)


def encrypt(plain: str) -> str:
    """Encrypt under the newest key."""
    return _ring(_keys())[1].encrypt(plain.encode()).decode()


def decrypt(token: str) -> str:
    """Decrypt with whichever key of the ring fits (InvalidToken if none does)."""
    return _ring(_keys())[1].decrypt(token.encode()).decode()


def is_current(token: str) -> bool:
    """True when the token is already encrypted under the newest key (nothing to rotate)."""
    newest = _ring(_keys())[0]
    try:
        newest.decrypt(token.encode())
    except InvalidToken:
        return False
    return True


def rotate(token: str) -> str:
    """Re-encrypt a token under the newest key (keeps its plain text)."""
    return _ring(_keys())[1].rotate(token.encode()).decode()


def keyed_hash(value: str, *, key: str | None = None) -> str:
    """HMAC-SHA256 with a secret key that never lives in the database: a lookup token for
    values that are stored encrypted (an ID number is found by its keyed hash)."""
    secret = (key if key is not None else settings.NATIONAL_ID_HMAC_KEY).encode()
    return hmac.new(secret, value.encode(), hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class EncryptedField:
    model: str  # "app_label.ModelName"
    field: str  # a text column holding a Fernet token ("" or NULL = nothing stored), or
    # "column.key": the key of a JSON column holding one (allauth's MFA secrets)


_REGISTRY: dict[tuple[str, str], EncryptedField] = {}


def register_encrypted_field(model: str, field: str) -> None:
    """Declare a column that holds key-ring tokens, so `rotate_keys` re-encrypts it."""
    _REGISTRY[(model, field)] = EncryptedField(model=model, field=field)


def encrypted_fields() -> list[EncryptedField]:
    return sorted(_REGISTRY.values(), key=lambda f: (f.model, f.field))
