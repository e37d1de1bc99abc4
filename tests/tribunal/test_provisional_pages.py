"""The provisional decision through the pages: a senior shares it from the investigation page;
the citizen reads it first on their case page (action needed) and comments; the agency comments
from its portal; nobody else can; the final decision shows how the comments were considered."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from clocks.models import Clock, ClockStatus, Obligation, OwedBy
from tests.agency_portal.conftest import make_member, signed_in
from tests.factories import AgencyFactory, BlacklistEntryFactory, SeniorOfficerFactory, make_complaint
from tribunal.models import Determination, ProvisionalComment

from .test_officer_views import draft_post, url
from .test_services import investigating, investigating_after_referral

pytestmark = pytest.mark.django_db


def share(client: Client, complaint, officer, senior):  # type: ignore[no-untyped-def]
    client.force_login(officer)
    assert client.post(url(complaint), draft_post()).status_code == 302
    client.force_login(senior)
    page = client.get(url(complaint)).content.decode()
    assert "Sign as provisional and share for comment" in page
    assert client.post(url(complaint), {"action": "share_provisional"}).status_code == 302
    return Determination.objects.get(complaint=complaint)


def test_citizen_and_agency_comment_from_their_pages(client: Client, graph, officer, senior):
    complaint = investigating_after_referral(graph)
    det = share(client, complaint, officer, senior)
    assert det.status == "provisional"
    officer_page = client.get(url(complaint)).content.decode()
    assert "may comment until" in officer_page

    citizen = Client()
    citizen.force_login(complaint.citizen.user)
    case_url = f"/cases/{complaint.reference}/"
    page = citizen.get(case_url).content.decode()
    assert "Action needed" in page and "provisional decision" in page
    assert page.index("provisional-h") < page.index("Who owes what")
    assert "Delete the entry" in page and "Pay compensation: 800.00 CNY" in page  # the remedies in words
    empty = citizen.post(case_url, {"action": "comment", "comment-comment": ""})
    assert empty.status_code == 400
    sent = citizen.post(case_url, {"action": "comment", "comment-comment": "The listing is still online."})
    assert sent.status_code == 302
    after = citizen.get(case_url).content.decode()
    assert "The listing is still online." in after and "Action needed" not in after

    agency_client = signed_in(make_member(complaint.respondent))
    referral_url = f"/agency/referrals/{complaint.reference}/"
    page = agency_client.get(referral_url).content.decode()
    assert "provisional-h" in page
    assert agency_client.post(referral_url, {"action": "comment", "comment-comment": "We agree."}).status_code == 302
    assert list(ProvisionalComment.objects.values_list("party", "text")) == [
        ("citizen", "The listing is still online."),
        ("agency", "We agree."),
    ]
    clocks = Clock.objects.filter(complaint=complaint, obligation=Obligation.PROVISIONAL_COMMENT)
    assert {c.owed_by: c.status for c in clocks} == {OwedBy.CITIZEN: ClockStatus.MET, OwedBy.AGENCY: ClockStatus.MET}

    # the final decision: both commented, so it can be signed once the draft says how they were weighed
    signer = SeniorOfficerFactory()
    client.force_login(signer)
    refused = client.post(url(complaint), {"action": "sign"})
    assert refused.status_code == 400 and "how the parties" in refused.content.decode()
    client.force_login(officer)
    considered = draft_post(**{"det-comments_considered": "The listing being online is why deletion is ordered."})
    assert client.post(url(complaint), considered).status_code == 302
    client.force_login(signer)
    assert client.post(url(complaint), {"action": "sign"}).status_code == 302
    final = citizen.get(case_url).content.decode()
    assert "The listing being online is why deletion is ordered." in final
    assert "provisional-h" not in final


def test_nobody_else_can_comment(client: Client, graph, officer, senior):
    complaint = investigating_after_referral(graph)
    share(client, complaint, officer, senior)
    stranger = Client()
    stranger.force_login(make_complaint(blacklist_entry=BlacklistEntryFactory()).citizen.user)
    assert (
        stranger.post(f"/cases/{complaint.reference}/", {"action": "comment", "comment-comment": "x"}).status_code
        == 404
    )
    other_agency = signed_in(make_member(AgencyFactory()))
    r = other_agency.post(f"/agency/referrals/{complaint.reference}/", {"action": "comment", "comment-comment": "x"})
    assert r.status_code == 404
    assert not ProvisionalComment.objects.exists()


def test_a_comment_after_the_period_is_refused_with_the_date(client: Client, graph, officer, senior):
    complaint = investigating(graph)
    share(client, complaint, officer, senior)
    Clock.objects.filter(complaint=complaint, obligation=Obligation.PROVISIONAL_COMMENT).update(
        due_at=timezone.now() - timedelta(hours=1)
    )
    citizen = Client()
    citizen.force_login(complaint.citizen.user)
    page = citizen.get(f"/cases/{complaint.reference}/").content.decode()
    assert "The comment period ended on" in page
    late = citizen.post(f"/cases/{complaint.reference}/", {"action": "comment", "comment-comment": "Late."})
    assert late.status_code == 409 and "comment period ended" in late.content.decode()
