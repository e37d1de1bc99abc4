"""Citizen-facing pages: start page, sign-up, people represented, the three filing screens, the
citizen's cases. Every write goes through a service; refused requests come back as 4xx pages
that say what to fix."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from accounts.models import User
from agencies.models import Agency
from citizens.models import Citizen
from citizens.services import citizen_add_represented, citizen_sign_up
from complaints import selectors as complaint_selectors
from complaints import services
from complaints.models import AgencyOutcome, Category, Channel, Complaint, Remedy, UrgencyReason
from complaints.transitions import Action, allowed_actions
from kernel.actors import Actor, ActorKind
from kernel.errors import ServiceError
from kernel.http import ErrorAnswer, add_form_error, attachment_response, run_service
from kernel.visibility import VISIBLE_TO_CITIZEN

from . import selectors, staging
from .forms import (
    RECORD_OTHER,
    DetailsStepForm,
    EvidenceForm,
    MessageForm,
    OptionalReasonForm,
    ReasonForm,
    RecordStepForm,
    RepresentedPersonForm,
    SignUpForm,
)
from .timeline import timeline_rows


def home(request: HttpRequest) -> HttpResponse:
    agencies = Agency.objects.filter(active=True).only("name_en", "name_zh", "kind", "slug")
    return render(request, "portal/home.html", {"agencies": agencies})


def user(request: HttpRequest) -> User:
    u = request.user
    assert isinstance(u, User)
    return u


# --- accounts ---------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("my-cases")
    form = SignUpForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            new_user, err = run_service(
                citizen_sign_up,
                email=data["email"],
                password=data["password1"],
                full_name=data["full_name"],
                national_id_number=data["national_id"],
                language=get_language() or "en",
            )
            if err is None and new_user is not None:
                login(request, new_user, backend="django.contrib.auth.backends.ModelBackend")
                messages.success(request, _("Your account is ready. You can file a complaint now."))
                return redirect("file-record")
            assert err is not None
            add_form_error(form, err)
        status = 400
    return render(request, "registration/signup.html", {"form": form}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def people_add(request: HttpRequest) -> HttpResponse:
    """A parent or other representative registers the person they file for."""
    if user(request).is_officer:
        raise Http404
    form = RepresentedPersonForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            citizen, err = run_service(
                citizen_add_represented,
                representative=user(request),
                full_name=data["full_name"],
                national_id_number=data["national_id"],
                date_of_birth=data["date_of_birth"],
                kind=data["kind"],
            )
            if err is None and citizen is not None:
                messages.success(
                    request,
                    _("%(name)s was added. You can now file a complaint for them.") % {"name": citizen.full_name},
                )
                filing = request.session.get(staging.SESSION_KEY) or {}
                filing["citizen"] = citizen.pk
                request.session[staging.SESSION_KEY] = filing
                return redirect("file-record")
            assert err is not None
            add_form_error(form, err)
        status = 400
    return render(request, "portal/people_add.html", {"form": form}, status=status)


# --- filing: three screens --------------------------------------------------------------------


def _filing(request: HttpRequest) -> dict[str, Any]:
    data = request.session.get(staging.SESSION_KEY)
    return data if isinstance(data, dict) else {}


def _save_filing(request: HttpRequest, data: dict[str, Any]) -> None:
    request.session[staging.SESSION_KEY] = data
    request.session.modified = True


def _filing_citizens(request: HttpRequest, filing: dict[str, Any]) -> QuerySet[Citizen] | None:
    """Whom this user may file for now; None when an officer has not started an assisted filing."""
    u = user(request)
    if u.is_officer:
        if not filing.get("assisted") or not filing.get("citizen"):
            return None
        return Citizen.objects.filter(pk=filing["citizen"])
    return selectors.citizens_user_can_file_for(u)


def _record_choice(citizen: Citizen | None, agency: Agency | None) -> dict[str, Any]:
    if citizen is None:
        return {"entries": [], "scores": []}
    entries, scores = selectors.records_for(citizen=citizen, agency=agency)
    return {"entries": entries, "scores": scores}


@login_required
@require_http_methods(["GET", "POST"])
def file_record(request: HttpRequest) -> HttpResponse:
    """Screen 1 of 3: for whom, which agency, which record."""
    filing = _filing(request)
    citizens = _filing_citizens(request, filing)
    if citizens is None:
        return redirect("officer-file")
    if not citizens.exists():
        messages.info(request, _("Add the person you are filing for first."))
        return redirect("people-add")
    initial = {
        "citizen": filing.get("citizen") or citizens.first().pk,  # type: ignore[union-attr]
        "respondent": filing.get("respondent"),
        "record": filing.get("record", ""),
        "other_record_description": filing.get("other_record_description", ""),
    }
    form = RecordStepForm(
        request.POST or None, initial=initial, citizens=citizens, agencies=selectors.active_agencies()
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        filing.update(
            citizen=data["citizen"].pk,
            respondent=data["respondent"].pk,
            record=data["record"],
            other_record_description=(data.get("other_record_description") or "").strip()
            if data["record"] == RECORD_OTHER
            else "",
        )
        _save_filing(request, filing)
        return redirect("file-details")
    chosen_citizen = _chosen(form, "citizen", citizens, initial["citizen"])
    chosen_agency = _chosen(form, "respondent", selectors.active_agencies(), initial["respondent"])
    context = {
        "form": form,
        "step": 1,
        "assisted": bool(filing.get("assisted")),
        "selected_record": form.data.get("record", initial["record"]) if form.is_bound else initial["record"],
        "chosen_agency": chosen_agency,
        **_record_choice(chosen_citizen, chosen_agency),
    }
    return render(request, "portal/file_record.html", context, status=400 if form.is_bound else 200)


def _chosen(form: RecordStepForm, name: str, qs: QuerySet[Any], default: Any) -> Any:
    raw = form.data.get(name) if form.is_bound else default
    if raw in (None, ""):
        return None
    try:
        return qs.filter(pk=int(raw)).first()
    except (TypeError, ValueError):
        return None


@login_required
@require_GET
def file_records_partial(request: HttpRequest) -> HttpResponse:
    """HTMX: the record list for the chosen person and agency."""
    filing = _filing(request)
    citizens = _filing_citizens(request, filing)
    if citizens is None:
        raise Http404
    citizen = _pick(citizens, request.GET.get("citizen"))
    agency = _pick(selectors.active_agencies(), request.GET.get("respondent"))
    context = {
        "chosen_agency": agency,
        "selected_record": request.GET.get("record", filing.get("record", "")),
        "form": RecordStepForm(
            initial={"other_record_description": request.GET.get("other_record_description", "")},
            citizens=citizens,
            agencies=selectors.active_agencies(),
        ),
        **_record_choice(citizen, agency),
    }
    return render(request, "portal/_records.html", context)


def _pick(qs: QuerySet[Any], raw: str | None) -> Any:
    if not raw or not raw.isdigit():
        return None
    return qs.filter(pk=int(raw)).first()


def _check_step1(request: HttpRequest, filing: dict[str, Any]) -> HttpResponse | None:
    citizens = _filing_citizens(request, filing)
    if citizens is None:
        return redirect("officer-file")
    if not filing.get("respondent") or not filing.get("citizen") or not citizens.filter(pk=filing["citizen"]).exists():
        messages.info(request, _("Start with the agency and the record."))
        return redirect("file-record")
    return None


@login_required
@require_http_methods(["GET", "POST"])
def file_details(request: HttpRequest) -> HttpResponse:
    """Screen 2 of 3: what is wrong, what they want, urgency, evidence."""
    filing = _filing(request)
    back = _check_step1(request, filing)
    if back is not None:
        return back
    files: list[dict[str, Any]] = filing.get("files", [])
    if request.method == "POST" and request.POST.get("remove_file"):
        keep = []
        for f in files:
            if f["path"] == request.POST["remove_file"]:
                staging.staged_file_discard(f)
            else:
                keep.append(f)
        filing["files"] = keep
        _save_filing(request, filing)
        return redirect("file-details")
    form = DetailsStepForm(request.POST or None, request.FILES or None, initial=filing.get("details", {}))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        upload = data.get("evidence")
        if upload is not None:
            if len(files) >= staging.MAX_STAGED_FILES:
                form.add_error("evidence", _("You can add up to %(n)s files here.") % {"n": staging.MAX_STAGED_FILES})
            else:
                staged, err = run_service(
                    staging.staged_file_add, fileobj=upload, filename=upload.name, size=upload.size
                )
                if err is not None:
                    form.add_error("evidence", _evidence_error(err))
                elif staged is not None:
                    files.append(staged)
        details = {k: data[k] for k in ("category", "statement", "remedy_detail", "urgency_reason", "urgency_detail")}
        details["remedies_sought"] = list(data["remedies_sought"])
        details["urgent"] = bool(data["urgent"])
        filing["details"] = details
        filing["files"] = files
        _save_filing(request, filing)
        if not form.errors:
            if request.POST.get("add_more"):
                messages.success(request, _("The file was added."))
                return redirect("file-details")
            return redirect("file-review")
    context = {"form": form, "step": 2, "files": files, "max_files": staging.MAX_STAGED_FILES}
    return render(request, "portal/file_details.html", context, status=400 if form.is_bound else 200)


def _evidence_error(err: ErrorAnswer) -> str:
    code = err.code
    if code == "too_large":
        return _("The file is larger than 10 MB. Make it smaller or send a photo of the key page.")
    if code == "unsupported_type":
        return _("Upload a PDF or an image (JPEG, PNG, WebP, HEIC).")
    if code == "empty":
        return _("The file is empty.")
    return err.message


def _review_context(filing: dict[str, Any]) -> dict[str, Any]:
    citizen = Citizen.objects.filter(pk=int(filing.get("citizen") or 0)).first()
    agency = Agency.objects.filter(pk=int(filing.get("respondent") or 0)).first()
    details = filing.get("details", {})
    record: Any = None
    kind, _sep, pk = str(filing.get("record", "")).partition(":")
    if citizen is not None and pk.isdigit():
        holder = citizen.blacklist_entries if kind == "b" else citizen.score_records
        record = holder.filter(pk=int(pk)).select_related("agency").first()
    return {
        "citizen": citizen,
        "agency": agency,
        "record": record,
        "record_kind": kind,
        "other_record_description": filing.get("other_record_description", ""),
        "category_label": Category(details["category"]).label if details.get("category") in Category.values else "",
        "remedy_labels": [Remedy(r).label for r in details.get("remedies_sought", []) if r in Remedy.values],
        "urgency_label": UrgencyReason(details["urgency_reason"]).label
        if details.get("urgency_reason") in UrgencyReason.values
        else "",
        "details": details,
        "files": filing.get("files", []),
        "channel_label": Channel(filing.get("channel", Channel.WEB)).label,
    }


@login_required
@require_http_methods(["GET", "POST"])
def file_review(request: HttpRequest) -> HttpResponse:
    """Screen 3 of 3: check and submit."""
    filing = _filing(request)
    back = _check_step1(request, filing)
    if back is not None:
        return back
    if not filing.get("details"):
        messages.info(request, _("Tell us what is wrong first."))
        return redirect("file-details")
    context = {"step": 3, **_review_context(filing)}
    if request.method == "GET":
        return render(request, "portal/file_review.html", context)
    complaint, err = run_service(_submit, request=request, filing=filing, context=context)
    if err is not None or complaint is None:
        assert err is not None
        context["error"] = err.message
        context["error_field"] = err.field
        return render(request, "portal/file_review.html", context, status=err.status)
    for f in filing.get("files", []):
        staging.staged_file_discard(f)
    request.session.pop(staging.SESSION_KEY, None)
    messages.success(
        request,
        _("Your complaint has been filed. Its reference is %(ref)s. Keep it for your records; filing is free.")
        % {"ref": complaint.reference},
    )
    if user(request).is_officer:
        return redirect("officer-case", reference=complaint.reference)
    return redirect("case-detail", reference=complaint.reference)


def _submit(*, request: HttpRequest, filing: dict[str, Any], context: dict[str, Any]) -> Complaint:
    details = filing["details"]
    citizen, agency, record = context["citizen"], context["agency"], context["record"]
    if citizen is None or agency is None:
        raise ServiceError(_("Start with the agency and the record."), field="record")
    actor = Actor.for_user(user(request))
    now = timezone.now()
    with transaction.atomic():
        complaint = services.complaint_submit(
            citizen=citizen,
            actor=actor,
            respondent=agency,
            category=details.get("category", ""),
            statement=details.get("statement", ""),
            remedies_sought=details.get("remedies_sought", []),
            remedy_detail=details.get("remedy_detail", ""),
            blacklist_entry=record if context["record_kind"] == "b" else None,
            score_record=record if context["record_kind"] == "s" else None,
            other_record_description=context["other_record_description"],
            urgent=bool(details.get("urgent")),
            urgency_reason=details.get("urgency_reason", ""),
            urgency_detail=details.get("urgency_detail", ""),
            channel=filing.get("channel", Channel.WEB),
            language=get_language() or "en",
            now=now,
        )
        for f in filing.get("files", []):
            if not default_storage.exists(f["path"]):
                raise ServiceError(_("An evidence file has expired; add it again."), field="evidence")
            with default_storage.open(f["path"], "rb") as fh:
                services.attachment_add(
                    complaint_id=complaint.pk, actor=actor, fileobj=fh, filename=f["name"], size=f["size"], now=now
                )
    return complaint


# --- the citizen's cases ----------------------------------------------------------------------


@login_required
@require_GET
def my_cases(request: HttpRequest) -> HttpResponse:
    u = user(request)
    if u.is_officer:
        return redirect("officer-queues")
    complaints = complaint_selectors.complaints_visible_to_user(u).order_by("-submitted_at")
    people = selectors.citizens_user_can_file_for(u)
    return render(request, "portal/my_cases.html", {"complaints": complaints, "people": people})


def citizen_case_or_404(request: HttpRequest, reference: str) -> Complaint:
    u = user(request)
    complaint = complaint_selectors.complaint_get_for_user(user=u, reference=reference)
    if complaint is None or u.is_officer:
        raise Http404
    return complaint


CITIZEN_ACTIONS = ("message", "evidence", "accept", "contest", "withdraw")


def citizen_case_context(complaint: Complaint, forms: dict[str, Any] | None = None) -> dict[str, Any]:
    allowed = {a.value for a in allowed_actions(complaint.status_enum, ActorKind.CITIZEN)}
    forms = forms or {}
    return {
        "complaint": complaint,
        "timeline": timeline_rows(complaint, "citizen"),
        "clocks": selectors.clocks_for(complaint=complaint, audience="citizen"),
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
        attachment.file.open("rb"), stored_name=attachment.original_name, content_type=attachment.content_type
    )
