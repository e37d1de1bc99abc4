"""A citizen finds the ombudsman's provisional decision first on their case page, in their
language, at phone and desktop width, and comments on it; once the final decision is signed
(saying how the comments were considered) the citizen asks for a review (issue 15)."""

from __future__ import annotations

import pytest

from tests.browser.signin import sign_in
from tests.browser.test_journey import Checker, submit
from tests.factories import OfficerFactory, SeniorOfficerFactory
from tests.tribunal.conftest import graph  # noqa: F401  (fixture)
from tests.tribunal.test_services import DELETE, SUMMARY, investigating_after_referral
from tribunal import services as ts
from tribunal.models import DeterminationReview, ProvisionalComment

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
PASSWORD = "citizen-pass-2026"


def test_a_citizen_reads_the_provisional_decision_first_and_comments(browser, live_server, screenshots_dir, request):  # type: ignore[no-untyped-def]
    from django.utils import timezone

    from kernel.actors import Actor

    complaint = investigating_after_referral(request.getfixturevalue("graph"))
    draft = ts.determination_save_draft(
        complaint_id=complaint.pk,
        actor=Actor.for_user(OfficerFactory()),
        outcome="upheld",
        findings="The entry was derived from the parent's record.",
        reasons="Only a debtor's own conduct may be recorded.",
        remedies=DELETE,
        public_summary=SUMMARY,
        now=timezone.now(),
    )
    ts.determination_share_provisional(
        determination_id=draft.pk, actor=Actor.for_user(SeniorOfficerFactory()), now=timezone.now()
    )
    user = complaint.citizen.user
    user.set_password(PASSWORD)
    user.save()
    check = Checker(screenshots_dir)
    for language, locale, action_words in (("zh-hans", "zh-CN", "需要您处理"), ("en", "en-GB", "Action needed")):
        user.preferred_language = language
        user.save(update_fields=["preferred_language"])
        ctx = browser.new_context(viewport={"width": 360, "height": 740}, locale=locale)
        page = ctx.new_page()
        page.set_default_timeout(20_000)
        try:
            sign_in(page, live_server.url, user.email, PASSWORD)
            page.goto(live_server.url + f"/cases/{complaint.reference}/")
            main = page.locator("main")
            text = main.inner_text()
            # what the citizen must do comes first, then the provisional decision, then the status
            action = page.locator(".action-needed").bounding_box()
            panel = page.locator("#provisional-h").bounding_box()
            status = page.locator(".status-box").bounding_box()
            assert action and panel and status
            assert action["y"] < panel["y"] < status["y"]
            assert page.evaluate("document.documentElement.scrollWidth") <= 360
            check.page(page, f"provisional-citizen-{language}")
            assert action_words in text
            assert ("监察专员的初步决定" in text) == (language == "zh-hans")
            if language == "en":
                page.fill("textarea[name=comment-comment]", "The listing is still shown to the school.")
                submit(page, "form#comment")
                assert "The listing is still shown to the school." in page.inner_text("main")
                assert "Action needed" not in page.inner_text("main")
                check.page(page, "provisional-citizen-commented")
        finally:
            ctx.close()
    assert ProvisionalComment.objects.get().text == "The listing is still shown to the school."

    # The agency comments too; the final decision is signed, saying how the comments were weighed.
    ts.provisional_comment_on_case(
        complaint_id=complaint.pk, actor=Actor.for_agency(complaint.respondent), comment="Agreed.", now=timezone.now()
    )
    ts.determination_save_draft(
        complaint_id=complaint.pk,
        actor=Actor.for_user(OfficerFactory()),
        outcome="upheld",
        findings="The entry was derived from the parent's record.",
        reasons="Only a debtor's own conduct may be recorded.",
        remedies=DELETE,
        public_summary=SUMMARY,
        comments_considered="The school still shows the listing: the order goes to the school too.",
        now=timezone.now(),
    )
    ts.determination_sign(determination_id=draft.pk, actor=Actor.for_user(SeniorOfficerFactory()), now=timezone.now())
    ctx = browser.new_context(viewport={"width": 360, "height": 740}, locale="en-GB")
    page = ctx.new_page()
    page.set_default_timeout(20_000)
    try:
        sign_in(page, live_server.url, user.email, PASSWORD)
        page.goto(live_server.url + f"/cases/{complaint.reference}/")
        main = page.inner_text("main")
        assert "The school still shows the listing: the order goes to the school too." in main
        decision = page.locator("#decision-h").bounding_box()
        review_box = page.locator("#review-h").bounding_box()
        assert decision and review_box and decision["y"] < review_box["y"]
        page.click("text=Ask for a review of the decision")
        page.fill("textarea[name=review-reasons]", "The compensation ignores the lost school year.")
        submit(page, "form#review")
        assert "A senior officer who took no part in the case is deciding the review." in page.inner_text("main")
        check.page(page, "review-citizen-asked")
    finally:
        ctx.close()
    check.save()
    assert DeterminationReview.objects.get().reasons == "The compensation ignores the lost school year."
    assert not check.serious(), check.serious()
