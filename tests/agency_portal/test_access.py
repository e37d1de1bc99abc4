"""Access matrix of the agency portal: every page x (its agency's user, another agency's user,
a citizen, an officer, nobody signed in), responders on administrator pages, and the one scoping
rule (agencies.scoping) the API and the portal share."""

from __future__ import annotations

import io

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, reverse
from django.utils import timezone

from agencies.models import AgencyRole
from agencies.scoping import agency_get, agency_scoped
from agency_portal import urls as portal_urls
from agency_portal.gate import gate_of
from complaints.models import Attachment, Complaint
from complaints.services import attachment_add
from kernel.actors import Actor
from kernel.errors import NotFound
from tests.factories import AgencyFactory, OfficerFactory, UserFactory, make_complaint
from tests.tribunal.test_services import investigating, issue
from tribunal import services as ts

from .conftest import make_member, signed_in

pytestmark = pytest.mark.django_db
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 80


@pytest.fixture
def world(graph, officer, senior):  # type: ignore[no-untyped-def]
    """The court has a referral with a file; the bank an information request; the rail line a
    correction order; every page is fetched by its owner and by the others."""
    now = timezone.now()
    referral = make_complaint(status="referred", entry_kwargs={"agency": graph.court}, now=now)
    f = io.BytesIO(PNG)
    attachment = attachment_add(
        complaint_id=referral.pk,
        actor=Actor.for_agency(graph.court),
        fileobj=f,
        filename="s.png",
        size=len(PNG),
        now=now,
    )
    investigation = investigating(graph)
    request = ts.information_request_create(
        complaint_id=investigation.pk,
        agency=graph.bank,
        actor=Actor.for_user(officer),
        questions=["Where did the listing come from?"],
        now=now,
    )
    det = issue(investigating(graph), officer, senior, now=now)
    order = det.orders.get(agency=graph.rail)
    return {
        "graph": graph,
        "pages": {
            "referral": (graph.court, reverse("agency_portal:referral", args=[referral.reference])),
            "file": (graph.court, reverse("agency_portal:referral-file", args=[referral.reference, attachment.pk])),
            "request": (graph.bank, reverse("agency_portal:information-request", args=[request.pk])),
            "order": (graph.rail, reverse("agency_portal:correction-order", args=[order.pk])),
        },
        "referral": referral,
    }


PAGES = ["referral", "file", "request", "order"]


@pytest.mark.parametrize("page", PAGES)
def test_the_owner_sees_the_page_and_another_agency_gets_404(world, page):  # type: ignore[no-untyped-def]
    owner, url = world["pages"][page]
    assert signed_in(make_member(owner)).get(url).status_code == 200
    for other in (world["graph"].unrelated, world["graph"].school, AgencyFactory()):
        if other == owner:
            continue
        for role in (AgencyRole.RESPONDER, AgencyRole.ADMINISTRATOR):
            client = signed_in(make_member(other, role))
            assert client.get(url).status_code == 404, (page, other.slug, role)
            if page != "file":  # downloads are GET only
                assert client.post(url, {"action": "acknowledge", "answer_text": "x"}).status_code == 404


@pytest.mark.parametrize("page", PAGES)
def test_citizens_officers_and_anonymous_visitors_are_kept_out(world, page):  # type: ignore[no-untyped-def]
    _owner, url = world["pages"][page]
    anonymous = Client().get(url)
    assert anonymous.status_code == 302 and anonymous["Location"].startswith(reverse("account_login"))
    for user in (world["referral"].citizen.user, OfficerFactory(), UserFactory()):
        client = Client()
        client.force_login(user)
        assert client.get(url).status_code == 404
        assert client.get(reverse("agency_portal:worklist")).status_code == 404


def test_another_agencys_post_writes_nothing(world):  # type: ignore[no-untyped-def]
    _owner, url = world["pages"]["referral"]
    events = world["referral"].events.count()
    signed_in(make_member(world["graph"].rail)).post(url, {"action": "acknowledge"})
    signed_in(make_member(world["graph"].rail)).post(url, {"action": "mark_disputed"})
    world["referral"].refresh_from_db()
    assert world["referral"].acknowledged_at is None and world["referral"].events.count() == events


def test_responders_get_403_on_administrator_pages(graph):  # type: ignore[no-untyped-def]
    url = reverse("agency_portal:team")
    admin, responder = make_member(graph.court, AgencyRole.ADMINISTRATOR), make_member(graph.court)
    other_admin = make_member(graph.rail, AgencyRole.ADMINISTRATOR)
    assert signed_in(responder).get(url).status_code == 403
    page = signed_in(admin).get(url)
    assert page.status_code == 200
    assert responder.user.email in page.content.decode()
    assert other_admin.user.email not in page.content.decode()  # another agency's users are absent


def test_every_portal_url_is_behind_the_gate() -> None:
    patterns = portal_urls.urlpatterns
    assert patterns
    for p in patterns:
        assert isinstance(p, URLPattern) and not isinstance(p, URLResolver)
        if p.name == "invitation":  # the one open page: it creates the account (test_invitations)
            assert gate_of(p.callback) is None
            continue
        expected = "administrator" if p.name == "team" else "member"
        assert gate_of(p.callback) == expected, p.name


def test_inactive_user_or_agency_is_not_a_member(graph):  # type: ignore[no-untyped-def]
    member = make_member(graph.court)
    client = signed_in(member)
    assert client.get(reverse("agency_portal:worklist")).status_code == 200
    graph.court.active = False
    graph.court.save(update_fields=["active"])
    assert client.get(reverse("agency_portal:worklist")).status_code == 404


# --- the one scoping rule -------------------------------------------------------------------


def test_agency_scoped_filters_to_the_actors_agency_and_gives_others_nothing(graph):  # type: ignore[no-untyped-def]
    mine = make_complaint(status="referred", entry_kwargs={"agency": graph.court})
    theirs = make_complaint(status="referred", entry_kwargs={"agency": graph.rail})
    court_user = make_member(graph.court)
    qs = Complaint.objects.all()
    for actor in (Actor.for_agency(graph.court), Actor.for_agency_user(court_user.user, graph.court)):
        assert list(agency_scoped(qs, actor=actor, agency_field="respondent")) == [mine]
        assert agency_get(qs, actor=actor, agency_field="respondent", reference=mine.reference) == mine
        with pytest.raises(NotFound):
            agency_get(qs, actor=actor, agency_field="respondent", reference=theirs.reference)
    for actor in (Actor.system(), Actor.for_user(OfficerFactory()), Actor.for_user(mine.citizen.user)):
        assert not agency_scoped(qs, actor=actor, agency_field="respondent").exists()
    with pytest.raises(TypeError):
        agency_scoped(qs, actor=Actor.for_agency(graph.court), agency_field="")
    assert (
        not agency_scoped(
            Attachment.objects.all(), actor=Actor.for_agency(graph.court), agency_field="complaint__respondent"
        )
        .exclude(complaint__respondent=graph.court)
        .exists()
    )


def test_the_api_base_scopes_through_the_same_rule() -> None:
    import inspect

    from agency_api import base

    source = inspect.getsource(base.AgencyAPIView.get_queryset)
    assert "agency_scoped(" in source
