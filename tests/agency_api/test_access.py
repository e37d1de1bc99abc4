"""Access matrix: every agency endpoint x (own case, other agency's case, no token, expired token,
revoked client). Plus the token endpoint, hashed secrets, the management command, throttling."""

from __future__ import annotations

import io
import json
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.http import Http404
from django.utils import timezone
from oauth2_provider.models import AccessToken, Application
from rest_framework.test import APIClient, APIRequestFactory

from agency_api import urls as agency_urls
from agency_api.base import AgencyAPIView
from agency_api.services import api_client_revoke
from agency_api.views import ReferralDetail, ReferralScoped
from complaints.models import Complaint
from complaints.services import attachment_add
from kernel.actors import Actor
from tests.agency_api.conftest import fetch_token, make_caller
from tests.factories import AgencyFactory, make_complaint

pytestmark = pytest.mark.django_db
BASE = "/api/v1/agency"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 80

# (name, method, path template, body kind, status for the caller's own case)
ENDPOINTS = [
    ("list", "get", "/referrals/", None, 200),
    ("detail", "get", "/referrals/{ref}/", None, 200),
    ("acknowledge", "post", "/referrals/{ref}/acknowledge", None, 200),
    ("flag-disputed", "post", "/referrals/{ref}/flag-disputed", None, 200),
    ("response", "post", "/referrals/{ref}/response", "response", 201),
    ("messages", "post", "/referrals/{ref}/messages", "message", 201),
    ("attachments", "post", "/referrals/{ref}/attachments", "file", 201),
    ("download", "get", "/referrals/{ref}/attachments/{att}", None, 200),
    ("webhook-get", "get", "/webhook", None, 200),
    ("webhook-put", "put", "/webhook", "webhook", 200),
]
CONDITIONS = ["own", "other_agency", "no_token", "expired_token", "revoked_client"]


def _body(kind: str | None) -> tuple[object, str | None]:
    if kind == "response":
        return {
            "outcome": "corrected",
            "explanation": "Fixed.",
            "corrections": [{"field": "status", "old_value": "listed", "new_value": "removed"}],
        }, "json"
    if kind == "message":
        return {"text": "Hello"}, "json"
    if kind == "webhook":
        return {"url": "https://hooks.example.org/omb"}, "json"
    if kind == "file":
        f = io.BytesIO(PNG)
        f.name = "scan.png"
        return {"file": f}, "multipart"
    return None, None


@pytest.mark.parametrize("condition", CONDITIONS)
@pytest.mark.parametrize(("name", "method", "template", "kind", "own_status"), ENDPOINTS, ids=[e[0] for e in ENDPOINTS])
def test_access_matrix(condition, name, method, template, kind, own_status):
    mine = AgencyFactory()
    theirs = AgencyFactory()
    caller = make_caller(mine)
    caller.put(f"{BASE}/webhook", {"url": "https://hooks.example.org/mine"}, format="json")
    owner = mine if condition != "other_agency" else theirs
    complaint = make_complaint(status="referred", entry_kwargs={"agency": owner}, now=timezone.now())
    attachment = attachment_add(
        complaint_id=complaint.pk,
        actor=Actor.for_user(complaint.citizen.user),
        fileobj=io.BytesIO(PNG),
        filename="evidence.png",
        now=timezone.now(),
    )
    api = caller.api
    if condition == "no_token":
        api = APIClient()
    elif condition == "expired_token":
        AccessToken.objects.filter(application=caller.client.application).update(
            expires=timezone.now() - timedelta(seconds=1)
        )
    elif condition == "revoked_client":
        api_client_revoke(client_id=caller.client.pk, now=timezone.now(), reason="test")

    body, fmt = _body(kind)
    path = BASE + template.format(ref=complaint.reference, att=attachment.pk)
    kwargs = {"format": fmt} if fmt else {}
    response = getattr(api, method)(path, body, **kwargs) if body is not None else getattr(api, method)(path)

    if condition == "own":
        expected = own_status
    elif condition == "other_agency":
        # Another agency's case does not exist for this caller (never a 403). The list and the
        # webhook are the caller's own: the other case is simply absent from the list.
        expected = 404 if "{ref}" in template else own_status
    else:
        expected = 401
    assert response.status_code == expected, (condition, name, response.status_code, getattr(response, "content", b""))
    if expected >= 400:
        assert response["Content-Type"] == "application/problem+json"
        assert response.json()["status"] == expected
    if expected == 401:
        assert response["WWW-Authenticate"].startswith("Bearer")
    if name == "list" and condition == "other_agency":
        assert complaint.reference not in response.content.decode()


def test_token_endpoint_client_credentials_one_hour(agency):
    out = io.StringIO()
    call_command("create_agency_client", agency.slug, "--name", "disputes system", stdout=out)
    printed = json.loads(out.getvalue())
    assert set(printed) >= {"client_id", "client_secret"}
    app = Application.objects.get(client_id=printed["client_id"])
    # The secret is stored hashed: the printed value is the only copy.
    assert app.client_secret != printed["client_secret"] and printed["client_secret"] not in app.client_secret
    response = APIClient().post(
        "/o/token/",
        {
            "grant_type": "client_credentials",
            "client_id": printed["client_id"],
            "client_secret": printed["client_secret"],
        },
    )
    assert response.status_code == 200
    assert response.json()["expires_in"] == 3600
    assert response.json()["token_type"] == "Bearer"
    wrong = APIClient().post(
        "/o/token/", {"grant_type": "client_credentials", "client_id": printed["client_id"], "client_secret": "guess"}
    )
    assert wrong.status_code == 401


def test_create_agency_client_unknown_slug_fails(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("create_agency_client", "no-such-agency", stdout=io.StringIO())


def test_revoked_client_cannot_get_new_tokens(agency):
    caller = make_caller(agency)
    api_client_revoke(client_id=caller.client.pk, now=timezone.now())
    response = APIClient().post(
        "/o/token/", {"grant_type": "client_credentials", "client_id": caller.client_id, "client_secret": caller.secret}
    )
    assert response.status_code in (400, 401)
    assert "access_token" not in response.json()


def test_token_of_a_non_agency_application_is_refused(agency):
    from oauth2_provider.generators import generate_client_secret

    secret = generate_client_secret()
    app = Application.objects.create(
        name="not an agency",
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_CLIENT_CREDENTIALS,
        client_secret=secret,
    )
    token = fetch_token(app.client_id, secret)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    response = api.get(f"{BASE}/referrals/")
    assert response.status_code == 401
    assert "agency" in response.json()["detail"]


def test_throttle_is_per_client_not_per_ip(agency, settings):
    settings.AGENCY_API_THROTTLE_RATE = "3/hour"  # a window boundary inside the test is unlikely
    first, second = make_caller(agency), make_caller(agency)
    statuses = [first.get(f"{BASE}/referrals/").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    throttled = first.get(f"{BASE}/referrals/")
    assert throttled["Content-Type"] == "application/problem+json"
    assert int(throttled["Retry-After"]) >= 0
    assert second.get(f"{BASE}/referrals/").status_code == 200  # same IP, other client


def test_subclasses_cannot_replace_scoping_or_authentication():
    with pytest.raises(TypeError):

        class Sneaky(AgencyAPIView):
            authentication_classes = []  # type: ignore[var-annotated]

    with pytest.raises(TypeError):

        class Unscoped(AgencyAPIView):
            def get_queryset(self):  # type: ignore[no-untyped-def]
                return None


@pytest.mark.parametrize("name", ["get_object", "get_queryset", "filter_queryset"])
def test_subclasses_cannot_replace_how_objects_are_found(name):
    """Neither one object nor the list can be read around the agency scope: not by the subclass
    itself, not through a mixin placed before the base class."""

    def unscoped(self, *args):  # type: ignore[no-untyped-def]
        return Complaint.objects.all()

    with pytest.raises(TypeError, match=name):
        type("Direct", (ReferralScoped,), {name: unscoped})
    mixin = type("Mixin", (), {name: unscoped})
    with pytest.raises(TypeError, match=name):
        type("Mixed", (mixin, ReferralScoped), {})
    # The named escape hatch is the only way to an unscoped queryset, and nothing uses it.
    type("Hatch", (ReferralScoped,), {"dangerously_get_queryset": unscoped})


def test_the_escape_hatch_is_unused():
    views = [p.callback.view_class for p in agency_urls.urlpatterns]  # type: ignore[union-attr]
    assert views and all(issubclass(v, AgencyAPIView) for v in views)
    assert [v.__name__ for v in views if "dangerously_get_queryset" in vars(v)] == []


def _view_for(caller, reference: str) -> ReferralDetail:
    request = APIRequestFactory().get(f"{BASE}/referrals/{reference}/")
    request.META["HTTP_AUTHORIZATION"] = f"Bearer {caller.token}"
    view = ReferralDetail()
    view.setup(request, reference=reference)
    view.format_kwarg = None
    view.request = view.initialize_request(request, reference=reference)
    view.request.user  # authenticates: the caller's AgencyPrincipal
    return view


def test_get_object_finds_only_the_callers_agencys_object():
    mine, theirs = AgencyFactory(), AgencyFactory()
    caller = make_caller(mine)
    own = make_complaint(status="referred", entry_kwargs={"agency": mine}, now=timezone.now())
    other = make_complaint(status="referred", entry_kwargs={"agency": theirs}, now=timezone.now())
    assert _view_for(caller, own.reference).get_object() == own
    with pytest.raises(Http404):
        _view_for(caller, other.reference).get_object()


def _agency_operations() -> list[tuple[str, str]]:
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    ops = []
    for path, item in schema["paths"].items():
        if path.startswith("/api/v1/agency/"):
            for method in item:
                concrete = path.replace("{reference}", "OMB-2026-000001")
                concrete = concrete.replace("/events/{id}", "/events/00000000-0000-4000-8000-000000000001")  # a UUID
                for name in ("{id}", "{attachment_id}", "{pk}"):
                    concrete = concrete.replace(name, "1")
                ops.append((method, concrete))
    return ops


@pytest.mark.parametrize("condition", ["no_token", "expired_token", "revoked_client", "garbage_token"])
def test_every_agency_operation_in_the_schema_refuses_bad_credentials(condition):
    """Every operation documented under /api/v1/agency/ (this app's and the tribunal's) is behind
    the base class: bad credentials are a 401 problem before anything else happens."""
    operations = _agency_operations()
    assert len(operations) >= 10
    caller = make_caller(AgencyFactory())
    api = caller.api
    if condition == "no_token":
        api = APIClient()
    elif condition == "garbage_token":
        api = APIClient()
        api.credentials(HTTP_AUTHORIZATION="Bearer not-a-token")
    elif condition == "expired_token":
        AccessToken.objects.filter(application=caller.client.application).update(
            expires=timezone.now() - timedelta(seconds=1)
        )
    else:
        api_client_revoke(client_id=caller.client.pk, now=timezone.now())
    for method, path in operations:
        response = getattr(api, method)(path, {}, format="json")
        assert response.status_code == 401, (method, path, response.status_code)
        assert response["Content-Type"] == "application/problem+json"
