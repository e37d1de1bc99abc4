"""The agency portal, under /agency/: the work list, each referral, information request and
correction order as a page, and the administrator's team page. Every view is behind the one gate
(agency_portal.gate); every read goes through the one scoping rule (agencies.scoping, via
agency_portal.selectors) and every action through the same service as the API call, with the
same agency Actor, so it writes the same timeline event, meets the same clocks and sends the same
webhooks."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from citizens.models import AccessKind
from citizens.services import Read, access_log_record
from complaints import services
from complaints.models import AgencyOutcome, Category, Complaint
from complaints.remedies import Remedy
from complaints.selectors import case_events_for
from kernel.errors import NotFound
from kernel.events import event_label
from kernel.http import add_form_error, attachment_response, open_stored, request_purpose, run_service
from kernel.spreadsheets import csv_bytes
from kernel.visibility import VISIBLE_TO_AGENCY, Visibility
from tribunal import selectors as tribunal_selectors
from tribunal import services as tribunal_services
from tribunal.forms import ProvisionalCommentForm, ReviewRequestForm
from tribunal.models import CorrectionOrder, InformationRequest

from . import selectors
from .forms import (
    AnswerForm,
    ConfirmOrderForm,
    CorrectionFormSet,
    CriterionFormSet,
    EvidenceForm,
    EvidenceRowFormSet,
    InformationAnswerForm,
    MessageForm,
    WorkFilterForm,
    evidence_dicts,
    filled_rows,
    prefilled_rows,
)
from .gate import Member, agency_admin_required, agency_required

NEEDS_CORRECTIONS = (AgencyOutcome.CORRECTED, AgencyOutcome.PARTIALLY_CORRECTED)


def _scoped(fn: Callable[..., Any], **kwargs: Any) -> Any:
    try:
        return fn(**kwargs)
    except NotFound as exc:
        raise Http404 from exc


# --- work list --------------------------------------------------------------------------------


def _log(request: HttpRequest, member: Member, kind: str, reads: list[Read]) -> None:
    """The access log: what this agency user read, on which page (one INSERT)."""
    access_log_record(reader=member.actor, kind=kind, why=request_purpose(request), now=timezone.now(), reads=reads)


def _work_items(member: Member, request: HttpRequest) -> tuple[WorkFilterForm, list[selectors.WorkItem]]:
    form = WorkFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    items = selectors.work_list(
        actor=member.actor,
        now=timezone.now(),
        kind=data.get("kind") or "",
        state=data.get("state") or "",
        q=data.get("q") or "",
        urgent=bool(data.get("urgent")),
    )
    return form, items


@agency_required
@require_GET
def worklist(request: HttpRequest, member: Member) -> HttpResponse:
    form, items = _work_items(member, request)
    _log(request, member, AccessKind.LISTED, [Read(i.complaint.citizen_id, i.complaint.pk) for i in items])
    context = {
        "member": member,
        "form": form,
        "items": items,
        "counts": selectors.work_counts(actor=member.actor, now=timezone.now()),
        "now": timezone.now(),
        "query": request.GET.urlencode(),
    }
    return render(request, "agency_portal/worklist.html", context, status=200 if not form.errors else 400)


WORK_COLUMNS = ["kind", "reference", "record_id", "owed", "due_at", "status", "escalation_level", "urgent"]
HISTORY_COLUMNS = ["reference", "record_id", "category", "status", "urgent", "referred_at", "acknowledged_at"]


def _work_rows(items: list[selectors.WorkItem]) -> list[list[Any]]:
    return [
        [
            item.kind,
            item.complaint.reference,
            item.record_id,
            str(item.clock.get_obligation_display()),
            item.clock.due_at.isoformat(),
            item.clock.status,
            item.clock.escalation_level,
            item.complaint.urgent,
        ]
        for item in items
    ]


def _history_rows(member: Member) -> list[list[Any]]:
    rows = []
    for c in selectors.case_history(actor=member.actor):
        record = c.disputed_record
        rows.append(
            [
                c.reference,
                str(getattr(record, "agency_record_id", "") or ""),
                c.category,
                c.status,
                c.urgent,
                c.referred_at.isoformat() if c.referred_at else "",
                c.acknowledged_at.isoformat() if c.acknowledged_at else "",
            ]
        )
    return rows


@agency_required
@require_GET
def export(request: HttpRequest, member: Member, what: str, fmt: str) -> HttpResponse:
    if what == "worklist":
        columns, rows = WORK_COLUMNS, _work_rows(_work_items(member, request)[1])
    elif what == "history":
        columns, rows = HISTORY_COLUMNS, _history_rows(member)
    else:
        raise Http404
    name = f"{member.agency.slug}-{what}-{timezone.now():%Y%m%d}"
    if fmt == "json":
        response: HttpResponse = JsonResponse(
            {"columns": columns, "rows": [dict(zip(columns, row, strict=True)) for row in rows]},
            json_dumps_params={"ensure_ascii": False},
        )
        response["Content-Disposition"] = f'attachment; filename="{name}.json"'
    elif fmt == "csv":
        response = HttpResponse(csv_bytes(columns, rows), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    else:
        raise Http404
    response["Cache-Control"] = "no-store"
    return response


# --- referrals --------------------------------------------------------------------------------


def _timeline(complaint: Complaint) -> list[dict[str, Any]]:
    return [
        {"event": e, "label": event_label(e.kind), "message": _(e.message) if e.message else ""}
        for e in case_events_for(complaint=complaint, audience="agency")
    ]


def _referral_context(member: Member, complaint: Complaint, bound: dict[str, Any] | None = None) -> dict[str, Any]:
    bound = bound or {}
    return {
        "member": member,
        "complaint": complaint,
        "record": complaint.disputed_record,
        "clocks": selectors.agency_clocks(actor=member.actor, complaint=complaint),
        "timeline": _timeline(complaint),
        "attachments": list(complaint.attachments.filter(visibility__in=VISIBLE_TO_AGENCY)),
        "responses": list(complaint.agency_responses.filter(agency_id=member.agency.pk)),
        "answer_form": bound.get("answer") or AnswerForm(prefix="answer"),
        "corrections": bound.get("corrections") or CorrectionFormSet(prefix="corrections"),
        "criteria": bound.get("criteria") or CriterionFormSet(prefix="criteria"),
        "needs_criteria": complaint.category == Category.UNDISCLOSED_CRITERIA,
        "message_form": bound.get("message") or MessageForm(prefix="message"),
        "evidence_form": bound.get("evidence") or EvidenceForm(prefix="evidence"),
        "provisional": tribunal_selectors.provisional_view(complaint, party="agency", now=timezone.now()),
        "comment_form": bound.get("comment") or ProvisionalCommentForm(prefix="comment"),
        "review": tribunal_selectors.review_view(complaint),
        "review_form": bound.get("review") or ReviewRequestForm(prefix="review"),
        "now": timezone.now(),
        "error_action": bound.get("action", ""),
    }


@agency_required
@require_http_methods(["GET", "POST"])
def referral(request: HttpRequest, member: Member, reference: str) -> HttpResponse:
    complaint = _scoped(selectors.referral_get, actor=member.actor, reference=reference)
    if request.method == "GET":
        _log(request, member, AccessKind.CASE, [Read(complaint.citizen_id, complaint.pk)])
        return render(request, "agency_portal/referral.html", _referral_context(member, complaint))
    action = request.POST.get("action", "")
    actor, now, cid = member.actor, timezone.now(), complaint.pk
    bound: dict[str, Any] = {"action": action}
    call: Callable[[], Any] | None = None
    form: Any = None
    if action == "acknowledge":
        call = lambda: services.complaint_acknowledge(complaint_id=cid, actor=actor, now=now)  # noqa: E731
        done = _("The referral is acknowledged.")
    elif action == "mark_disputed":
        call = lambda: services.complaint_mark_disputed(complaint_id=cid, actor=actor, now=now)  # noqa: E731
        done = _("The record is marked as disputed.")
    elif action == "answer":
        form = bound["answer"] = AnswerForm(request.POST, prefix="answer")
        corrections = bound["corrections"] = CorrectionFormSet(request.POST, prefix="corrections")
        criteria = bound["criteria"] = CriterionFormSet(request.POST, prefix="criteria")
        if form.is_valid() and corrections.is_valid() and criteria.is_valid():
            rows = filled_rows(corrections)
            crit = filled_rows(criteria)
            if form.cleaned_data["outcome"] in NEEDS_CORRECTIONS and not rows:
                form.add_error(None, _("Corrections: list each change (field, old value, new value)."))
            else:
                d = form.cleaned_data
                call = lambda: services.complaint_record_agency_response(  # noqa: E731
                    complaint_id=cid,
                    actor=actor,
                    outcome=d["outcome"],
                    explanation=d["explanation"],
                    corrections=rows,
                    scoring_criteria=crit,
                    now=now,
                )
        done = _("Your answer is recorded.")
    elif action == "message":
        form = bound["message"] = MessageForm(request.POST, prefix="message")
        if form.is_valid():
            d = form.cleaned_data
            call = lambda: services.complaint_post_message(  # noqa: E731
                complaint_id=cid, actor=actor, text=d["text"], visibility=Visibility(d["visibility"]), now=now
            )
        done = _("Message sent.")
    elif action == "evidence":
        form = bound["evidence"] = EvidenceForm(request.POST, request.FILES, prefix="evidence")
        if form.is_valid():
            upload = form.cleaned_data["file"]
            call = lambda: services.attachment_add(  # noqa: E731
                complaint_id=cid, actor=actor, fileobj=upload, filename=upload.name or "file", size=upload.size, now=now
            )
        done = _("The file was added.")
    elif action == "comment":
        form = bound["comment"] = ProvisionalCommentForm(request.POST, prefix="comment")
        if form.is_valid():
            text = form.cleaned_data["comment"]
            call = lambda: tribunal_services.provisional_comment_on_case(  # noqa: E731
                complaint_id=cid, actor=actor, comment=text, now=now
            )
        done = _("Your comments were sent to the ombudsman. They will be considered before the final decision.")
    elif action == "review":
        form = bound["review"] = ReviewRequestForm(request.POST, prefix="review")
        if form.is_valid():
            why = form.cleaned_data["reasons"]
            call = lambda: tribunal_services.review_request(  # noqa: E731
                complaint_id=cid, actor=actor, reasons=why, now=now
            )
        done = _("You asked for a review. A senior officer who took no part in the case will decide it.")
    else:
        messages.error(request, _("Unknown action."))
        return render(request, "agency_portal/referral.html", _referral_context(member, complaint), status=400)
    status = 400
    if call is not None:
        _result, err = run_service(lambda: call())
        if err is None:
            messages.success(request, done)
            return redirect("agency_portal:referral", reference=complaint.reference)
        status = err.status
        messages.error(request, err.message)
        if form is not None:
            add_form_error(form, err)
    complaint = selectors.referral_get(actor=actor, reference=reference)
    return render(request, "agency_portal/referral.html", _referral_context(member, complaint, bound), status=status)


@agency_required
@require_GET
def referral_file(request: HttpRequest, member: Member, reference: str, pk: int) -> HttpResponseBase:
    attachment = _scoped(selectors.referral_attachment_get, actor=member.actor, reference=reference, pk=pk)
    complaint = attachment.complaint
    _log(request, member, AccessKind.FILE, [Read(complaint.citizen_id, complaint.pk, attachment.pk)])
    return attachment_response(
        open_stored(attachment.file), stored_name=attachment.original_name, content_type=attachment.content_type
    )


# --- information requests -------------------------------------------------------------------------


@agency_required
@require_http_methods(["GET", "POST"])
def information_request(request: HttpRequest, member: Member, pk: int) -> HttpResponse:
    obj: InformationRequest = _scoped(selectors.information_request_get, actor=member.actor, pk=pk)
    form = InformationAnswerForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            d = form.cleaned_data
            _result, err = run_service(
                tribunal_services.information_request_answer,
                request_id=obj.pk,
                actor=member.actor,
                answer_text=d["answer_text"],
                files=[tribunal_services.Upload(f, f.name or "file", f.size) for f in d["documents"]],
                now=timezone.now(),
            )
            if err is None:
                messages.success(request, _("Your answer is sent to the ombudsman."))
                return redirect("agency_portal:information-request", pk=obj.pk)
            status = err.status
            messages.error(request, err.message)
            add_form_error(form, err)
    obj = selectors.information_request_get(actor=member.actor, pk=pk)
    context = {"member": member, "obj": obj, "form": form, "clocks": _subject_clocks(member, obj.complaint, obj)}
    return render(request, "agency_portal/information_request.html", context, status=status)


def _subject_clocks(member: Member, complaint: Complaint, obj: InformationRequest | CorrectionOrder) -> list[Any]:
    return [
        c for c in selectors.agency_clocks(actor=member.actor, complaint=complaint) if c.subject_key == obj.subject_key
    ]


# --- correction orders ------------------------------------------------------------------------


@agency_required
@require_http_methods(["GET", "POST"])
def correction_order(request: HttpRequest, member: Member, pk: int) -> HttpResponse:
    order: CorrectionOrder = _scoped(selectors.correction_order_get, actor=member.actor, pk=pk)
    if request.method == "POST":
        form = ConfirmOrderForm(request.POST)
        rows = EvidenceRowFormSet(request.POST, prefix="evidence")
        status = 400
        if form.is_valid() and rows.is_valid():
            before, after = evidence_dicts(filled_rows(rows))
            _result, err = run_service(
                tribunal_services.correction_order_confirm,
                order_id=order.pk,
                actor=member.actor,
                evidence_before=before,
                evidence_after=after,
                note=form.cleaned_data["note"],
                now=timezone.now(),
            )
            if err is None:
                messages.success(request, _("The correction is confirmed."))
                return redirect("agency_portal:correction-order", pk=order.pk)
            status = err.status
            messages.error(request, err.message)
            form.add_error(None, err.message)
    else:
        form = ConfirmOrderForm()
        rows = EvidenceRowFormSet(
            prefix="evidence", initial=prefilled_rows(order.actions, order.complaint.disputed_record)
        )
        status = 200
    order = selectors.correction_order_get(actor=member.actor, pk=pk)
    context = {
        "member": member,
        "order": order,
        "form": form,
        "rows": rows,
        "actions": [{**a, "label": _remedy_label(a.get("kind", ""))} for a in order.actions],
        "clocks": _subject_clocks(member, order.complaint, order),
        "evidence_json": json.dumps(
            {"before": order.evidence_before, "after": order.evidence_after}, ensure_ascii=False
        ),
    }
    return render(request, "agency_portal/correction_order.html", context, status=status)


def _remedy_label(kind: str) -> str:
    try:
        return str(Remedy(kind).order_label)
    except ValueError:
        return kind


# --- administrator ------------------------------------------------------------------------------


@agency_admin_required
@require_GET
def team(request: HttpRequest, member: Member) -> HttpResponse:
    return render(request, "agency_portal/team.html", {"member": member, "team": selectors.team(actor=member.actor)})
