"""The journey from the issue, in a real browser: a citizen signs up and files a complaint with an
attachment in Chinese, sees its reference; an officer triages and refers it; the citizen sees the
update and the agency's clocks. axe-core checks every page (no serious or critical violations) and
each page is photographed at phone and desktop width under var/screenshots/."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from accounts.services import totp_code_now
from agencies.models import Agency
from citizens.models import Citizen
from complaints.models import Complaint
from complaints.services import complaint_record_agency_response
from complaints.transitions import Status
from kernel.actors import Actor
from outbox.models import OutboxMessage
from tests.browser.signin import sign_in
from tests.factories import (
    AgencyFactory,
    BlacklistEntryFactory,
    CreditScoreRecordFactory,
    OfficerFactory,
    ScoringAgencyFactory,
    make_complaint,
    walk_to,
)

# serialized_rollback: the flush after a transactional test must not take the data migrations'
# reference data (record categories, clock rules) away from the tests that run after this one.
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

NATIONAL_ID = "110101199003074518"
PASSWORD = "browser-pass-2026"
SIZES = {"phone": (390, 844), "desktop": (1280, 800)}
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


class Checker:
    """Screenshots at both widths and an axe-core run at each; violations are collected."""

    def __init__(self, directory: Path) -> None:
        from axe_playwright_python.sync_playwright import Axe

        self.axe = Axe()
        self.dir = directory
        self.results: dict[str, Any] = {}

    def page(self, page: Any, name: str) -> None:
        page.wait_for_load_state("networkidle")
        found: list[dict[str, Any]] = []
        for label, (width, height) in SIZES.items():
            page.set_viewport_size({"width": width, "height": height})
            page.screenshot(path=str(self.dir / f"{name}-{label}.png"), full_page=True)
            response = self.axe.run(page).response
            for v in response["violations"]:
                found.append(
                    {
                        "width": label,
                        "id": v["id"],
                        "impact": v["impact"],
                        "help": v["help"],
                        "nodes": [n["target"] for n in v["nodes"]][:5],
                    }
                )
        page.set_viewport_size({"width": 1280, "height": 800})
        self.results[name] = {"url": page.url, "violations": found}

    def serious(self) -> dict[str, list[dict[str, Any]]]:
        out = {}
        for name, r in self.results.items():
            bad = [v for v in r["violations"] if v["impact"] in ("serious", "critical")]
            if bad:
                out[name] = bad
        return out

    def save(self) -> None:
        (self.dir / "axe-results.json").write_text(json.dumps(self.results, indent=2, ensure_ascii=False))


def submit(page: Any, form_selector: str = "main form.form") -> None:
    with page.expect_navigation():
        page.locator(f"{form_selector} button[type=submit]").last.click()


def test_citizen_files_in_chinese_officer_refers_citizen_sees_update(browser, live_server, screenshots_dir, tmp_path):
    court = AgencyFactory(
        name_en="Beijing Higher People's Court list", name_zh="北京市高级人民法院失信名单", slug="bj-court"
    )
    platform = ScoringAgencyFactory(name_en="Sesame-like platform", name_zh="某信用分平台", slug="platform")
    officer = OfficerFactory(email="officer-browser@example.org", full_name="Officer Browser", second_factor=False)
    officer.set_password(PASSWORD)
    officer.save()
    evidence = tmp_path / "还款凭证.pdf"
    evidence.write_bytes(PDF)
    check = Checker(screenshots_dir)

    citizen_ctx = browser.new_context(viewport={"width": 1280, "height": 800}, locale="en-GB")
    page = citizen_ctx.new_page()
    page.set_default_timeout(20_000)
    try:
        page.goto(live_server.url + "/")
        # keyboard: the first Tab reaches the skip link, which moves focus to the main content
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.textContent.trim()") == "Skip to content"
        page.keyboard.press("Enter")
        assert page.evaluate("document.activeElement.id") == "main"
        check.page(page, "01-home-en")
        # switch language with the switcher
        page.select_option("#lang-select", "zh-hans")
        with page.expect_navigation():
            page.click(".lang-button")
        assert page.locator("html").get_attribute("lang") == "zh-Hans"
        assert "免费更正" in page.inner_text("h1")
        check.page(page, "02-home-zh")

        page.click("text=注册账户")
        page.fill("#id_full_name", "张伟")
        page.fill("#id_email", "zhangwei@example.org")
        page.fill("#id_national_id", NATIONAL_ID)
        page.fill("#id_password1", PASSWORD)
        page.fill("#id_password2", PASSWORD)
        check.page(page, "03-signup-zh")
        submit(page)
        # The address is verified first: the link arrives by mail (through the outbox).
        assert page.url.endswith("/accounts/confirm-email/")
        check.page(page, "03b-verify-email-zh")
        mail = OutboxMessage.objects.get(recipient="zhangwei@example.org", topic="account.email_confirmation_signup")
        link = re.search(r"https?://[^/\s]+(/accounts/confirm-email/\S+)", mail.payload["body"])
        assert link is not None
        page.goto(live_server.url + link.group(1))
        submit(page)
        assert page.url.endswith("/file/")
        # Sign-up created a fresh citizen record (it never attaches an existing one); the agencies'
        # records about this person arrive for it.
        known = Citizen.objects.get(user__email="zhangwei@example.org")
        entry = BlacklistEntryFactory(
            citizen=known, agency=court, list_name="失信被执行人名单", agency_record_id="(2024)京01执123号"
        )
        score = CreditScoreRecordFactory(citizen=known, agency=platform, score=420)
        page.reload()

        # Screen 1: agency and record; the record list follows the agency (HTMX)
        assert page.locator(f"#record-s-{score.pk}").count() == 1
        page.select_option("#id_respondent", str(court.pk))
        page.wait_for_selector(f"#record-s-{score.pk}", state="detached")
        page.check(f"#record-b-{entry.pk}")
        check.page(page, "04-file-step1-zh")
        submit(page, "#record-form")

        # Screen 2: what is wrong, what they want, urgency, evidence
        assert page.url.endswith("/file/details/")
        page.check("input[name=category][value=inaccurate_data]")
        page.fill("#id_statement", "我已于2024年还清全部欠款，但仍在失信名单上，无法购买火车票。")
        page.check("input[name=remedies_sought][value=delete]")
        page.check("input[name=remedies_sought][value=lift_sanction]")
        page.check("#id_urgent")
        page.select_option("#id_urgency_reason", "travel")
        page.fill("#id_urgency_detail", "12月20日出差")
        page.set_input_files("#id_evidence", str(evidence))
        check.page(page, "05-file-step2-zh")
        with page.expect_navigation():
            page.locator("p.actions button[type=submit]").click()

        # Screen 3: review and submit
        assert page.url.endswith("/file/review/"), page.inner_text("main")
        assert "还款凭证.pdf" in page.inner_text("main")
        check.page(page, "06-file-review-zh")
        submit(page)

        # The case page: reference, status in plain language
        assert re.search(r"/cases/OMB-\d{4}-\d{6}/$", page.url)
        reference = page.inner_text(".status-box .reference")
        assert reference.startswith("OMB-")
        assert reference in page.inner_text(".messages")
        assert "已提交" in page.inner_text(".status-label")
        assert "还款凭证.pdf" in page.inner_text("main")
        assert NATIONAL_ID not in page.content()
        check.page(page, "07-case-submitted-zh")
        complaint = Complaint.objects.get(reference=reference)
        assert complaint.language == "zh-hans" and complaint.citizen_id == known.pk
        assert complaint.attachments.count() == 1

        # An officer triages and refers it
        officer_ctx = browser.new_context(viewport={"width": 1280, "height": 800}, locale="en-GB")
        opage = officer_ctx.new_page()
        opage.set_default_timeout(20_000)
        sign_in(opage, live_server.url, officer.email, PASSWORD)
        # No staff page before a second factor: the officer is sent to set one up, and does.
        opage.goto(live_server.url + "/officer/")
        assert opage.url.endswith("/accounts/2fa/")
        check.page(opage, "08a-second-factor-required")
        with opage.expect_navigation():
            opage.click("a[href='/accounts/2fa/totp/activate/']")
        if "/reauthenticate/" in opage.url:
            opage.fill("input[name=password]", PASSWORD)
            submit(opage)
        secret = opage.input_value("#authenticator_secret")
        check.page(opage, "08b-activate-totp")
        opage.fill("input[name=code]", totp_code_now(secret, at=time.time()))
        submit(opage)
        opage.goto(live_server.url + "/officer/")
        assert opage.url.endswith("/officer/")
        # Signing in again asks for the code (the next one: a code works once).
        with opage.expect_navigation():
            opage.click("header button:has-text('Sign out')")
        sign_in(opage, live_server.url, officer.email, PASSWORD, secret, ahead=1)
        opage.goto(live_server.url + "/officer/")
        assert reference in opage.inner_text("main")
        # search as you type (HTMX swaps the result list)
        opage.fill("#id_q", "no-such-case-anywhere")
        opage.wait_for_selector(f"#queue-results >> text={reference}", state="detached")
        opage.fill("#id_q", "张伟")
        opage.wait_for_selector(f"#queue-results >> text={reference}")
        check.page(opage, "08-officer-queue")
        # a reference goes straight to its case
        with opage.expect_navigation():
            opage.fill("#id_q", reference)
        assert opage.url.endswith(f"/officer/cases/{reference}/")
        check.page(opage, "09-officer-case")
        opage.click("summary:has-text('Start screening')")
        with opage.expect_navigation():
            opage.click("button[data-action=start_screening]")
        opage.click("summary:has-text('Refer to the agency')")
        with opage.expect_navigation():
            opage.click("button[data-action=refer]")
        assert "Waiting for the agency" in opage.inner_text(".status-label")
        assert "Answer the complaint" in opage.inner_text("main")
        check.page(opage, "10-officer-case-referred")
        complaint.refresh_from_db()
        assert complaint.status == Status.REFERRED

        # The citizen sees the update and the agency's clocks, with due dates and how they were computed
        page.reload()
        assert "等待机构答复" in page.inner_text(".status-label")
        clocks = page.inner_text("section[aria-labelledby=clocks-h]")
        assert "答复投诉" in clocks and "截止" in clocks
        assert page.locator(".clock time").count() >= 1
        check.page(page, "11-case-referred-zh")

        # enough answered complaints about the platform for the statistics to rate it, with a chart
        for i in range(12):
            other = make_complaint(blacklist_entry=BlacklistEntryFactory(agency=platform))
            walk_to(other, Status.REFERRED)
            complaint_record_agency_response(
                complaint_id=other.pk,
                actor=Actor.for_agency(platform),
                outcome="corrected" if i % 3 else "verified",
                explanation="Checked.",
                now=timezone.now(),
            )
        page.goto(live_server.url + "/statistics/")
        assert page.locator("svg.chart rect.bar").count() == 2  # upheld, and on time (from the clocks)
        check.page(page, "12-statistics-zh")
        page.goto(live_server.url + "/cases/")
        check.page(page, "13-my-cases-zh")
        officer_ctx.close()
    finally:
        check.save()
        citizen_ctx.close()

    assert check.serious() == {}, json.dumps(check.serious(), indent=2, ensure_ascii=False)
    assert Agency.objects.filter(slug__in=["bj-court", "platform"]).count() == 2
    assert Citizen.objects.filter(national_id_masked__startswith="11").exists()
