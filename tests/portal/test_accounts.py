import re

import pytest
from django.core import mail
from django.db.models import Q
from django.test import Client

from accounts.models import User
from citizens import national_id
from citizens.models import Citizen
from complaints.selectors import complaints_visible_to_user
from tests.factories import CitizenFactory, UserFactory

pytestmark = pytest.mark.django_db

RAW_ID = "11010120000101123X"


def _signup(client, **overrides):
    data = {
        "full_name": "Zhang San",
        "email": "zhang@example.org",
        "national_id": RAW_ID,
        "password1": "a-long-passphrase-2026",
        "password2": "a-long-passphrase-2026",
    }
    data.update(overrides)
    return client.post("/accounts/signup/", data)


def test_signup_creates_account_and_citizen_and_signs_in():
    client = Client()
    response = _signup(client)
    assert response.status_code == 302
    assert response["Location"] == "/file/"
    user = User.objects.get(email="zhang@example.org")
    citizen = Citizen.objects.get(user=user)
    assert citizen.full_name == "Zhang San"
    assert citizen.national_id_hash == national_id.keyed_hash(RAW_ID)
    assert citizen.national_id_masked == "11**************3X"
    assert citizen.reveal_national_id() == RAW_ID
    page = client.get("/file/")
    assert page.status_code == 200
    body = page.content.decode()
    assert RAW_ID not in body and "11**************3X" in body


def test_signup_errors_name_the_field_and_never_echo_the_id():
    client = Client()
    response = _signup(client, password2="different-passphrase-99")
    assert response.status_code == 400
    body = response.content.decode()
    assert "The two passwords are different." in body
    assert RAW_ID not in body  # the ID field is never re-rendered with its value
    assert not User.objects.filter(email="zhang@example.org").exists()

    response = _signup(client, national_id="12")
    assert response.status_code == 400
    assert "Enter the ID number as 6 to 24 letters and digits." in response.content.decode()

    response = _signup(client, password1="12345678", password2="12345678")
    assert response.status_code == 400
    assert "id_password1" in response.content.decode()


def test_signup_refuses_a_taken_email():
    UserFactory(email="zhang@example.org")
    response = _signup(Client())
    assert response.status_code == 400
    assert "already exists" in response.content.decode()


def _answer(response) -> tuple[int, str]:
    return response.status_code, response.get("Location", "")


def test_signup_with_an_id_number_that_has_an_account_is_answered_like_anyone_and_sees_nothing():
    """The takeover attempt: an attacker signs up with someone else's ID number."""
    victim = CitizenFactory(national_id=RAW_ID)
    fresh = _answer(_signup(Client(), email="fresh@example.org", national_id="110101199001011234"))
    attacker_client = Client()
    attack = _answer(_signup(attacker_client, email="other@example.org"))
    assert attack == fresh
    attacker = User.objects.get(email="other@example.org")
    victim.refresh_from_db()
    assert victim.user_id != attacker.pk
    assert not Citizen.objects.filter(Q(user=attacker) | Q(representative=attacker)).exists()
    assert not complaints_visible_to_user(attacker).exists()
    assert victim.full_name not in attacker_client.get("/").content.decode()


def test_signup_never_attaches_a_record_an_officer_created_without_an_account():
    """A phone-filed person's (or a minor's) record stays unlinked: it is claimed through an officer."""
    existing = CitizenFactory(national_id=RAW_ID, user=None, full_name="Zhang San")
    assert _signup(Client()).status_code == 302
    existing.refresh_from_db()
    assert existing.user_id is None
    attacker = User.objects.get(email="zhang@example.org")
    assert not complaints_visible_to_user(attacker).exists()
    assert Citizen.objects.filter(national_id_hash=national_id.keyed_hash(RAW_ID)).count() == 1


def test_signed_in_user_is_sent_away_from_signup(client_a):
    assert client_a.get("/accounts/signup/").status_code == 302


def test_password_reset_by_email_end_to_end():
    UserFactory(email="forgot@example.org")
    client = Client()
    response = client.post("/accounts/password-reset/", {"email": "forgot@example.org"})
    assert response.status_code == 302 and response["Location"] == "/accounts/password-reset/sent/"
    assert len(mail.outbox) == 1
    link = re.search(r"https?://[^/]+(/accounts/reset/\S+)", mail.outbox[0].body).group(1)
    response = client.get(link)  # redirects to the set-password URL (token moved to the session)
    assert response.status_code == 302
    form_url = response["Location"]
    response = client.post(form_url, {"new_password1": "brand-new-pass-2026", "new_password2": "brand-new-pass-2026"})
    assert response.status_code == 302 and response["Location"] == "/accounts/reset/done/"
    assert Client().login(email="forgot@example.org", password="brand-new-pass-2026")


def test_password_reset_for_unknown_email_sends_nothing_and_says_the_same():
    response = Client().post("/accounts/password-reset/", {"email": "nobody@example.org"})
    assert response.status_code == 302
    assert mail.outbox == []


def test_login_page_links_to_signup_and_reset():
    body = Client().get("/accounts/login/").content.decode()
    assert "/accounts/signup/" in body and "/accounts/password-reset/" in body


def test_people_add_registers_a_minor_for_the_parent(client_a, citizen_a):
    response = client_a.post(
        "/people/add/",
        {
            "full_name": "Li Xiaoming",
            "national_id": "110101201001011111",
            "date_of_birth": "2010-01-01",
            "kind": "parent",
        },
    )
    assert response.status_code == 302
    child = Citizen.objects.get(full_name="Li Xiaoming")
    assert child.representative == citizen_a.user and child.representative_kind == "parent"
    assert child.user is None


def test_people_add_refuses_someone_already_registered(client_a, citizen_b):
    response = client_a.post(
        "/people/add/", {"full_name": "Wang Fang", "national_id": "110101198002029999", "kind": "lawyer"}
    )
    assert response.status_code == 400
    assert "already registered" in response.content.decode()
    citizen_b.refresh_from_db()
    assert citizen_b.representative is None


def test_language_switch_serves_chinese():
    client = Client()
    response = client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    assert response.status_code == 302
    body = client.get("/").content.decode()
    assert 'lang="zh-Hans"' in body
    assert "信用" in body  # the page is translated, not only tagged
