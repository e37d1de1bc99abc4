"""The demo in a real browser at phone (360x740) and desktop (1280x800) width: the closed demo case
shows the ombudsman's decision first; the decision letter opens as a PDF; no page of the citizen,
the officer or the public is wider than a 360 px phone (document.documentElement.scrollWidth).
Screenshots under var/screenshots/pages-*."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management import call_command

from complaints.models import Complaint
from ops.demo import DEMO_PASSWORD, DEMO_TOTP_SECRET
from tests.browser.signin import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

SIZES = {"phone": (360, 740), "desktop": (1280, 800)}


def _login(page: Any, base: str, email: str) -> None:
    sign_in(page, base, email, DEMO_PASSWORD, DEMO_TOTP_SECRET)


def _walk(page: Any, base: str, paths: list[str], shots: Any, prefix: str) -> dict[str, int]:
    """Each page at both widths, photographed; the width of each page at 360 px."""
    widths = {}
    for i, path in enumerate(paths):
        for label, (w, h) in SIZES.items():
            page.set_viewport_size({"width": w, "height": h})
            response = page.goto(base + path)
            assert response is not None and response.status == 200, path
            page.screenshot(path=str(shots / f"pages-{prefix}-{i:02d}-{label}.png"), full_page=label == "phone")
            if label == "phone":
                widths[path] = page.evaluate("document.documentElement.scrollWidth")
    return widths


def test_demo_pages_lead_with_the_decision_and_fit_a_phone(browser, live_server, screenshots_dir):
    call_command("seed_demo")
    base = live_server.url
    closed = Complaint.objects.get(citizen__full_name="Zhang Xiaoyu")
    parent_cases = list(
        Complaint.objects.filter(filed_by__email="parent@example.org").values_list("reference", flat=True)
    )
    li_cases = list(Complaint.objects.filter(filed_by__email="citizen@example.org").values_list("reference", flat=True))
    any_case = Complaint.objects.filter(status="investigation").order_by("pk").first().reference
    too_wide: dict[str, int] = {}

    ctx = browser.new_context(viewport={"width": 360, "height": 740}, locale="en-GB", accept_downloads=True)
    page = ctx.new_page()
    page.set_default_timeout(30_000)
    try:
        public = [
            "/",
            "/statistics/",
            "/registers/",
            "/registers/determinations/",
            "/registers/scoring-criteria/",
            "/registers/conflicts-of-interest/",
            "/accounts/login/",
            "/accounts/signup/",
        ]
        widths = _walk(page, base, public, screenshots_dir, "public")

        _login(page, base, "parent@example.org")
        # The closed case: the decision panel is the first thing after the heading, at both widths.
        for label, (w, h) in SIZES.items():
            page.set_viewport_size({"width": w, "height": h})
            page.goto(f"{base}/cases/{closed.reference}/")
            first = page.locator("main h1 ~ section, main h1 ~ div.action-needed").first
            assert "decision" in (first.get_attribute("class") or "")
            assert "Upheld" in first.inner_text()
            box = page.locator("section.decision").bounding_box()
            assert box is not None and box["y"] < h, "the decision starts on the first screen"
            assert page.locator("details.timeline-details").get_attribute("open") not in ("", "open")
            page.screenshot(path=str(screenshots_dir / f"pages-closed-case-{label}.png"))
        # The decision letter downloads as a PDF.
        with page.expect_download() as download:
            page.click("text=Download the decision letter (PDF)")
        pdf_path = download.value.path()
        assert pdf_path is not None and pdf_path.read_bytes()[:4] == b"%PDF"

        citizen_paths = ["/cases/", "/file/", "/people/add/"] + [f"/cases/{r}/" for r in parent_cases]
        widths |= _walk(page, base, citizen_paths, screenshots_dir, "parent")
        page.goto(base + "/file/")
        page.select_option("#id_respondent", label="Harbour City Intermediate People's Court (dishonest-debtor list)")
        page.locator("#record-other").check()
        page.fill("#id_other_record_description", "A court record about a loan")
        with page.expect_navigation():
            page.click("main form button[type=submit]")
        widths |= _walk(page, base, ["/file/details/"], screenshots_dir, "filing")
        ctx.clear_cookies()

        _login(page, base, "citizen@example.org")
        widths |= _walk(page, base, ["/cases/"] + [f"/cases/{r}/" for r in li_cases], screenshots_dir, "li")
        ctx.clear_cookies()

        _login(page, base, "officer@example.org")
        officer_paths = [
            "/officer/",
            f"/officer/cases/{any_case}/",
            f"/officer/cases/{any_case}/investigation/",
            f"/cases/{closed.reference}/record-holders/",
        ]
        widths |= _walk(page, base, officer_paths, screenshots_dir, "officer")
    finally:
        ctx.close()
    too_wide = {path: w for path, w in widths.items() if w > 360}
    assert not too_wide, f"wider than a 360 px phone: {too_wide}"
