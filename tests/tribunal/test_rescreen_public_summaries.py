"""Summaries published before the screening learnt about disguised names are screened again once
(`manage.py rescreen_public_summaries`): those that now fail are withheld from the registers."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.test import Client

from kernel.errors import ServiceError
from tests.factories import NOW
from tests.tribunal.test_services import investigating, issue
from tribunal import services as ts
from tribunal.models import Determination

pytestmark = pytest.mark.django_db


def _published_with(graph, officer, senior, text: str) -> Determination:  # type: ignore[no-untyped-def]
    """A determination issued with a clean summary, whose stored summary is then `text`, as the
    old screening let through."""
    det = issue(investigating(graph), officer, senior)
    Determination.objects.filter(pk=det.pk).update(public_summary=text)
    return Determination.objects.get(pk=det.pk)


def test_a_disguised_name_is_refused_at_signing_now(graph, officer, senior):  # type: ignore[no-untyped-def]
    complaint = investigating(graph)
    name = complaint.citizen.full_name
    disguised = name.replace(" ", "\u00a0", 1) if " " in name else name[0] + "\u200b" + name[1:]
    with pytest.raises(ServiceError, match="name of a party"):
        issue(complaint, officer, senior, summary=f"{disguised} was listed because of a parent's debt.")


def test_rescreen_withholds_only_the_failing_summaries(graph, officer, senior):  # type: ignore[no-untyped-def]
    clean = issue(investigating(graph), officer, senior)
    leaking = _published_with(graph, officer, senior, "")
    name = leaking.complaint.citizen.full_name
    words = name.split()
    disguised = " ".join(reversed(words)) if len(words) > 1 else name[0] + "\u200b" + name[1:]
    Determination.objects.filter(pk=leaking.pk).update(public_summary=f"{disguised} was listed wrongly.")

    out = io.StringIO()
    call_command("rescreen_public_summaries", "--dry-run", stdout=out)
    assert "2 published summaries checked, would withhold 1" in out.getvalue()
    assert not Determination.objects.filter(summary_withheld_at__isnull=False).exists()

    out = io.StringIO()
    call_command("rescreen_public_summaries", stdout=out)
    assert "withheld 1" in out.getvalue() and str(leaking.number) in out.getvalue()
    leaking.refresh_from_db()
    clean.refresh_from_db()
    assert leaking.summary_withheld_at is not None and clean.summary_withheld_at is None

    # The registers no longer show it, on the page or in the API.
    page = Client().get(f"/registers/determinations/{leaking.number}/").content.decode()
    assert disguised not in page and "withheld while it is checked" in page
    listing = Client().get("/registers/determinations/").content.decode()
    assert disguised not in listing
    api = Client().get(f"/api/v1/registers/determinations/{leaking.number}/").json()
    assert api["public_summary"] == "" and api["summary_withheld"] is True
    assert Client().get(f"/api/v1/registers/determinations/{clean.number}/").json()["summary_withheld"] is False

    # The officers see why on the case's investigation page.
    staff = Client()
    staff.force_login(officer)
    page = staff.get(f"/officer/cases/{leaking.complaint.reference}/investigation/").content.decode()
    assert "Withheld from the public registers" in page

    # Run twice: nothing more to do.
    out = io.StringIO()
    call_command("rescreen_public_summaries", stdout=out)
    assert "1 published summaries checked, withheld 0" in out.getvalue()


def test_the_service_takes_now(graph, officer, senior):  # type: ignore[no-untyped-def]
    det = _published_with(graph, officer, senior, "")
    Determination.objects.filter(pk=det.pk).update(public_summary=det.complaint.citizen.full_name.upper())
    report = ts.determination_summaries_rescreen(now=NOW)
    assert report.withheld == [det.number]
    det.refresh_from_db()
    assert det.summary_withheld_at == NOW
