"""Officers decide citizens' deletion requests (privacy.services.deletion_request_decide) against
the retention schedule (docs/retention.md): the list (waiting first), one request beside the
person's cases. Behind the officer gate; opening a request is a logged read of personal data."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from citizens.models import AccessKind
from citizens.services import Read
from complaints.transitions import OPEN_STATUSES
from kernel.actors import Actor
from kernel.http import add_form_error, run_service
from privacy.models import DeletionStatus
from privacy.selectors import deletion_request_cases, deletion_requests_queue
from privacy.services import deletion_request_decide, retention_period

from .gate import log_read, officer_of, officer_required


class DecideForm(forms.Form):
    decision = forms.ChoiceField(
        label=gettext_lazy("Decision"),
        choices=[
            ("grant", gettext_lazy("Grant: erase the person's data now")),
            ("refuse", gettext_lazy("Refuse")),
        ],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("The person reads this, in an email: say which rule applies."),
    )


@officer_required
@require_GET
def deletion_requests(request: HttpRequest) -> HttpResponse:
    rows = list(deletion_requests_queue()[:200])
    return render(request, "officer/deletion_requests.html", {"rows": rows})


@officer_required
@require_http_methods(["GET", "POST"])
def deletion_request(request: HttpRequest, pk: int) -> HttpResponse:
    officer = officer_of(request)
    req = get_object_or_404(deletion_requests_queue(), pk=pk)
    form = DecideForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            grant = form.cleaned_data["decision"] == "grant"
            _done, err = run_service(
                deletion_request_decide,
                request_id=req.pk,
                actor=Actor.for_user(officer),
                grant=grant,
                reason=form.cleaned_data["reason"],
                now=timezone.now(),
            )
            if err is None:
                messages.success(
                    request,
                    _("Granted: the person's data is erased; they are told.")
                    if grant
                    else _("Refused; the person is told why."),
                )
                return redirect("officer-deletion-requests")
            add_form_error(form, err)
            status = err.status
    else:
        log_read(request, AccessKind.PERSONAL_DATA, [Read(req.citizen_id)])
    now = timezone.now()
    cutoff = now - retention_period("closed_case")
    cases = [
        {
            "complaint": c,
            "open": c.status_enum in OPEN_STATUSES,
            "expired": c.closed_at is not None and c.closed_at < cutoff,
            "erase_on": (c.closed_at + retention_period("closed_case")) if c.closed_at else None,
        }
        for c in deletion_request_cases(req)
    ]
    context = {"req": req, "form": form, "cases": cases, "pending": req.status == DeletionStatus.PENDING}
    return render(request, "officer/deletion_request.html", context, status=status)
