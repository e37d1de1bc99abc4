"""The officers' investigation page for one case: information requests, the determination (draft,
then a different senior officer signs), correction orders and waivers; and the download of the
documents agencies send in answer. Behind the one officer gate (officer.gate): citizens get a 404.
Every action goes through `tribunal.services`; a refusal is shown on the page with a 4xx status."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from citizens.models import AccessKind
from citizens.services import Read
from complaints.models import Complaint
from complaints.transitions import Status
from kernel.actors import Actor
from kernel.errors import ServiceError
from kernel.http import ErrorAnswer, attachment_response, error_answer, open_stored
from tribunal import selectors, services
from tribunal.models import UNISSUED_STATUSES, DeterminationStatus, InformationDocument

from .gate import log_read, officer_of, officer_required
from .investigation_forms import (
    CancelRequestForm,
    DeterminationForm,
    InformationRequestForm,
    ReviewDecisionForm,
    WaiveForm,
)


def _complaint(reference: str) -> Complaint:
    complaint = (
        Complaint.objects.select_related("citizen", "respondent", "blacklist_entry__category", "assigned_officer")
        .filter(reference=reference)
        .first()
    )
    if complaint is None:
        raise Http404
    return complaint


@officer_required
@require_http_methods(["GET", "POST"])
def investigation_page(request: HttpRequest, reference: str) -> HttpResponse:
    officer = officer_of(request)
    complaint = _complaint(reference)
    actor = Actor.for_user(officer)
    draft = complaint.determinations.filter(status__in=UNISSUED_STATUSES).first()
    review_now = selectors.review_view(complaint)
    forms: dict[str, Any] = {
        "review_form": ReviewDecisionForm(
            prefix="rv",
            initial=ReviewDecisionForm.remedy_initial(review_now.determination.remedies) if review_now else {},
        ),
        "ir_form": InformationRequestForm(prefix="ir"),
        "det_form": DeterminationForm(prefix="det", initial=DeterminationForm.initial_from(draft)),
    }
    status = 200
    if request.method == "GET":
        log_read(request, AccessKind.CASE, [Read(complaint.citizen_id, complaint.pk)])
    if request.method == "POST":
        action = request.POST.get("action", "")
        now = timezone.now()
        error: ErrorAnswer | None = None
        done = ""
        try:
            if action == "information_request":
                form = InformationRequestForm(request.POST, prefix="ir")
                forms["ir_form"] = form
                if form.is_valid():
                    services.information_request_create(
                        complaint_id=complaint.pk, actor=actor, now=now, **form.cleaned()
                    )
                    done = _("Information request sent.")
            elif action == "save_draft":
                det_form = DeterminationForm(request.POST, prefix="det")
                forms["det_form"] = det_form
                if det_form.is_valid():
                    d = det_form.cleaned_data
                    services.determination_save_draft(
                        complaint_id=complaint.pk,
                        actor=actor,
                        outcome=d["outcome"],
                        findings=d["findings"],
                        reasons=d["reasons"],
                        remedies=det_form.remedies_list(),
                        public_summary=d["public_summary"],
                        comments_considered=d.get("comments_considered") or "",
                        now=now,
                    )
                    done = _("Draft saved. Another senior officer must sign it.")
            elif action == "share_provisional":
                if draft is None:
                    raise ServiceError(_("There is no draft to share."), field="determination")
                services.determination_share_provisional(determination_id=draft.pk, actor=actor, now=now)
                done = _("Provisional decision shared: the citizen and the agency have been asked for their comments.")
            elif action == "sign":
                if draft is None:
                    raise ServiceError(_("There is no draft to sign."), field="determination")
                det = services.determination_sign(
                    determination_id=draft.pk,
                    actor=actor,
                    now=now,
                    skip_provisional_reason=request.POST.get("skip_provisional_reason", ""),
                )
                done = _("Determination %(n)s issued.") % {"n": det.number}
            elif action == "decide_review":
                review = selectors.review_view(complaint)
                if review is None or review.review is None:
                    raise ServiceError(_("There is no review to decide."), field="review")
                review_form = ReviewDecisionForm(request.POST, prefix="rv")
                forms["review_form"] = review_form
                if review_form.is_valid():
                    d = review_form.cleaned_data
                    services.review_decide(
                        review_id=review.review.pk,
                        actor=actor,
                        outcome=d["review_outcome"],
                        reasons=d["review_reasons"],
                        remedies=review_form.remedies_list(),
                        now=now,
                    )
                    done = _("The review is decided; the parties have been told.")
            elif action == "waive":
                waive_form = WaiveForm(request.POST)
                if waive_form.is_valid():
                    order = complaint.correction_orders.filter(pk=waive_form.cleaned_data["order_id"]).first()
                    if order is None:
                        raise Http404
                    services.correction_order_waive(
                        order_id=order.pk, actor=actor, reason=waive_form.cleaned_data["reason"], now=now
                    )
                    done = _("Order waived.")
                else:
                    raise ServiceError(_("Give the reason for waiving the order."), field="reason")
            elif action == "cancel_request":
                cancel_form = CancelRequestForm(request.POST)
                if cancel_form.is_valid():
                    req = complaint.information_requests.filter(pk=cancel_form.cleaned_data["request_id"]).first()
                    if req is None:
                        raise Http404
                    services.information_request_cancel(
                        request_id=req.pk, actor=actor, reason=cancel_form.cleaned_data["reason"], now=now
                    )
                    done = _("Information request cancelled.")
                else:
                    raise ServiceError(_("Give the reason for cancelling."), field="reason")
            else:
                raise ServiceError(_("Unknown action."), field="action")
        except ServiceError as exc:
            error = error_answer(exc)
        if done:
            messages.success(request, done)
            return redirect("officer-investigation", reference=complaint.reference)
        if error is not None:
            status = error.status
            messages.error(request, error.message)
        else:
            status = 400
    complaint.refresh_from_db()
    draft = (
        complaint.determinations.filter(status__in=UNISSUED_STATUSES)
        .select_related("drafted_by", "provisional_signed_by")
        .first()
    )
    issued = list(
        complaint.determinations.filter(status=DeterminationStatus.ISSUED).select_related("drafted_by", "signed_by")
    )
    orders = list(selectors.orders_of_complaint(complaint))
    clocks = selectors.clock_levels([o.subject_key for o in orders])
    for order in orders:
        order.clock = clocks.get(order.subject_key)  # type: ignore[attr-defined]
    context = {
        "complaint": complaint,
        "draft": draft,
        "can_sign": draft is not None and officer.is_senior_officer and draft.drafted_by_id != officer.pk,
        "window": services.comment_window(draft) if draft is not None and draft.provisional_shared_at else None,
        "review": (review := selectors.review_view(complaint)),
        "can_decide_review": review is not None
        and review.review is not None
        and not review.review.is_decided
        and officer.is_senior_officer
        and not services.took_part(officer, complaint),
        "now": timezone.now(),
        "issued": issued,
        "orders": orders,
        "requests": complaint.information_requests.select_related("agency").prefetch_related("documents"),
        "holders": selectors.known_holders(complaint, on=timezone.localdate()),
        "investigating": complaint.status == Status.INVESTIGATION,
        "is_senior": officer.is_senior_officer,
        **forms,
    }
    return render(request, "officer/investigation.html", context, status=status)


@officer_required
@require_GET
def information_document(request: HttpRequest, pk: int) -> FileResponse:
    doc = InformationDocument.objects.filter(pk=pk).first()
    if doc is None:
        raise Http404
    return attachment_response(open_stored(doc.file), stored_name=doc.original_name, content_type=doc.content_type)
