"""The officers' workspace: triage queues, case pages, assignment, transitions, assisted filing.
Every page is behind the one officer gate (officer.gate); citizens get a 404. Every action goes
through the same services as the API. The investigation page is in officer.investigation_views."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from citizens.models import AccessKind
from citizens.selectors import access_log_for_case, access_log_rows
from citizens.services import Read, citizen_find_or_create_assisted
from clocks.models import Clock
from clocks.selectors import clocks_for_complaint
from clocks.services import clock_pause, clock_resume
from complaints import services
from complaints.models import Channel, Complaint
from complaints.transitions import OPEN_STATUSES, Action, Status, allowed_actions
from kernel.actors import Actor, ActorKind
from kernel.errors import ServiceError
from kernel.http import add_form_error, attachment_response, open_stored, run_service
from kernel.spreadsheets import csv_bytes
from outbox.models import Channel as OutboxChannel
from outbox.models import OutboxMessage
from portal.forms import EvidenceForm, OptionalReasonForm, ReasonForm
from portal.staging import assisted_filing_start
from portal.timeline import timeline_rows
from tribunal import selectors as tribunal_selectors

from . import selectors
from .forms import (
    AssignForm,
    AssistedCitizenForm,
    ClockPauseForm,
    InvestigationForm,
    NoteForm,
    OfficerMessageForm,
    QueueFilterForm,
    ReferForm,
)
from .gate import log_read, officer_of, officer_required
from .labels import QUEUE_LABELS, action_label

QUEUES = [
    "new",
    "screening",
    "due_today",
    "overdue",
    "escalated",
    "awaiting_agency",
    "agency_responded",
    "investigation",
    "open",
    "all",
]


def queue_labels() -> dict[str, str]:
    return {key: str(QUEUE_LABELS[key]) for key in QUEUES}


@officer_required
@require_GET
def queues(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    queue = request.GET.get("queue", "new")
    labels = queue_labels()
    if queue not in labels:
        queue = "new"
    form = QueueFilterForm(request.GET or None)
    hit = selectors.search_direct_hit(form.data.get("q", "")) if form.is_bound and form.is_valid() else None
    if hit is not None:  # a reference or an ID number: straight to its case
        log_read(request, AccessKind.ID_MATCH, [Read(hit.citizen_id, hit.pk)])
        url = reverse("officer-case", kwargs={"reference": hit.reference})
        if request.headers.get("HX-Request"):
            response = HttpResponse(status=204)
            response["HX-Redirect"] = url
            return response
        return redirect(url)
    qs = selectors.queue_complaints(queue, now=now)
    officer_filter = request.GET.get("officer", "")
    if form.is_valid():
        data = form.cleaned_data
        if data.get("agency"):
            qs = qs.filter(respondent=data["agency"])
        if data.get("urgent"):
            qs = qs.filter(urgent=True)
        if officer_filter == "me":
            qs = qs.filter(assigned_officer=officer_of(request))
        elif officer_filter == "none":
            qs = qs.filter(assigned_officer__isnull=True)
        elif officer_filter.isdigit():
            qs = qs.filter(assigned_officer_id=int(officer_filter))
        qs = selectors.search_complaints(qs, data.get("q") or "")
    counts = selectors.queue_counts(now=now, queues=QUEUES)
    page = selectors.queue_page(qs, after=request.GET.get("after"), few=queue in selectors.CLOCK_QUEUES)
    log_read(request, AccessKind.LISTED, [Read(c.citizen_id, c.pk) for c in page.rows])  # one INSERT
    open_ids = [c.pk for c in page.rows if c.status in OPEN_STATUSES]  # finished cases need no marker
    unread = selectors.unread_activity(officer=officer_of(request), complaint_ids=open_ids)
    filtered = form.is_valid() and any(form.cleaned_data.get(k) for k in ("q", "agency", "urgent"))
    if filtered or officer_filter:
        page.count, page.count_capped = selectors.capped_count(qs)
    else:
        page.count = counts.get(queue)
    params = request.GET.copy()
    params.pop("after", None)
    params.pop("page", None)
    first_url = f"?{params.urlencode()}"
    if page.next_cursor:
        params["after"] = page.next_cursor
    context = {
        "queue": queue,
        "queue_label": labels[queue],
        "first_url": first_url,
        "next_url": f"?{params.urlencode()}" if page.next_cursor else None,
        "queues": [(key, labels[key], counts.get(key, 0)) for key in QUEUES],
        "page": page,
        "unread": unread,
        "form": form,
        "officer_filter": officer_filter,
        "officers": selectors.officers(),
        "by_agency": selectors.open_counts_by_agency(),
        "by_officer": selectors.open_counts_by_officer(),
    }
    # HTMX (search as you type, filter changes): only the result list is swapped in.
    template = "officer/_queue_results.html" if request.headers.get("HX-Request") else "officer/queues.html"
    return render(request, template, context, status=200 if not form.errors else 400)


# --- case page --------------------------------------------------------------------------------

ACTION_FORMS: dict[str, type[Any]] = {
    Action.START_SCREENING.value: NoteForm,
    Action.REFER.value: ReferForm,
    Action.RULE_OUT_OF_SCOPE.value: ReasonForm,
    Action.RESOLVE.value: NoteForm,
    Action.OPEN_INVESTIGATION.value: InvestigationForm,
    Action.START_COMPLIANCE.value: NoteForm,
    Action.CLOSE.value: NoteForm,
    Action.WITHDRAW.value: OptionalReasonForm,
    Action.REOPEN.value: ReasonForm,
}


def _call_transition(action: str, complaint: Complaint, actor: Actor, d: dict[str, Any]) -> Any:
    now = timezone.now()
    cid = complaint.pk
    if action == Action.START_SCREENING:
        return services.complaint_start_screening(complaint_id=cid, actor=actor, now=now)
    if action == Action.REFER:
        return services.complaint_refer(
            complaint_id=cid, actor=actor, now=now, respondent=d.get("respondent"), note=d.get("note", "")
        )
    if action == Action.RULE_OUT_OF_SCOPE:
        return services.complaint_rule_out_of_scope(complaint_id=cid, actor=actor, reason=d["reason"], now=now)
    if action == Action.RESOLVE:
        return services.complaint_resolve(complaint_id=cid, actor=actor, now=now, note=d.get("note", ""))
    if action == Action.OPEN_INVESTIGATION:
        return services.complaint_open_investigation(
            complaint_id=cid,
            actor=actor,
            reason=d["reason"],
            now=now,
            agency_in_default=d.get("agency_in_default", False),
        )
    if action == Action.START_COMPLIANCE:
        return services.complaint_start_compliance(complaint_id=cid, actor=actor, now=now, note=d.get("note", ""))
    if action == Action.CLOSE:
        return services.complaint_close(complaint_id=cid, actor=actor, now=now, note=d.get("note", ""))
    if action == Action.WITHDRAW:
        return services.complaint_withdraw(complaint_id=cid, actor=actor, now=now, reason=d.get("reason", ""))
    if action == Action.REOPEN:
        return services.complaint_reopen(complaint_id=cid, actor=actor, now=now, reason=d["reason"])
    raise ServiceError(_("Unknown action."), field="action")


def _int(raw: str | None) -> int:
    return int(raw) if raw and raw.isdigit() else 0


def _clock_rows(complaint: Complaint, bound: dict[str, Any]) -> list[dict[str, Any]]:
    rows = []
    for clock in clocks_for_complaint(complaint=complaint, audience="officer"):
        key = f"clock{clock.pk}"
        rows.append({"clock": clock, "pause_form": bound.get(key) or ClockPauseForm(prefix=key)})
    return rows


def _webhook_log(complaint: Complaint) -> list[OutboxMessage]:
    return list(
        OutboxMessage.objects.filter(complaint_id=complaint.pk, channel=OutboxChannel.WEBHOOK)
        .select_related("agency")
        .prefetch_related("delivery_attempts")
        .order_by("created_at")
    )


def officer_case_context(
    request: HttpRequest, complaint: Complaint, bound: dict[str, Any] | None = None
) -> dict[str, Any]:
    bound = bound or {}
    actor_kind = ActorKind.SENIOR_OFFICER if officer_of(request).is_senior_officer else ActorKind.OFFICER
    transitions = []
    for action in allowed_actions(complaint.status_enum, actor_kind):
        form_class = ACTION_FORMS.get(action.value)
        if form_class is None:  # answers are recorded by the agency through the API
            continue
        form = bound.get(action.value) or form_class(prefix=action.value)
        transitions.append({"action": action.value, "label": action_label(action.value), "form": form})
    return {
        "complaint": complaint,
        "timeline": timeline_rows(complaint, "officer"),
        "viewings": access_log_for_case(complaint_id=complaint.pk, citizen_id=complaint.citizen_id),
        "clock_rows": _clock_rows(complaint, bound),
        "responses": list(complaint.agency_responses.all()),
        "attachments": list(complaint.attachments.all()),
        "transitions": transitions,
        "assign_form": bound.get("assign")
        or AssignForm(
            initial={"officer": complaint.assigned_officer_id}, officers=selectors.officers(), prefix="assign"
        ),
        "message_form": bound.get("message") or OfficerMessageForm(prefix="message"),
        "evidence_form": bound.get("evidence") or EvidenceForm(prefix="evidence"),
        "webhooks": _webhook_log(complaint),
        "record": complaint.disputed_record,
        # Determinations are drafted and signed on the tribunal app's investigation page.
        "investigation_statuses": [Status.INVESTIGATION.value, Status.DETERMINATION.value, Status.COMPLIANCE.value],
    }


def _officer_case(reference: str) -> Complaint:
    return get_object_or_404(
        Complaint.objects.select_related(
            "respondent", "citizen", "assigned_officer", "blacklist_entry__category", "score_record", "filed_by"
        ),
        reference=reference,
    )


@officer_required
@require_http_methods(["GET", "POST"])
def officer_case(request: HttpRequest, reference: str) -> HttpResponse:
    complaint = _officer_case(reference)
    if request.method == "GET":
        log_read(request, AccessKind.CASE, [Read(complaint.citizen_id, complaint.pk)])
        return render(request, "officer/case.html", officer_case_context(request, complaint))
    action = request.POST.get("action", "")
    actor = Actor.for_user(officer_of(request))
    now = timezone.now()
    form: Any
    if action == "assign":
        form = AssignForm(request.POST, officers=selectors.officers(), prefix="assign")
        call: Callable[[dict[str, Any]], Any] = lambda d: services.complaint_assign(  # noqa: E731
            complaint_id=complaint.pk, officer=d.get("officer"), actor=actor, now=now
        )
        done = _("Assignment saved.")
    elif action == "assign_auto":
        form = AssignForm(request.POST, officers=selectors.officers(), prefix="assign")
        call = lambda d: services.complaint_assign_automatically(  # noqa: E731
            complaint_id=complaint.pk, actor=actor, now=now
        )
        done = _("Assigned to the least-loaded officer.")
        action = "assign"
    elif action == "message":
        form = OfficerMessageForm(request.POST, prefix="message")
        call = lambda d: services.complaint_post_message(  # noqa: E731
            complaint_id=complaint.pk, actor=actor, text=d["text"], visibility=d["visibility"], now=now
        )
        done = _("Message saved.")
    elif action == "evidence":
        form = EvidenceForm(request.POST, request.FILES, prefix="evidence")
        call = lambda d: services.attachment_add(  # noqa: E731
            complaint_id=complaint.pk,
            actor=actor,
            fileobj=d["file"],
            filename=d["file"].name,
            size=d["file"].size,
            now=now,
        )
        done = _("The file was added.")
    elif action in ("clock_pause", "clock_resume"):
        clock = get_object_or_404(Clock.objects.filter(complaint=complaint), pk=_int(request.POST.get("clock_id")))
        form = (
            ClockPauseForm(request.POST, prefix=f"clock{clock.pk}")
            if action == "clock_pause"
            else NoteForm(request.POST)
        )
        if action == "clock_pause":
            call = lambda d: clock_pause(clock_id=clock.pk, reason=d["reason"], now=now, actor=actor)  # noqa: E731
            done = _("The clock is paused.")
        else:
            call = lambda d: clock_resume(clock_id=clock.pk, now=now, actor=actor)  # noqa: E731
            done = _("The clock is running again.")
        action = f"clock{clock.pk}"
    elif action in ACTION_FORMS:
        form = ACTION_FORMS[action](request.POST, prefix=action)
        call = lambda d: _call_transition(action, complaint, actor, d)  # noqa: E731
        done = _("Done: %(action)s.") % {"action": action_label(action)}
    else:
        messages.error(request, _("Unknown action."))
        return render(request, "officer/case.html", officer_case_context(request, complaint), status=400)
    status = 400
    if form.is_valid():
        _result, err = run_service(call, d=form.cleaned_data)
        if err is None:
            messages.success(request, done)
            return redirect("officer-case", reference=complaint.reference)
        status = err.status
        messages.error(request, err.message)
        add_form_error(form, err)
    complaint = _officer_case(reference)
    return render(request, "officer/case.html", officer_case_context(request, complaint, {action: form}), status=status)


@officer_required
@require_GET
def signatures(request: HttpRequest) -> HttpResponse:
    """Draft decisions awaiting a senior officer's signature (signed on the investigation page)."""
    return render(
        request,
        "officer/signatures.html",
        {"drafts": selectors.determinations_awaiting_signature(), "reviews": tribunal_selectors.reviews_to_decide()},
    )


@officer_required
@require_GET
def officer_access_log(request: HttpRequest, reference: str) -> HttpResponse:
    """Senior officers export a case's access log (UTF-8 with BOM, formula cells quoted)."""
    if not officer_of(request).is_senior_officer:
        raise Http404
    complaint = _officer_case(reference)
    header = ["at", "reader_kind", "reader", "agency", "what", "object_id", "where"]
    rows = [
        [
            e.at.isoformat(),
            e.reader_kind,
            str(e.reader_user or ""),
            e.reader_agency.display_name if e.reader_agency else "",
            e.kind,
            e.object_id or "",
            e.why,
        ]
        for e in access_log_rows(complaint_id=complaint.pk, citizen_id=complaint.citizen_id)
    ]
    response = HttpResponse(csv_bytes(header, rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{complaint.reference}-access-log.csv"'
    return response


@officer_required
@require_GET
def officer_attachment(request: HttpRequest, reference: str, pk: int) -> HttpResponseBase:
    complaint = _officer_case(reference)
    attachment = get_object_or_404(complaint.attachments, pk=pk)
    log_read(request, AccessKind.FILE, [Read(complaint.citizen_id, complaint.pk, attachment.pk)])
    return attachment_response(
        open_stored(attachment.file), stored_name=attachment.original_name, content_type=attachment.content_type
    )


# --- assisted filing --------------------------------------------------------------------------


@officer_required
@require_http_methods(["GET", "POST"])
def officer_file(request: HttpRequest) -> HttpResponse:
    """Phone or walk-in: find the citizen by ID number (keyed hash) or create them, then the same
    three filing screens as online."""
    form = AssistedCitizenForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            result, err = run_service(
                citizen_find_or_create_assisted,
                national_id_number=data["national_id"],
                full_name=data["full_name"],
                email=data["email"],
                phone=data["phone"],
            )
            if err is None and result is not None:
                citizen, created = result
                if not created:  # an existing record found by its ID number
                    log_read(request, AccessKind.ID_MATCH, [Read(citizen.pk)])
                assisted_filing_start(
                    request.session,
                    citizen_id=citizen.pk,
                    channel=data["channel"] if data["channel"] in Channel.values else Channel.PHONE,
                )
                if created:
                    messages.success(
                        request, _("New citizen record created for %(name)s.") % {"name": citizen.full_name}
                    )
                else:
                    messages.info(
                        request,
                        _("Found %(name)s (ID %(masked)s).")
                        % {"name": citizen.full_name, "masked": citizen.national_id_masked},
                    )
                return redirect("file-record")
            assert err is not None
            add_form_error(form, err)
        status = 400
    return render(request, "officer/file.html", {"form": form}, status=status)
