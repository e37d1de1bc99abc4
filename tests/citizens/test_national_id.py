import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from citizens import national_id
from citizens.models import Citizen
from tests.factories import CitizenFactory

RAW = "11010120090101123X"


@pytest.mark.django_db
def test_national_id_never_stored_in_plain_text_and_found_by_keyed_hash():
    citizen = CitizenFactory(national_id=RAW.lower())
    with connection.cursor() as cur:
        cur.execute("SELECT * FROM citizens_citizen WHERE id = %s", [citizen.pk])
        row = " ".join(str(v) for v in cur.fetchone())
    assert RAW not in row and RAW.lower() not in row
    assert RAW[2:-2] not in row  # not even the middle digits
    found = Citizen.objects.get(national_id_hash=national_id.keyed_hash("110101 2009 0101 123x"))
    assert found == citizen
    assert found.reveal_national_id() == RAW
    assert citizen.national_id_masked == "11**************3X"


def test_keyed_hash_depends_on_the_secret(settings):
    a = national_id.keyed_hash(RAW)
    settings.NATIONAL_ID_HMAC_KEY = "another-secret"
    assert national_id.keyed_hash(RAW) != a
    import hashlib

    assert a != hashlib.sha256(RAW.encode()).hexdigest()


def test_key_rotation_still_decrypts_old_ciphertext(settings):
    from cryptography.fernet import Fernet

    old = national_id.protect(RAW)
    settings.ENCRYPTION_KEYS = [Fernet.generate_key().decode(), *settings.ENCRYPTION_KEYS]
    assert national_id.reveal(old.ciphertext) == RAW


@pytest.mark.parametrize("bad", ["", "12", "1101-01*", "x" * 40])
def test_malformed_numbers_are_refused(bad):
    with pytest.raises(ValidationError):
        national_id.normalize(bad)


@pytest.mark.django_db
def test_number_is_not_in_logs(caplog):
    import logging

    caplog.set_level(logging.DEBUG)
    CitizenFactory(national_id=RAW)
    assert RAW not in caplog.text
