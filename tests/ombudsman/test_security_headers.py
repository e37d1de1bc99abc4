"""Content-Security-Policy (django-csp), Permissions-Policy and the other security headers, and
the templates they rely on: no inline script, style or event handler anywhere."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.test import Client

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE_DIRS = [ROOT / "templates", *ROOT.glob("*/templates")]

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I)
STYLE_ATTR = re.compile(r"\sstyle\s*=", re.I)
STYLE_TAG = re.compile(r"<style\b", re.I)
HANDLER_ATTR = re.compile(r"\son[a-z]+\s*=", re.I)
JS_URL = re.compile(r"javascript:", re.I)


def _directives(header: str) -> dict[str, list[str]]:
    out = {}
    for part in header.split(";"):
        name, *values = part.split()
        out[name] = values
    return out


def test_no_template_has_inline_script_style_or_handlers() -> None:
    # PDF letters (portal/letters/) are rendered by WeasyPrint on the server, never by a browser.
    templates = [p for d in TEMPLATE_DIRS for p in d.rglob("*.html") if "letters" not in p.parts]
    assert len(templates) > 20
    offenders = []
    for path in templates:
        text = path.read_text(encoding="utf-8")
        for pattern in (INLINE_SCRIPT, STYLE_ATTR, STYLE_TAG, HANDLER_ATTR, JS_URL):
            if pattern.search(text):
                offenders.append(f"{path.relative_to(ROOT)}: {pattern.pattern}")
    assert offenders == []


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/", "/statistics/", "/accounts/login/", "/registers/"])
def test_html_pages_carry_a_strict_policy(path: str) -> None:
    response = Client().get(path)
    assert response.status_code == 200
    policy = _directives(response["Content-Security-Policy"])
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["img-src"] == ["'self'", "data:"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["form-action"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    html = response.content.decode()
    assert not INLINE_SCRIPT.search(html)
    assert not STYLE_ATTR.search(html)
    # HTMX is told not to inject its indicator <style> nor to eval.
    assert '"includeIndicatorStyles": false' in html and '"allowEval": false' in html


@pytest.mark.django_db
def test_permissions_referrer_and_nosniff_headers() -> None:
    response = Client().get("/")
    features = dict(item.split("=", 1) for item in response["Permissions-Policy"].split(", "))
    for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
        assert features[feature] == "()", feature
    assert "publickey-credentials-get" not in features  # WebAuthn keeps its default
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"


@pytest.mark.django_db
def test_api_docs_load_their_script_from_a_url_and_relax_only_styles() -> None:
    client = Client()
    response = client.get("/api/v1/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert not INLINE_SCRIPT.search(html)
    policy = _directives(response["Content-Security-Policy"])
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'", "'unsafe-inline'"]
    script_url = re.search(r'<script src="([^"]*script=[^"]*)"', html)
    assert script_url is not None
    init = client.get(script_url.group(1).replace("&amp;", "&"))
    assert init.status_code == 200
    assert init["Content-Type"].startswith("application/javascript")
    assert b"SwaggerUIBundle" in init.content


@pytest.mark.django_db
def test_admin_pages_have_no_inline_script_or_style() -> None:
    from tests.factories import BlacklistEntryFactory, SeniorOfficerFactory

    entry = BlacklistEntryFactory()
    client = Client()
    client.force_login(SeniorOfficerFactory(is_superuser=True))
    for path in (
        "/admin/",
        "/admin/citizens/blacklistentry/",
        f"/admin/citizens/blacklistentry/{entry.pk}/change/",
        "/admin/agencies/recordcategory/add/",
    ):
        response = client.get(path)
        assert response.status_code == 200, path
        html = response.content.decode()
        assert not INLINE_SCRIPT.search(html), path
        assert not STYLE_TAG.search(html) and not STYLE_ATTR.search(html), path
        assert "'unsafe-inline'" not in response["Content-Security-Policy"], path
