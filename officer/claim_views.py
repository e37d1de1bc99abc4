"""Officers give claim codes (complaints.services.identity): the task list of sign-ups whose ID
number matched an existing record, and the page that shows a new code once, to read on the
phone or print in a letter. Behind the officer gate like every officer page."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from citizens.models import AccessKind, Citizen
from citizens.services import Read
from complaints import services
from kernel.actors import Actor
from kernel.http import run_service

from . import selectors
from .gate import log_read, officer_of, officer_required


@officer_required
@require_GET
def claim_tasks(request: HttpRequest) -> HttpResponse:
    matches = selectors.identity_matches_open()
    log_read(request, AccessKind.ID_MATCH, [Read(m.citizen_id) for m in matches])
    return render(request, "officer/claim_tasks.html", {"matches": matches})


@officer_required
@require_POST
def claim_code_new(request: HttpRequest, citizen_id: int) -> HttpResponse:
    citizen = get_object_or_404(Citizen, pk=citizen_id)
    actor = Actor.for_user(officer_of(request))
    result, err = run_service(services.claim_code_issue, citizen_id=citizen.pk, actor=actor, now=timezone.now())
    if err is not None or result is None:
        messages.error(request, err.message if err else _("No code was made."))
        return redirect("officer-claims")
    claim, code = result
    response = render(request, "officer/claim_code.html", {"citizen": citizen, "claim": claim, "code": code})
    response["Cache-Control"] = "no-store"
    return response


@officer_required
@require_POST
def claim_task_done(request: HttpRequest, match_id: int) -> HttpResponse:
    actor = Actor.for_user(officer_of(request))
    _done, err = run_service(services.identity_match_resolve, match_id=match_id, actor=actor, now=timezone.now())
    if err is not None:
        messages.error(request, err.message)
    return redirect("officer-claims")
