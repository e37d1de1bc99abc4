"""The citizen's rights (PIPL arts. 45 and 47, docs/retention.md): "Your data" lists the people
the user may act for (their own record, the people they represent), each with a download of
everything held about them (JSON, PDF) and a deletion request. Anyone else's record is a 404."""

from __future__ import annotations

import io
import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from citizens.models import Citizen
from kernel.http import attachment_response, run_service
from privacy.models import DeletionRequest, DeletionStatus
from privacy.selectors import citizen_export, people_of_user, person_for_user
from privacy.services import deletion_request_create

from . import letters
from .forms import ReasonForm
from .views import user


def _person_or_404(request: HttpRequest, citizen_id: int) -> Citizen:
    citizen = person_for_user(user=user(request), citizen_id=citizen_id)
    if citizen is None:
        raise Http404
    return citizen


def _page(request: HttpRequest, forms: dict[int, ReasonForm] | None = None, status: int = 200) -> HttpResponse:
    u = user(request)
    if u.is_officer:
        raise Http404
    people = people_of_user(u)
    requests: dict[int, list[DeletionRequest]] = {p.pk: [] for p in people}
    for r in DeletionRequest.objects.filter(citizen__in=people).order_by("-pk"):
        requests[r.citizen_id].append(r)
    rows = [
        {
            "person": p,
            "is_self": p.user_id == u.pk,
            "requests": requests[p.pk],
            "pending": any(r.status == DeletionStatus.PENDING for r in requests[p.pk]),
            "form": (forms or {}).get(p.pk) or ReasonForm(prefix=f"delete-{p.pk}"),
        }
        for p in people
    ]
    return render(request, "portal/my_data.html", {"rows": rows}, status=status)


@login_required
@require_GET
def my_data(request: HttpRequest) -> HttpResponse:
    return _page(request)


@login_required
@require_GET
def data_export_json(request: HttpRequest, citizen_id: int) -> HttpResponseBase:
    citizen = _person_or_404(request, citizen_id)
    data = citizen_export(citizen=citizen, now=timezone.now())
    body = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="my-data.json"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_GET
def data_export_pdf(request: HttpRequest, citizen_id: int) -> HttpResponseBase:
    citizen = _person_or_404(request, citizen_id)
    pdf = letters.data_export_pdf(citizen, now=timezone.now())
    return attachment_response(io.BytesIO(pdf), stored_name="my-data.pdf", content_type="application/pdf")


@login_required
@require_POST
def data_delete_request(request: HttpRequest, citizen_id: int) -> HttpResponse:
    citizen = _person_or_404(request, citizen_id)
    form = ReasonForm(request.POST, prefix=f"delete-{citizen.pk}")
    status = 400
    if form.is_valid():
        _made, err = run_service(
            deletion_request_create,
            citizen_id=citizen.pk,
            user=user(request),
            reason=form.cleaned_data["reason"],
            now=timezone.now(),
        )
        if err is None:
            messages.success(
                request,
                _("Your request was sent. An officer will decide it and we will email you the answer and the reason."),
            )
            return redirect("my-data")
        status = err.status
        form.add_error(None, err.message)
    return _page(request, {citizen.pk: form}, status=status)
