"""Under the Content-Security-Policy, in a real browser: the API docs (Swagger UI) render, HTMX
swaps a fragment on the filing page, and no page reports a CSP violation."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from tests.factories import AgencyFactory, CitizenFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

RECORD_VIOLATIONS = """
window.__csp = [];
document.addEventListener('securitypolicyviolation',
  e => window.__csp.push(e.violatedDirective + ' ' + (e.blockedURI || 'inline') + ' ' + e.sourceFile));
"""


def _violations(page: Any) -> list[str]:
    return list(page.evaluate("window.__csp"))


def test_swagger_ui_and_htmx_work_under_the_policy(browser, live_server):
    agency = AgencyFactory(name_en="Harbour Court")
    user = UserFactory(email="csp@example.org")
    CitizenFactory(user=user, full_name="Csp Citizen")
    django_client = Client()
    django_client.force_login(user)
    session = django_client.cookies[settings.SESSION_COOKIE_NAME].value

    ctx = browser.new_context(locale="en-GB")
    ctx.add_init_script(RECORD_VIOLATIONS)
    page = ctx.new_page()
    page.set_default_timeout(30_000)
    console: list[str] = []
    page.on("console", lambda m: console.append(m.text))
    try:
        page.goto(live_server.url + "/api/v1/docs/")
        page.wait_for_selector(".swagger-ui .info .title")
        assert "Ombudsman case service API" in page.inner_text(".swagger-ui .info .title")
        page.wait_for_selector(".opblock")  # the operations are listed: the schema loaded
        assert _violations(page) == []

        for path in ("/", "/statistics/", "/accounts/login/"):
            page.goto(live_server.url + path)
            assert _violations(page) == [], path

        ctx.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}])
        page.goto(live_server.url + "/file/")
        with page.expect_response(lambda r: "/file/records/" in r.url) as swapped:
            page.select_option("#id_respondent", value=str(agency.pk))
        assert swapped.value.status == 200
        page.wait_for_load_state("networkidle")
        assert _violations(page) == []
    finally:
        ctx.close()
    assert not [m for m in console if "Content Security Policy" in m], console
