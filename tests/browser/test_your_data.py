"""The citizen's rights in a real browser, on the demo: Li Wei, in Chinese, opens "Your data",
downloads it as JSON and asks for deletion; the officer finds the request (and Zhang Min's, which
the demo leaves waiting) under "Deletion requests" and refuses it with a reason. Phone and desktop
screenshots with axe-core (var/screenshots/data-*); no page is wider than a 360 px phone."""

from __future__ import annotations

import json

import pytest
from django.core.management import call_command

from citizens.models import Citizen
from ops.demo import DEMO_PASSWORD, DEMO_TOTP_SECRET
from privacy.models import DeletionRequest, DeletionStatus
from tests.browser.signin import sign_in
from tests.browser.test_journey import Checker, submit


def _width(page) -> int:  # type: ignore[no-untyped-def]
    """How wide the page is at 360 px (wider means it scrolls sideways on a phone)."""
    page.set_viewport_size({"width": 360, "height": 740})
    return int(page.evaluate("document.documentElement.scrollWidth"))


pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_a_citizen_downloads_their_data_and_asks_for_deletion_an_officer_refuses(  # type: ignore[no-untyped-def]
    browser, live_server, screenshots_dir
):
    call_command("seed_demo")
    base = live_server.url
    li = Citizen.objects.get(full_name="Li Wei")
    check = Checker(screenshots_dir)
    widths: dict[str, int] = {}

    ctx = browser.new_context(viewport={"width": 360, "height": 740}, locale="zh-CN", accept_downloads=True)
    page = ctx.new_page()
    page.set_default_timeout(30_000)
    try:
        sign_in(page, base, "citizen@example.org", DEMO_PASSWORD, DEMO_TOTP_SECRET)
        page.goto(base + "/cases/")
        with page.expect_navigation():
            page.click("nav >> text=您的信息")
        assert page.url.endswith("/data/")
        widths["data"] = _width(page)
        check.page(page, "data-citizen-zh")
        with page.expect_download() as download:
            page.click("text=下载 JSON 文件")
        exported = json.loads(open(download.value.path(), encoding="utf-8").read())  # noqa: SIM115
        assert {c["reference"] for c in exported["cases"]} == set(li.complaints.values_list("reference", flat=True))
        with page.expect_download() as pdf:
            page.click("text=下载 PDF 文件")
        assert open(pdf.value.path(), "rb").read(4) == b"%PDF"  # noqa: SIM115
        page.click("summary:has-text('请求删除这些信息')")
        page.fill("textarea", "我已还清欠款，请删除我的信息。")
        submit(page, "main section form")
        assert "您的请求已提交" in page.inner_text("main")
        widths["data-asked"] = _width(page)
        check.page(page, "data-citizen-zh-asked")
    finally:
        ctx.close()

    request = DeletionRequest.objects.get(citizen=li)
    ctx = browser.new_context(viewport={"width": 360, "height": 740}, locale="en-GB")
    page = ctx.new_page()
    page.set_default_timeout(30_000)
    try:
        sign_in(page, base, "officer@example.org", DEMO_PASSWORD, DEMO_TOTP_SECRET)
        page.goto(base + "/officer/")
        with page.expect_navigation():
            page.click("text=Deletion requests")
        listing = page.inner_text("main")
        assert "Zhang Min" in listing and "Li Wei" in listing
        widths["officer-list"] = _width(page)
        check.page(page, "data-officer-requests")
        with page.expect_navigation():
            page.click("main table >> text=Li Wei")
        assert "still open" in page.inner_text("main")
        widths["officer-request"] = _width(page)
        check.page(page, "data-officer-request")
        page.check("input[value=refuse]")
        page.fill("textarea[name=reason]", "Your cases are still open; we erase them when the retention period ends.")
        submit(page, "main form.form")
        assert "Refused" in page.inner_text("main")
    finally:
        ctx.close()
        check.save()
    request.refresh_from_db()
    assert request.status == DeletionStatus.REFUSED
    assert {k: w for k, w in widths.items() if w > 360} == {}
    assert not check.serious(), check.serious()
