"""Issue 13's journey in a real browser: a court list office's responder signs in, sees a new
referral with its deadlines, acknowledges it, marks the record disputed, answers `corrected` with
two corrections, answers an information request with a PDF and confirms a correction order with
before/after rows; the officer and the citizen see each step on their pages; the court's clocks
are met. Every page is photographed at phone and desktop width (var/screenshots/agency-*) and
checked with axe-core (no violations at all).

Agency users sign in with their second factor (TOTP)."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from clocks.models import Clock, ClockStatus
from complaints.models import Complaint
from kernel.actors import Actor
from tests.agency_portal.conftest import make_member
from tests.browser.signin import sign_in as sign_in_as
from tests.browser.test_journey import PDF, Checker
from tests.factories import TEST_TOTP_SECRET, OfficerFactory, make_complaint
from tests.tribunal.conftest import graph  # noqa: F401  (fixture)
from tests.tribunal.test_services import investigating, issue
from tribunal import services as ts
from tribunal.models import CorrectionOrder, InformationRequest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
PASSWORD = "agency-pass-2026"


def sign_in(browser: Any, url: str, email: str) -> Any:
    ctx = browser.new_context(viewport={"width": 1280, "height": 800}, locale="en-GB")
    page = ctx.new_page()
    page.set_default_timeout(20_000)
    sign_in_as(page, url, email, PASSWORD, TEST_TOTP_SECRET)
    return page


def test_court_list_office_works_its_cases_in_the_portal(browser, live_server, screenshots_dir, request, tmp_path):  # type: ignore[no-untyped-def]
    sharing = request.getfixturevalue("graph")
    now = timezone.now()
    officer, senior = OfficerFactory(), OfficerFactory(role="senior_officer")
    for u in (officer, senior):
        u.set_password(PASSWORD)
        u.save()
    referral = make_complaint(
        status="referred", entry_kwargs={"agency": sharing.court, "agency_record_id": "(2025)HG-0417"}, now=now
    )
    citizen_user = referral.citizen.user
    citizen_user.set_password(PASSWORD)
    citizen_user.save()
    info = ts.information_request_create(
        complaint_id=investigating(sharing).pk,
        agency=sharing.court,
        actor=Actor.for_user(officer),
        questions=["When was the judgment paid?"],
        now=now,
    )
    order = issue(investigating(sharing), officer, senior, now=now).orders.get(agency=sharing.court)
    member = make_member(sharing.court)
    member.user.set_password(PASSWORD)
    member.user.save()
    pdf = tmp_path / "payment-record.pdf"
    pdf.write_bytes(PDF)
    check = Checker(screenshots_dir)
    base = live_server.url
    try:
        page = sign_in(browser, base, member.user.email)
        page.goto(base + "/agency/")
        main = page.inner_text("main")
        assert referral.reference in main and "(2025)HG-0417" in main
        assert "Acknowledge the referral" in main and "Answer an information request" in main
        assert "Carry out an order" in main
        check.page(page, "agency-01-worklist")

        with page.expect_navigation():
            page.click(f"a[href='/agency/referrals/{referral.reference}/']")
        assert "Your deadlines" in page.inner_text("main")
        check.page(page, "agency-02-referral")
        with page.expect_navigation():
            page.click("button[value=acknowledge]")
        assert "The referral is acknowledged." in page.inner_text("main")
        with page.expect_navigation():
            page.click("button[value=mark_disputed]")
        assert "The record is marked as disputed." in page.inner_text("main")

        page.select_option("#id_answer-outcome", "corrected")
        page.fill("#id_answer-explanation", "The judgment was paid on 2021-03-02; the listing is corrected.")
        for i, (field, old, new) in enumerate([("status", "listed", "satisfied"), ("amount", "380000", "0")]):
            page.fill(f"#id_corrections-{i}-field", field)
            page.fill(f"#id_corrections-{i}-old_value", old)
            page.fill(f"#id_corrections-{i}-new_value", new)
        with page.expect_navigation():
            page.click("button[data-action=answer]")
        assert "Your answer is recorded." in page.inner_text("main")
        check.page(page, "agency-03-referral-answered")

        page.goto(base + f"/agency/information-requests/{info.pk}/")
        check.page(page, "agency-04-information-request")
        page.fill("#id_answer_text", "Paid in full on 2021-03-02; the enforcement record is attached.")
        page.set_input_files("#id_documents", str(pdf))
        with page.expect_navigation():
            page.click("button[data-action=answer-request]")
        assert "Your answer is sent to the ombudsman." in page.inner_text("main")

        page.goto(base + f"/agency/correction-orders/{order.pk}/")
        assert page.input_value("#id_evidence-0-field") == "status"  # the ordered change, pre-filled
        assert page.input_value("#id_evidence-0-after") == "deleted"
        check.page(page, "agency-05-correction-order")
        with page.expect_navigation():
            page.click("button[data-action=confirm-order]")
        assert "The correction is confirmed." in page.inner_text("main")
        check.page(page, "agency-06-correction-confirmed")

        # The court's clocks are met.
        met = set(
            Clock.objects.filter(agency=sharing.court, status=ClockStatus.MET).values_list("obligation", flat=True)
        )
        assert {"acknowledge", "mark_disputed", "respond", "information_request", "compliance"} <= met
        fresh = Complaint.objects.get(pk=referral.pk)
        assert fresh.status == "agency_responded" and fresh.agency_responses.get().corrections[1]["field"] == "amount"
        assert InformationRequest.objects.get(pk=info.pk).documents.count() == 1
        assert CorrectionOrder.objects.get(pk=order.pk).status == "confirmed"

        # The officer and the citizen see each step.
        opage = sign_in(browser, base, officer.email)
        opage.goto(base + f"/officer/cases/{referral.reference}/")
        seen = opage.inner_text("main")
        for label in (
            "The agency acknowledged the referral",
            "The agency marked the record as disputed",
            "The agency answered",
            "satisfied",
        ):
            assert label in seen, label
        opage.goto(base + f"/officer/cases/{order.complaint.reference}/")
        assert "Correction carried out" in opage.inner_text("main")
        opage.goto(base + f"/officer/cases/{info.complaint.reference}/")
        assert "Information provided" in opage.inner_text("main")
        cpage = sign_in(browser, base, citizen_user.email)
        cpage.goto(base + f"/cases/{referral.reference}/")
        seen = cpage.locator("main").text_content() or ""  # the timeline is inside a collapsed <details>
        for label in (
            "The agency acknowledged the referral",
            "The agency marked the record as disputed",
            "The agency answered",
        ):
            assert label in seen, label

        # Chinese: the work list in the reader's language.
        page.goto(base + "/agency/")
        page.select_option("#lang-select", "zh-hans")
        with page.expect_navigation():
            page.click(".lang-button")
        assert "待办事项" in page.inner_text("main")
        check.page(page, "agency-07-worklist-zh")
    finally:
        check.save()
    violations = {name: r["violations"] for name, r in check.results.items() if r["violations"]}
    assert violations == {}
