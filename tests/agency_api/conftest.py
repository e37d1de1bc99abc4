"""Fixtures for the agency API: clients with real OAuth2 tokens from POST /o/token/."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from agency_api.models import ApiClient
from agency_api.services import api_client_create
from tests.factories import AgencyFactory, make_complaint


@dataclass
class AgencyCaller:
    client: ApiClient
    client_id: str
    secret: str
    token: str
    api: APIClient

    def __getattr__(self, name: str) -> Any:  # api.get / api.post ...
        return getattr(self.api, name)


def fetch_token(client_id: str, secret: str) -> str:
    response = APIClient().post(
        "/o/token/", {"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret}
    )
    assert response.status_code == 200, response.content
    return response.json()["access_token"]


def make_caller(agency: Any) -> AgencyCaller:
    client, secret = api_client_create(agency=agency, name="test system", now=timezone.now())
    token = fetch_token(client.application.client_id, secret)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return AgencyCaller(client=client, client_id=client.application.client_id, secret=secret, token=token, api=api)


@pytest.fixture
def agency(db):  # type: ignore[no-untyped-def]
    return AgencyFactory()


@pytest.fixture
def caller(agency):  # type: ignore[no-untyped-def]
    return make_caller(agency)


@pytest.fixture
def referral(agency):  # type: ignore[no-untyped-def]
    """A case referred to `agency` (clocks started by the referral)."""
    return make_complaint(status="referred", entry_kwargs={"agency": agency}, now=timezone.now())


class WebhookReceiver:
    """A real HTTP server on loopback, in a thread, recording what it receives."""

    def __init__(self) -> None:
        import http.server
        import threading

        self.requests: list[dict[str, Any]] = []
        self.answers: list[int] = []  # statuses to answer in turn; then 200
        self.delay = 0.0
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                import time

                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                receiver.requests.append({"path": self.path, "headers": dict(self.headers), "body": body})
                if receiver.delay:
                    time.sleep(receiver.delay)
                status = receiver.answers.pop(0) if receiver.answers else 200
                self.send_response(status)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args: Any) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hooks/ombudsman"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver(settings):  # type: ignore[no-untyped-def]
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = ["loopback"]  # the tests' receiver is on loopback only
    r = WebhookReceiver()
    yield r
    r.close()


def standard_webhooks_verify(*, secret: str, headers: dict[str, str], body: bytes) -> bool:
    """An independent implementation of the Standard Webhooks check a receiver performs."""
    import base64
    import hashlib
    import hmac

    lower = {k.lower(): v for k, v in headers.items()}
    key = base64.b64decode(secret.split("_", 1)[1])
    signed = f"{lower['webhook-id']}.{lower['webhook-timestamp']}.".encode() + body
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    return any(sig.split(",", 1) == ["v1", expected] for sig in lower["webhook-signature"].split(" "))
