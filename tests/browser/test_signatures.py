"""A senior officer finds a draft decision in "Decisions awaiting signature" and signs it there,
after signing in with their second factor (issue 14), at phone and desktop width."""

from __future__ import annotations

import pytest

from tests.browser.signin import sign_in
from tests.browser.test_journey import Checker, submit
from tests.factories import TEST_TOTP_SECRET, OfficerFactory, SeniorOfficerFactory
from tests.tribunal.conftest import graph  # noqa: F401  (fixture)
from tests.tribunal.test_services import DELETE, SUMMARY, investigating
from tribunal import services as ts
from tribunal.models import DeterminationStatus

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
PASSWORD = "senior-pass-2026"


def test_a_senior_signs_from_the_awaiting_signature_queue(browser, live_server, screenshots_dir, request):  # type: ignore[no-untyped-def]
    from django.utils import timezone

    from kernel.actors import Actor

    complaint = investigating(request.getfixturevalue("graph"))
    officer = OfficerFactory()
    senior = SeniorOfficerFactory()
    senior.set_password(PASSWORD)
    senior.save()
    draft = ts.determination_save_draft(
        complaint_id=complaint.pk,
        actor=Actor.for_user(officer),
        outcome="upheld",
        findings="The entry was derived from the parent's record.",
        reasons="Only a debtor's own conduct may be recorded.",
        remedies=DELETE,
        public_summary=SUMMARY,
        now=timezone.now(),
    )
    check = Checker(screenshots_dir)
    ctx = browser.new_context(viewport={"width": 360, "height": 740}, locale="en-GB")
    page = ctx.new_page()
    page.set_default_timeout(20_000)
    try:
        sign_in(page, live_server.url, senior.email, PASSWORD, TEST_TOTP_SECRET)
        page.goto(live_server.url + "/officer/")
        with page.expect_navigation():
            page.click("text=Decisions awaiting signature")
        assert complaint.reference in page.inner_text("main")
        check.page(page, "signatures-queue")
        with page.expect_navigation():
            page.click(f"text={complaint.reference}")
        assert page.url.endswith(f"/officer/cases/{complaint.reference}/investigation/")
        # without a provisional decision the senior must say why: the reason is asked for first
        page.click("text=Sign the final decision without a provisional decision")
        page.fill("textarea[name=skip_provisional_reason]", "The agency is in default: it never answered.")
        submit(page, "main form:has(textarea[name=skip_provisional_reason])")
        draft.refresh_from_db()
        assert draft.status == DeterminationStatus.ISSUED
        assert draft.provisional_skip_reason == "The agency is in default: it never answered."
        page.goto(live_server.url + "/officer/signatures/")
        assert complaint.reference not in page.inner_text("main")
        check.page(page, "signatures-queue-empty")
        assert not check.serious(), check.serious()
    finally:
        ctx.close()
        check.save()
