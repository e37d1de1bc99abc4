import re
from datetime import timedelta

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Q
from django.test import Client
from django.utils import timezone

from accounts.models import User
from citizens import national_id
from citizens.models import Citizen, RepresentationRequest, RepresentationStatus
from citizens.services import representation_refuse, representation_verify, representations_expire
from complaints.selectors import complaints_visible_to_user
from kernel.actors import Actor
from kernel.errors import ServiceError
from outbox.models import Channel, OutboxMessage
from portal.selectors import citizens_user_can_file_for
from tests.factories import CitizenFactory, OfficerFactory, UserFactory, make_complaint

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


def _mails(to: str) -> list[OutboxMessage]:
    """Account mail leaves through the outbox (accounts.adapter), never from the request."""
    return list(OutboxMessage.objects.filter(channel=Channel.EMAIL, recipient=to).order_by("created_at"))


def _link(message: OutboxMessage, path: str) -> str:
    found = re.search(rf"https?://[^/\s]+({re.escape(path)}\S+)", message.payload["body"])
    assert found, message.payload["body"]
    return found.group(1)


def _verify(client: Client, email: str) -> None:
    link = _link(_mails(email)[-1], "/accounts/confirm-email/")
    assert client.get(link).status_code == 200
    assert client.post(link).status_code == 302


def test_signup_verifies_the_email_then_creates_the_citizen_record():
    client = Client()
    response = _signup(client)
    assert response.status_code == 302 and response["Location"] == "/accounts/confirm-email/"
    assert mail.outbox == []  # nothing sent inside the request
    (message,) = _mails("zhang@example.org")
    assert message.topic == "account.email_confirmation_signup"
    user = User.objects.get(email="zhang@example.org")
    citizen = Citizen.objects.get(user=user)
    assert citizen.full_name == "Zhang San"
    assert citizen.national_id_hash == national_id.keyed_hash(RAW_ID)
    assert citizen.reveal_national_id() == RAW_ID
    # Not signed in until the address is verified.
    assert client.get("/cases/").status_code == 302
    _verify(client, "zhang@example.org")
    page = client.get("/file/")
    assert page.status_code == 200
    body = page.content.decode()
    assert RAW_ID not in body and "11**************3X" in body


def test_an_unverified_account_cannot_sign_in():
    _signup(Client())
    response = Client().post("/accounts/login/", {"login": "zhang@example.org", "password": "a-long-passphrase-2026"})
    assert response.status_code == 302 and response["Location"] == "/accounts/confirm-email/"


def test_signup_errors_name_the_field_and_never_echo_the_id():
    client = Client()
    response = _signup(client, password2="different-passphrase-99")
    assert response.status_code == 200
    body = response.content.decode()
    assert "has-error" in body
    assert RAW_ID not in body  # the ID field is never re-rendered with its value
    assert not User.objects.filter(email="zhang@example.org").exists()

    response = _signup(client, national_id="12")
    assert "Enter the ID number as 6 to 24 letters and digits." in response.content.decode()
    assert not User.objects.filter(email="zhang@example.org").exists()


def _answer(response) -> tuple[int, str]:
    return response.status_code, response.get("Location", "")


def test_signup_with_a_taken_email_is_answered_like_any_other_and_the_owner_is_told():
    """Enumeration: the page says the same; the owner of the address gets a mail about it."""
    UserFactory(email="zhang@example.org")
    fresh = _answer(_signup(Client(), email="fresh@example.org", national_id="110101199001011234"))
    taken = _answer(_signup(Client()))
    assert taken == fresh
    assert [m.topic for m in _mails("zhang@example.org")] == ["account.account_already_exists"]
    assert User.objects.filter(email__iexact="zhang@example.org").count() == 1


def test_signup_with_an_id_number_that_has_an_account_is_answered_like_anyone_and_sees_nothing():
    """The takeover attempt: an attacker signs up with someone else's ID number."""
    victim = CitizenFactory(national_id=RAW_ID)
    fresh = _answer(_signup(Client(), email="fresh@example.org", national_id="110101199001011234"))
    attacker_client = Client()
    attack = _answer(_signup(attacker_client, email="other@example.org"))
    assert attack == fresh
    _verify(attacker_client, "other@example.org")
    attacker = User.objects.get(email="other@example.org")
    victim.refresh_from_db()
    assert victim.user_id != attacker.pk
    assert not Citizen.objects.filter(Q(user=attacker) | Q(representative=attacker)).exists()
    assert not complaints_visible_to_user(attacker).exists()
    for path in ("/", "/cases/", "/file/"):
        assert victim.full_name not in attacker_client.get(path).content.decode()


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
    response = client.post("/accounts/password/reset/", {"email": "forgot@example.org"})
    assert response.status_code == 302 and response["Location"] == "/accounts/password/reset/done/"
    (message,) = _mails("forgot@example.org")
    assert message.topic == "account.password_reset_key"
    response = client.get(_link(message, "/accounts/password/reset/key/"))
    assert response.status_code == 302  # the key moves to the session
    form_url = response["Location"]
    response = client.post(form_url, {"password1": "brand-new-pass-2026", "password2": "brand-new-pass-2026"})
    assert response.status_code == 302 and response["Location"] == "/accounts/password/reset/key/done/"
    assert Client().login(email="forgot@example.org", password="brand-new-pass-2026")


def test_password_reset_answers_the_same_for_an_unknown_address():
    UserFactory(email="known@example.org")
    known = _answer(Client().post("/accounts/password/reset/", {"email": "known@example.org"}))
    unknown = _answer(Client().post("/accounts/password/reset/", {"email": "nobody@example.org"}))
    assert known == unknown
    assert not _mails("nobody@example.org") or _mails("nobody@example.org")[0].topic == "account.unknown_account"


def test_two_hundred_reset_requests_send_a_handful_of_mails():
    UserFactory(email="victim@example.org")
    client = Client()
    for _ in range(200):
        client.post("/accounts/password/reset/", {"email": "victim@example.org"})
    assert len(_mails("victim@example.org")) <= 5


def test_login_page_links_to_signup_and_reset():
    body = Client().get("/accounts/login/").content.decode()
    assert "/accounts/signup/" in body and "/accounts/password/reset/" in body


PROOF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _ask_to_represent(client, national_id: str, name: str = "Li Xiaoming", kind: str = "parent"):
    return client.post(
        "/people/add/",
        {
            "full_name": name,
            "national_id": national_id,
            "date_of_birth": "2010-01-01",
            "kind": kind,
            "proof": SimpleUploadedFile("proof.pdf", PROOF, content_type="application/pdf"),
        },
    )


def test_asking_to_represent_someone_gives_nothing_until_an_officer_verifies(client_a, citizen_a):
    response = _ask_to_represent(client_a, "110101201001011111")
    assert response.status_code == 302 and response["Location"] == "/cases/"
    child = Citizen.objects.get(national_id_hash=national_id.keyed_hash("110101201001011111"))
    request = RepresentationRequest.objects.get(citizen=child)
    assert request.status == RepresentationStatus.PENDING and request.proof_content_type == "application/pdf"
    assert child.representative is None and child.user is None
    assert child not in citizens_user_can_file_for(citizen_a.user)
    assert "Waiting for an officer" in client_a.get("/cases/").content.decode()
    representation_verify(request_id=request.pk, actor=Actor.for_user(OfficerFactory()), now=timezone.now())
    child.refresh_from_db()
    assert child.representative == citizen_a.user and child.representative_kind == "parent"
    assert child in citizens_user_can_file_for(citizen_a.user)


def test_the_squat_fails_the_real_person_sees_and_ends_it(client_a, citizen_a, citizen_b):
    """A stranger who knows someone's ID number asks to represent them: nothing is shown, the
    answer is the same as for an unknown ID; once (wrongly) verified, the person is told and ends it."""
    case = make_complaint(entry_kwargs={"citizen": citizen_b})
    known = _ask_to_represent(client_a, "110101198002029999", name="Someone", kind="lawyer")
    unknown = _ask_to_represent(client_a, "110101199909099999", name="Nobody", kind="lawyer")
    assert (known.status_code, known["Location"]) == (unknown.status_code, unknown["Location"])
    assert citizen_b.full_name not in client_a.get("/cases/").content.decode()
    assert not complaints_visible_to_user(citizen_a.user).filter(pk=case.pk).exists()
    assert client_a.get(f"/cases/{case.reference}/").status_code == 404
    request = RepresentationRequest.objects.get(citizen=citizen_b)
    representation_verify(request_id=request.pk, actor=Actor.for_user(OfficerFactory()), now=timezone.now())
    told = OutboxMessage.objects.filter(recipient=citizen_b.user.email, topic="representation")
    assert told.count() == 1
    victim = Client()
    victim.force_login(citizen_b.user)
    page = victim.get("/cases/").content.decode()
    assert "Your representative" in page
    assert victim.post(f"/people/representation/{request.pk}/end/").status_code == 302
    citizen_b.refresh_from_db()
    assert citizen_b.representative is None
    assert not complaints_visible_to_user(citizen_a.user).filter(pk=case.pk).exists()


def test_only_the_parties_can_end_a_representation(client_a, citizen_a):
    _ask_to_represent(client_a, "110101201001011111")
    request = RepresentationRequest.objects.get()
    representation_verify(request_id=request.pk, actor=Actor.for_user(OfficerFactory()), now=timezone.now())
    stranger = Client()
    stranger.force_login(UserFactory())
    stranger.post(f"/people/representation/{request.pk}/end/")
    request.refresh_from_db()
    assert request.status == RepresentationStatus.VERIFIED


def test_representation_expires(client_a, citizen_a):
    _ask_to_represent(client_a, "110101201001011111")
    request = RepresentationRequest.objects.get()
    now = timezone.now()
    representation_verify(
        request_id=request.pk, actor=Actor.for_user(OfficerFactory()), now=now, valid_until=now + timedelta(days=1)
    )
    assert representations_expire(now=now) == 0
    assert representations_expire(now=now + timedelta(days=2)) == 1
    request.citizen.refresh_from_db()
    assert request.citizen.representative is None
    assert representations_expire(now=now + timedelta(days=3)) == 0


def test_refusal_needs_a_reason_and_the_requester_reads_it(client_a):
    _ask_to_represent(client_a, "110101201001011111")
    request = RepresentationRequest.objects.get()
    officer = Actor.for_user(OfficerFactory())
    with pytest.raises(ServiceError):
        representation_refuse(request_id=request.pk, actor=officer, reason=" ", now=timezone.now())
    representation_refuse(request_id=request.pk, actor=officer, reason="The page is unreadable.", now=timezone.now())
    assert "The page is unreadable." in client_a.get("/cases/").content.decode()


def test_proof_must_be_a_pdf_or_image(client_a):
    response = client_a.post(
        "/people/add/",
        {
            "full_name": "X",
            "national_id": "110101201001011111",
            "kind": "parent",
            "proof": SimpleUploadedFile("proof.html", b"<html><script>x</script>", content_type="application/pdf"),
        },
    )
    assert response.status_code == 400
    assert "Upload a PDF or an image" in response.content.decode()
    assert not RepresentationRequest.objects.exists()


def test_officers_decide_in_their_pages_and_others_cannot(client_a):
    _ask_to_represent(client_a, "110101201001011111")
    request = RepresentationRequest.objects.get()
    officer = Client()
    officer.force_login(OfficerFactory())
    assert "Li Xiaoming" in officer.get("/officer/representation/").content.decode()
    assert officer.get(f"/officer/representation/{request.pk}/").status_code == 200
    proof = officer.get(f"/officer/representation/{request.pk}/proof/")
    assert proof.status_code == 200 and proof["Content-Type"] == "application/pdf"
    assert client_a.get(f"/officer/representation/{request.pk}/proof/").status_code == 404
    done = officer.post(f"/officer/representation/{request.pk}/", {"verify": "1", "valid_until": "2030-01-01"})
    assert done.status_code == 302
    request.refresh_from_db()
    assert request.status == RepresentationStatus.VERIFIED


def test_language_switch_serves_chinese():
    client = Client()
    response = client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    assert response.status_code == 302
    body = client.get("/").content.decode()
    assert 'lang="zh-Hans"' in body
    assert "信用" in body  # the page is translated, not only tagged
