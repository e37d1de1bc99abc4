"""The doors: an oversized or length-less body is refused before anything reads it (issue 10,
attack 7: an anonymous 200 MB multipart POST landed on disk before the CSRF 403), and personal
pages and the API are never cached."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from kernel import uploads
from tests.factories import CitizenFactory, OfficerFactory, UserFactory

MB = 1024 * 1024
BOUNDARY = "----attacker"


class LazyMultipart:
    """A multipart body of `size` bytes that is produced only when read, and counts what was read:
    the test never holds 200 MB, and it sees whether anything touched the body."""

    def __init__(self, size: int, *, abort_after: int | None = None) -> None:
        head = (
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="big.pdf"\r\n'
            "Content-Type: application/pdf\r\n\r\n"
        ).encode()
        tail = f"\r\n--{BOUNDARY}--\r\n".encode()
        self.head, self.tail, self.size = head, tail, size
        self.filler = size - len(head) - len(tail)
        self.pos = 0
        self.abort_after = abort_after

    def read(self, n: int = -1) -> bytes:
        if self.abort_after is not None and self.pos >= self.abort_after:
            raise RuntimeError(f"the body was read ({self.pos} bytes)")
        n = self.size - self.pos if n is None or n < 0 else min(n, self.size - self.pos)
        out = bytearray()
        while len(out) < n:
            p = self.pos + len(out)
            if p < len(self.head):
                out += self.head[p : p + n - len(out)]
            elif p < len(self.head) + self.filler:
                out += b"%" * min(n - len(out), len(self.head) + self.filler - p)
            else:
                q = p - len(self.head) - self.filler
                out += self.tail[q : q + n - len(out)]
        self.pos += len(out)
        return bytes(out)

    def readline(self, n: int = -1) -> bytes:
        return self.read(n if n and n > 0 else 65536)


def _attacker() -> Client:
    """An anonymous visitor with a CSRF cookie (any visitor gets one): Django's CSRF check then
    reads the form body to look for the token."""
    client = Client(enforce_csrf_checks=True)
    client.cookies["csrftoken"] = "a" * 32
    return client


def _post(client: Client, path: str, body: LazyMultipart, **extra: str):  # type: ignore[no-untyped-def]
    return client.generic(
        "POST",
        path,
        CONTENT_TYPE=f"multipart/form-data; boundary={BOUNDARY}",
        CONTENT_LENGTH=str(body.size),
        **{"wsgi.input": body},
        **extra,
    )


@pytest.fixture
def upload_dir(settings, tmp_path: Path) -> Path:  # type: ignore[no-untyped-def]
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path)
    return tmp_path


def test_limit_covers_the_largest_upload_form() -> None:
    # An information request answer takes 10 files of up to 10 MB: the limit lets that through.
    assert settings.REQUEST_BODY_MAX_BYTES >= 10 * uploads.MAX_BYTES
    assert settings.MIDDLEWARE[0] == "ombudsman.middleware.BodySizeLimitMiddleware"
    assert settings.DATABASES["default"]["CONN_HEALTH_CHECKS"] is True


@pytest.mark.django_db
def test_anonymous_200_mb_multipart_post_is_refused_before_it_is_read(upload_dir: Path) -> None:
    body = LazyMultipart(200 * MB)
    response = _post(_attacker(), "/file/details/", body)
    assert response.status_code == 413
    assert body.pos == 0  # not one byte read: no upload handler ran
    assert list(upload_dir.iterdir()) == []
    assert response["Content-Type"].startswith("text/html")
    text = response.content.decode()
    assert "at most 101 MB" in text and "each file at most 10 MB" in text
    assert "no-store" in response["Cache-Control"]


@pytest.mark.django_db
def test_without_the_limit_the_same_body_reaches_the_parser(settings, upload_dir: Path) -> None:
    """The attack as it was: without the middleware Django's parser starts reading (and spooling
    to disk) the 200 MB before the CSRF check can refuse it."""
    settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if not m.endswith("BodySizeLimitMiddleware")]
    body = LazyMultipart(200 * MB, abort_after=4 * MB)
    with pytest.raises(RuntimeError, match="the body was read"):
        _post(_attacker(), "/file/details/", body)
    assert body.pos >= 4 * MB


@pytest.mark.django_db
def test_refusal_is_in_the_readers_language() -> None:
    response = _post(Client(), "/file/details/", LazyMultipart(200 * MB), HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 413
    assert "请求过大" in response.content.decode()


@pytest.mark.django_db
def test_api_refusal_is_problem_json() -> None:
    response = _post(Client(), "/api/v1/agency/referrals/", LazyMultipart(200 * MB))
    assert response.status_code == 413
    assert response["Content-Type"] == "application/problem+json"
    body = json.loads(response.content)
    assert body["status"] == 413 and body["type"].endswith("#problem-too-large")
    assert "at most 101 MB" in body["detail"]


@pytest.mark.django_db
def test_large_json_body_is_refused_with_413_not_read() -> None:
    body = LazyMultipart(3 * MB)
    response = Client().generic(
        "POST",
        "/o/token/",
        CONTENT_TYPE="application/x-www-form-urlencoded",
        CONTENT_LENGTH=str(body.size),
        **{"wsgi.input": body},
    )
    assert response.status_code == 413
    assert body.pos == 0
    assert "at most 2560 KB" in json.loads(response.content)["detail"]


@pytest.mark.django_db
def test_chunked_body_without_length_is_refused() -> None:
    body = LazyMultipart(200 * MB)
    response = Client().generic(
        "POST",
        "/file/details/",
        CONTENT_TYPE=f"multipart/form-data; boundary={BOUNDARY}",
        HTTP_TRANSFER_ENCODING="chunked",
        **{"wsgi.input": body},
    )
    assert response.status_code == 411
    assert body.pos == 0


@pytest.mark.django_db
def test_an_upload_within_the_limit_goes_on(upload_dir: Path) -> None:
    # 3 MB (over the in-memory size): the body is read, CSRF refuses it as before.
    body = LazyMultipart(3 * MB)
    response = _post(_attacker(), "/file/details/", body)
    assert response.status_code == 403
    assert body.pos == body.size


# --- Cache-Control: no-store ---------------------------------------------------------------------


@pytest.mark.django_db
def test_public_pages_keep_caching_for_anonymous_readers() -> None:
    response = Client().get("/statistics/")
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/accounts/login/", "/api/v1/schema/", "/api/v1/agency/referrals/"])
def test_accounts_and_api_are_never_stored(path: str) -> None:
    response = Client().get(path)
    assert "no-store" in response["Cache-Control"], path


@pytest.mark.django_db
def test_signed_in_pages_are_never_stored() -> None:
    citizen_user = UserFactory()
    CitizenFactory(user=citizen_user)
    officer = OfficerFactory()
    for user, path in ((citizen_user, "/cases/"), (officer, "/officer/"), (citizen_user, "/statistics/")):
        client = Client()
        client.force_login(user)
        response = client.get(path)
        assert response.status_code in (200, 302), path  # 302: a staff sign-in step, also personal
        assert "no-store" in response["Cache-Control"], path
