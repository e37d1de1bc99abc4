"""Officers check proof of representation (citizens.services.representation_verify / _refuse):
the queue of requests waiting, one request with its proof beside the person's record, the proof
itself as a download. Behind the officer gate like every officer page."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from citizens.models import AccessKind, RepresentationRequest, RepresentationStatus
from citizens.services import Read, representation_refuse, representation_verify
from kernel.actors import Actor
from kernel.http import add_form_error, attachment_response, open_stored, run_service

from . import selectors
from .gate import log_read, officer_of, officer_required


class VerifyForm(forms.Form):
    valid_until = forms.DateField(
        label=gettext_lazy("Valid until"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=gettext_lazy("For a child, at the latest the day before their 18th birthday."),
    )


class RefuseForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Why the proof is refused"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("The requester reads this: say what proof would do."),
    )


@officer_required
@require_GET
def representation_queue(request: HttpRequest) -> HttpResponse:
    waiting = selectors.representation_requests_waiting()
    return render(request, "officer/representation_queue.html", {"waiting": waiting})


@officer_required
@require_http_methods(["GET", "POST"])
def representation_decide(request: HttpRequest, pk: int) -> HttpResponse:
    officer = officer_of(request)
    req = get_object_or_404(RepresentationRequest.objects.select_related("citizen", "representative"), pk=pk)
    now = timezone.now()
    default_until = (now + timedelta(days=365)).date()
    verify = VerifyForm(request.POST if "verify" in request.POST else None, initial={"valid_until": default_until})
    refuse = RefuseForm(request.POST if "refuse" in request.POST else None)
    status = 200
    if request.method == "POST":
        status = 400
        actor = Actor.for_user(officer)
        if "verify" in request.POST and verify.is_valid():
            until = timezone.make_aware(datetime.combine(verify.cleaned_data["valid_until"], time.max))
            _done, err = run_service(representation_verify, request_id=req.pk, actor=actor, now=now, valid_until=until)
            if err is None:
                messages.success(request, _("Verified: %(name)s is now represented.") % {"name": req.citizen.full_name})
                return redirect("officer-representation-queue")
            add_form_error(verify, err)
            status = err.status
        elif "refuse" in request.POST and refuse.is_valid():
            _done, err = run_service(
                representation_refuse, request_id=req.pk, actor=actor, reason=refuse.cleaned_data["reason"], now=now
            )
            if err is None:
                messages.success(request, _("Refused; the requester is told why."))
                return redirect("officer-representation-queue")
            add_form_error(refuse, err)
            status = err.status
    if request.method == "GET":
        log_read(request, AccessKind.PERSONAL_DATA, [Read(req.citizen_id)])
    context = {
        "req": req,
        "verify": verify,
        "refuse": refuse,
        "pending": req.status == RepresentationStatus.PENDING,
        "name_matches": req.stated_name.strip().casefold() == req.citizen.full_name.strip().casefold(),
        "dob_matches": req.stated_date_of_birth is None or req.stated_date_of_birth == req.citizen.date_of_birth,
        "is_minor": req.citizen.is_minor(now.date()),
    }
    return render(request, "officer/representation_decide.html", context, status=status)


@officer_required
@require_GET
def representation_proof(request: HttpRequest, pk: int) -> HttpResponseBase:
    req = get_object_or_404(RepresentationRequest, pk=pk)
    log_read(request, AccessKind.PERSONAL_DATA, [Read(req.citizen_id, None, req.pk)])
    return attachment_response(open_stored(req.proof), stored_name=req.proof_name, content_type=req.proof_content_type)
