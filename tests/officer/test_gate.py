"""One officer gate for every officer page: each URL pattern of officer/urls.py goes through
`officer_required`; anonymous visitors are sent to sign in, citizens get a 404."""

from __future__ import annotations

import pytest
from django.http import HttpRequest, HttpResponse
from django.test import Client
from django.urls import URLPattern, reverse

from officer.gate import is_gated, officer_required
from officer.urls import urlpatterns
from tests.factories import OfficerFactory, make_complaint

pytestmark = pytest.mark.django_db

ARGS = {"reference": "OMB-2026-999999", "pk": 999999, "citizen_id": 999999, "match_id": 999999}


def _url(pattern: URLPattern) -> str:
    kwargs = {name: ARGS[name] for name in pattern.pattern.converters}
    return reverse(pattern.name, kwargs=kwargs)


def test_every_officer_url_is_behind_the_gate():
    # incl. agency staff invitations, proof of representation, claim codes, deletion requests
    assert len(urlpatterns) == 17
    assert [p.name for p in urlpatterns if not is_gated(p.callback)] == []


def test_an_ungated_view_is_noticed():
    def page(request: HttpRequest) -> HttpResponse:
        return HttpResponse()

    assert not is_gated(page)
    assert is_gated(officer_required(page))


@pytest.mark.parametrize("pattern", urlpatterns, ids=[p.name for p in urlpatterns])
def test_anonymous_is_sent_to_sign_in_and_a_citizen_gets_404(pattern):
    url = _url(pattern)
    anonymous = Client().get(url)
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/accounts/login/")
    citizen = Client()
    citizen.force_login(make_complaint().citizen.user)
    assert citizen.get(url).status_code == 404
    staff = Client()
    staff.force_login(OfficerFactory())
    # An officer passes the gate: what is left is the page's own answer for an unknown object.
    assert staff.get(url).status_code in (200, 404, 405)  # 405: a POST-only action
