"""Staff and agency users: a second factor before anything answers, short sessions, and no way
around the sign-in limits (accounts.middleware, accounts.adapter, allauth settings)."""

from __future__ import annotations

import time

import pytest
from allauth.mfa.models import Authenticator
from django.test import Client, override_settings

from accounts.middleware import SIGNED_IN_AT
from accounts.services import totp_code_now
from tests.factories import TEST_TOTP_SECRET, AgencyMembershipFactory, OfficerFactory, SeniorOfficerFactory, UserFactory

pytestmark = pytest.mark.django_db
PASSWORD = "pw-for-tests-2026"


def _sign_in(client: Client, email: str, password: str = PASSWORD):  # type: ignore[no-untyped-def]
    return client.post("/accounts/login/", {"login": email, "password": password})


def _code(at: float | None = None) -> str:
    return totp_code_now(TEST_TOTP_SECRET, at=time.time() if at is None else at)


def test_an_officer_without_a_second_factor_reaches_no_staff_page_nor_the_admin() -> None:
    officer = OfficerFactory(second_factor=False)
    client = Client()
    client.force_login(officer)
    for path in ("/officer/", "/officer/file/", "/admin/", "/admin/citizens/citizen/", "/"):
        response = client.get(path)
        assert response.status_code == 302 and response["Location"] == "/accounts/2fa/", path
    api = client.get("/api/v1/agency/referrals/")
    assert api.status_code == 403 and api["Content-Type"].startswith("application/problem+json")
    # The account pages stay open, to set the factor up.
    assert client.get("/accounts/2fa/").status_code == 200


def test_an_agency_user_without_a_second_factor_is_sent_to_set_one_up() -> None:
    member = AgencyMembershipFactory(second_factor=False)
    client = Client()
    client.force_login(member.user)
    response = client.get("/agency/")
    assert response.status_code == 302 and response["Location"] == "/accounts/2fa/"


def test_citizens_are_not_forced_to_add_a_second_factor() -> None:
    client = Client()
    client.force_login(UserFactory())
    assert client.get("/cases/").status_code == 200


def test_an_officer_signs_in_with_password_then_the_authenticator_code() -> None:
    officer = OfficerFactory()
    client = Client()
    response = _sign_in(client, officer.email)
    assert response.status_code == 302 and response["Location"] == "/accounts/2fa/authenticate/"
    assert client.get("/officer/").status_code == 302  # not signed in before the code
    wrong = client.post("/accounts/2fa/authenticate/", {"code": "000000"})
    assert wrong.status_code == 200 and client.get("/officer/").status_code == 302
    response = client.post("/accounts/2fa/authenticate/", {"code": _code()})
    assert response.status_code == 302
    assert client.get("/officer/").status_code == 200


def test_the_admin_login_is_the_sign_in_page_with_its_second_factor() -> None:
    response = Client().get("/admin/login/?next=/admin/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    senior = SeniorOfficerFactory(is_superuser=True)
    client = Client()
    assert client.post("/admin/login/", {"username": senior.email, "password": PASSWORD}).status_code == 302
    assert client.get("/admin/").status_code == 302  # the password alone opened nothing


def test_two_hundred_wrong_passwords_lock_the_account_and_the_right_one_then_fails_too() -> None:
    """5 failures per account per 5 minutes (then "too many attempts"), 30 sign-in posts a minute
    per address (then 429): the 200-try attack gets 5 real guesses."""
    senior = SeniorOfficerFactory(is_superuser=True)
    too_many = "Too many failed login attempts"
    refused = 0
    for n in range(200):
        response = Client(REMOTE_ADDR=f"10.0.{n // 250}.{n % 250}").post(
            "/accounts/login/", {"login": senior.email, "password": f"wrong-{n}"}
        )
        refused += response.status_code == 429 or too_many in response.content.decode()
    assert refused == 195
    client = Client(REMOTE_ADDR="192.0.2.1")  # even from a fresh address, the right password fails
    locked = _sign_in(client, senior.email)
    assert locked.status_code == 200 and too_many in locked.content.decode()
    assert client.get("/admin/").status_code == 302


def test_a_sign_in_flood_from_one_address_is_answered_429() -> None:
    user = UserFactory()
    statuses = [_sign_in(Client(), user.email, "wrong").status_code for _ in range(40)]
    assert statuses.count(429) >= 10
    assert "Too many attempts" in _sign_in(Client(), user.email, "wrong").content.decode()


def test_staff_cannot_delete_their_last_authenticator() -> None:
    officer = OfficerFactory()
    client = Client()
    client.force_login(officer)
    response = client.post("/accounts/2fa/totp/deactivate/", {})
    assert Authenticator.objects.filter(user=officer, type=Authenticator.Type.TOTP).exists()
    assert response.status_code in (200, 302)


def test_a_citizen_may_remove_their_own_authenticator() -> None:
    from accounts.adapter import MFAAdapter
    from accounts.services import user_activate_totp

    user = UserFactory()
    totp = user_activate_totp(user=user, secret=TEST_TOTP_SECRET)
    assert MFAAdapter().can_delete_authenticator(totp)


def test_a_staff_session_ends_after_twelve_hours_whatever_the_activity() -> None:
    officer = OfficerFactory()
    client = Client()
    client.force_login(officer)
    assert client.get("/officer/").status_code == 200
    session = client.session
    session[SIGNED_IN_AT] = time.time() - 12 * 3600 - 1
    session.save()
    response = client.get("/officer/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert client.get("/officer/").status_code == 302


@override_settings(STAFF_SESSION_IDLE_SECONDS=1800)
def test_a_staff_session_expires_after_thirty_minutes_idle() -> None:
    officer = OfficerFactory()
    client = Client()
    client.force_login(officer)
    client.get("/officer/")
    assert client.session.get_expiry_age() == 1800


def test_totp_secrets_are_stored_encrypted() -> None:
    officer = OfficerFactory()
    stored = Authenticator.objects.get(user=officer, type=Authenticator.Type.TOTP).data["secret"]
    assert TEST_TOTP_SECRET not in stored
