"""Citizen-facing pages: start page, people represented, the citizen's cases (the filing
wizard is in portal.filing_views). Every write goes through a service; refused requests come back as 4xx pages
that say what to fix."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

from allauth.core import ratelimit
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.models import User
from agencies.models import Agency
from citizens.selectors import access_log_for_case
from citizens.services import representation_end as representation_end_service
from citizens.services import representation_request
from complaints import selectors as complaint_selectors
from complaints import services
from complaints.models import AgencyOutcome, Complaint
from complaints.transitions import Action, allowed_actions
from kernel.actors import Actor, ActorKind
from kernel.http import add_form_error, attachment_response, open_stored, run_service
from kernel.visibility import VISIBLE_TO_CITIZEN
from tribunal import selectors as tribunal_selectors
from tribunal import services as tribunal_services
from tribunal.forms import ProvisionalCommentForm, ReviewRequestForm

from . import case_page, letters, selectors
from .forms import (
    ClaimForm,
    EvidenceForm,
    MessageForm,
    OptionalReasonForm,
    ReasonForm,
    RepresentedPersonForm,
)
from .timeline import timeline_rows


def home(request: HttpRequest) -> HttpResponse:
    agencies = Agency.objects.filter(active=True).only("name_en", "name_zh", "kind", "slug")
    return render(request, "portal/home.html", {"agencies": agencies})


def user(request: HttpRequest) -> User:
    u = request.user
    assert isinstance(u, User)
    return u


# --- people represented ---------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def people_add(request: HttpRequest) -> HttpResponse:
    """A parent or other representative asks to act for a person, with proof; an officer checks it."""
    if user(request).is_officer:
        raise Http404
    form = RepresentedPersonForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            proof = data["proof"]
            _request, err = run_service(
                representation_request,
                representative=user(request),
                full_name=data["full_name"],
                national_id_number=data["national_id"],
                date_of_birth=data["date_of_birth"],
                kind=data["kind"],
                proof=proof,
                proof_name=proof.name,
                proof_size=proof.size,
                now=timezone.now(),
            )
            if err is None:
                messages.success(
                    request,
                    _(
                        "Thank you. An officer will check your proof, usually within two working days; we "
                        "will email you. Until then you cannot see or file anything for this person."
                    ),
                )
                return redirect("my-cases")
            add_form_error(form, err)
        status = 400
    return render(request, "portal/people_add.html", {"form": form}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def claim_record(request: HttpRequest) -> HttpResponse:
    """A person takes over the record an officer made for them, with the code the officer gave."""
    if user(request).is_officer:
        raise Http404
    form = ClaimForm(request.POST or None)
    status = 200
    if request.method == "POST":
        limited = ratelimit.consume_or_429(request, action="claim_record", user=user(request))
        if limited is not None:
            return limited
        status = 400
        if form.is_valid():
            citizen, err = run_service(
                services.claim_code_redeem, user=user(request), code=form.cleaned_data["code"], now=timezone.now()
            )
            if err is None and citizen is not None:
                messages.success(
                    request,
                    _("Welcome, %(name)s: your record and cases are now in your account.")
                    % {"name": citizen.full_name},
                )
                return redirect("my-cases")
            assert err is not None
            status = err.status
            add_form_error(form, err)
    return render(request, "portal/claim.html", {"form": form}, status=status)


@login_required
@require_POST
def representation_end(request: HttpRequest, pk: int) -> HttpResponse:
    """The represented person (or the representative) ends a representation."""
    _ended, err = run_service(representation_end_service, request_id=pk, user=user(request), now=timezone.now())
    if err is None:
        messages.success(request, _("The representation has ended. They can no longer see or act on your cases."))
    else:
        messages.error(request, err.message)
    return redirect("my-cases")


# --- the citizen's cases ----------------------------------------------------------------------


@login_required
@require_GET
def my_cases(request: HttpRequest) -> HttpResponse:
    u = user(request)
    if u.is_officer:
        return redirect("officer-queues")
    complaints = list(
        complaint_selectors.complaints_visible_to_user(u)
        .select_related("citizen", "respondent")
        .order_by("-submitted_at")
    )
    needing = case_page.complaints_needing_action(complaints)
    # Cases waiting for the citizen first, then the others, newest first within each.
    complaints.sort(key=lambda c: c.pk not in needing)
    context = {
        "complaints": complaints,
        "needing": needing,
        "people": selectors.citizens_user_can_file_for(u),
        "my_representatives": selectors.representations_of(u),
        "my_requests": selectors.representation_requests_of(u),
    }
    return render(request, "portal/my_cases.html", context)


def citizen_case_or_404(request: HttpRequest, reference: str) -> Complaint:
    u = user(request)
    complaint = complaint_selectors.complaint_get_for_user(user=u, reference=reference)
    if complaint is None or u.is_officer:
        raise Http404
    return complaint


CITIZEN_ACTIONS = ("message", "evidence", "accept", "contest", "withdraw", "comment", "review")


def citizen_case_context(complaint: Complaint, forms: dict[str, Any] | None = None) -> dict[str, Any]:
    allowed = {a.value for a in allowed_actions(complaint.status_enum, ActorKind.CITIZEN)}
    forms = forms or {}
    clocks = selectors.clocks_for(complaint=complaint, audience="citizen")
    return {
        "complaint": complaint,
        "panel": case_page.status_panel(complaint, clocks=clocks, now=timezone.now()),
        "decision": case_page.decision_panel(complaint),
        "provisional": tribunal_selectors.provisional_view(complaint, party="citizen", now=timezone.now()),
        "comment_form": forms.get("comment") or ProvisionalCommentForm(prefix="comment"),
        "review": tribunal_selectors.review_view(complaint),
        "review_form": forms.get("review") or ReviewRequestForm(prefix="review"),
        "now": timezone.now(),
        "filed": case_page.filed_summary(complaint),
        "timeline": timeline_rows(complaint, "citizen"),
        "viewings": access_log_for_case(complaint_id=complaint.pk, citizen_id=complaint.citizen_id),
        "clocks": clocks,
        "responses": list(complaint.agency_responses.all()),
        "attachments": complaint.attachments.filter(visibility__in=VISIBLE_TO_CITIZEN),
        "can_accept": Action.RESOLVE.value in allowed,
        "can_contest": Action.OPEN_INVESTIGATION.value in allowed and complaint.agency_responses.exists(),
        "can_withdraw": Action.WITHDRAW.value in allowed,
        "is_open": complaint.closed_at is None,
        "message_form": forms.get("message") or MessageForm(prefix="message"),
        "evidence_form": forms.get("evidence") or EvidenceForm(prefix="evidence"),
        "contest_form": forms.get("contest") or ReasonForm(prefix="contest"),
        "withdraw_form": forms.get("withdraw") or OptionalReasonForm(prefix="withdraw"),
        "accept_form": forms.get("accept") or OptionalReasonForm(prefix="accept"),
        "corrected_outcomes": {AgencyOutcome.CORRECTED, AgencyOutcome.DELETED, AgencyOutcome.PARTIALLY_CORRECTED},
    }


@login_required
@require_http_methods(["GET", "POST"])
def case_detail(request: HttpRequest, reference: str) -> HttpResponse:
    complaint = citizen_case_or_404(request, reference)
    if request.method == "GET":
        return render(request, "portal/case_detail.html", citizen_case_context(complaint))
    action = request.POST.get("action", "")
    if action not in CITIZEN_ACTIONS:
        messages.error(request, _("Unknown action."))
        return render(request, "portal/case_detail.html", citizen_case_context(complaint), status=400)
    actor = Actor.for_user(user(request))
    now = timezone.now()
    form: Any
    call: Callable[[dict[str, Any]], object]
    if action == "message":
        form = MessageForm(request.POST, prefix=action)
        call = lambda d: services.complaint_post_message(  # noqa: E731
            complaint_id=complaint.pk, actor=actor, text=d["text"], now=now
        )
        done = _("Your message was sent.")
    elif action == "evidence":
        form = EvidenceForm(request.POST, request.FILES, prefix=action)
        call = lambda d: services.attachment_add(  # noqa: E731
            complaint_id=complaint.pk,
            actor=actor,
            fileobj=d["file"],
            filename=d["file"].name,
            size=d["file"].size,
            now=now,
        )
        done = _("The file was added to your case.")
    elif action == "accept":
        form = OptionalReasonForm(request.POST, prefix=action)
        call = lambda d: services.complaint_resolve(  # noqa: E731
            complaint_id=complaint.pk, actor=actor, now=now, note=d.get("reason", "")
        )
        done = _("Thank you. You accepted the agency's answer and the case is resolved.")
    elif action == "contest":
        form = ReasonForm(request.POST, prefix=action)
        call = lambda d: services.complaint_open_investigation(  # noqa: E731
            complaint_id=complaint.pk, actor=actor, reason=d["reason"], now=now
        )
        done = _("You contested the agency's answer. The ombudsman will now investigate.")
    elif action == "comment":
        form = ProvisionalCommentForm(request.POST, prefix=action)
        call = lambda d: tribunal_services.provisional_comment_on_case(  # noqa: E731
            complaint_id=complaint.pk, actor=actor, comment=d["comment"], now=now
        )
        done = _("Your comments were sent to the ombudsman. They will be considered before the final decision.")
    elif action == "review":
        form = ReviewRequestForm(request.POST, prefix=action)
        call = lambda d: tribunal_services.review_request(  # noqa: E731
            complaint_id=complaint.pk, actor=actor, reasons=d["reasons"], now=now
        )
        done = _("You asked for a review. A senior officer who took no part in the case will decide it.")
    else:
        form = OptionalReasonForm(request.POST, prefix=action)
        call = lambda d: services.complaint_withdraw(  # noqa: E731
            complaint_id=complaint.pk, actor=actor, now=now, reason=d.get("reason", "")
        )
        done = _("Your complaint was withdrawn.")
    status = 400
    if form.is_valid():
        _result, err = run_service(call, d=form.cleaned_data)
        if err is None:
            messages.success(request, done)
            return redirect("case-detail", reference=complaint.reference)
        status = err.status
        messages.error(request, err.message)
        add_form_error(form, err)
    complaint.refresh_from_db()
    return render(request, "portal/case_detail.html", citizen_case_context(complaint, {action: form}), status=status)


@login_required
@require_GET
def case_attachment(request: HttpRequest, reference: str, pk: int) -> HttpResponseBase:
    complaint = citizen_case_or_404(request, reference)
    attachment = get_object_or_404(complaint.attachments.filter(visibility__in=VISIBLE_TO_CITIZEN), pk=pk)
    return attachment_response(
        open_stored(attachment.file), stored_name=attachment.original_name, content_type=attachment.content_type
    )


@login_required
@require_GET
def case_summary_pdf(request: HttpRequest, reference: str) -> HttpResponseBase:
    """What the citizen filed, as a PDF in the citizen's language."""
    complaint = citizen_case_or_404(request, reference)
    return attachment_response(
        io.BytesIO(letters.complaint_summary_pdf(complaint)),
        stored_name=f"{complaint.reference}-complaint.pdf",
        content_type="application/pdf",
    )


@login_required
@require_GET
def case_decision_pdf(request: HttpRequest, reference: str) -> HttpResponseBase:
    """The ombudsman's decision letter as a PDF in the citizen's language (404 before a decision)."""
    complaint = citizen_case_or_404(request, reference)
    pdf = letters.decision_letter_pdf(complaint)
    if pdf is None:
        raise Http404
    return attachment_response(
        io.BytesIO(pdf), stored_name=f"{complaint.reference}-decision.pdf", content_type="application/pdf"
    )
