"""kernel.crypto: the one key ring (encrypt under the newest key, decrypt with any, rotate)."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet

from kernel import crypto


def test_encrypts_under_newest_key_and_any_key_decrypts(settings):
    old_key, new_key = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.ENCRYPTION_KEYS = [old_key]
    old_token = crypto.encrypt("secret-1")
    assert "secret-1" not in old_token
    settings.ENCRYPTION_KEYS = [new_key, old_key]
    assert crypto.decrypt(old_token) == "secret-1"
    assert not crypto.is_current(old_token)
    new_token = crypto.encrypt("secret-2")
    assert crypto.is_current(new_token)
    # Only the newest key decrypts what was encrypted now.
    assert Fernet(new_key.encode()).decrypt(new_token.encode()) == b"secret-2"
    rotated = crypto.rotate(old_token)
    assert crypto.is_current(rotated) and crypto.decrypt(rotated) == "secret-1"
    # Once the old key is dropped, only the rotated token still opens.
    settings.ENCRYPTION_KEYS = [new_key]
    assert crypto.decrypt(rotated) == "secret-1"
    with pytest.raises(crypto.InvalidToken):
        crypto.decrypt(old_token)


def test_empty_key_ring_is_refused(settings):
    settings.ENCRYPTION_KEYS = []
    with pytest.raises(RuntimeError, match="ENCRYPTION_KEYS"):
        crypto.encrypt("x")


def test_keyed_hash_depends_on_the_secret(settings):
    a = crypto.keyed_hash("value")
    settings.NATIONAL_ID_HMAC_KEY = "another-key"
    assert crypto.keyed_hash("value") != a
    assert len(a) == 64


def test_citizens_register_their_national_id_column():
    assert crypto.EncryptedField("citizens.Citizen", "national_id_ciphertext") in crypto.encrypted_fields()
