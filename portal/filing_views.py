"""The filing wizard: three screens (for whom / which agency / which record; what is wrong and the
evidence; review and submit). Citizens file for themselves and the people they represent; an
officer files for someone after starting an assisted filing (officer.views.officer_file). The
wizard's state lives in the session (portal.staging)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from agencies.models import Agency
from citizens.models import Citizen
from complaints import services
from complaints.models import Category, Channel, Complaint, UrgencyReason
from complaints.remedies import Remedy
from kernel.actors import Actor
from kernel.errors import ServiceError
from kernel.http import ErrorAnswer, run_service

from . import selectors, staging
from .forms import FINISHED_RECORD_STATUSES, RECORD_OTHER, DetailsStepForm, RecordStepForm
from .views import user


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
    return {"entries": entries, "scores": scores, "finished_statuses": FINISHED_RECORD_STATUSES}


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
    if request.method == "POST":
        # The file is checked and kept first, whatever else on the screen is still missing, so a
        # failed validation never loses evidence.
        upload = request.FILES.get("evidence")
        file_error = ""
        if upload is not None:
            if len(files) >= staging.MAX_STAGED_FILES:
                file_error = _("You can add up to %(n)s files here.") % {"n": staging.MAX_STAGED_FILES}
            else:
                staged, err = run_service(
                    staging.staged_file_add, fileobj=upload, filename=upload.name, size=upload.size
                )
                if err is not None:
                    file_error = _evidence_error(err)
                elif staged is not None:
                    files.append(staged)
        filing["files"] = files
        valid = form.is_valid()
        if valid:
            data = form.cleaned_data
            details = {
                k: data[k] for k in ("category", "statement", "remedy_detail", "urgency_reason", "urgency_detail")
            }
            details["remedies_sought"] = list(data["remedies_sought"])
            details["urgent"] = bool(data["urgent"])
            filing["details"] = details
            filing.pop("details_draft", None)
        if request.POST.get("add_more"):
            # "Add this file and another" asks only for the file: what was typed is kept as typed.
            if not valid:
                filing["details_draft"] = {k: request.POST.getlist(k) for k in DRAFT_FIELDS}
            _save_filing(request, filing)
            if file_error:
                messages.error(request, file_error)
            elif upload is None:
                messages.error(request, _("Choose a file to add."))
            else:
                messages.success(request, _("The file was added."))
            return redirect("file-details")
        if file_error:
            form.add_error("evidence", file_error)
        _save_filing(request, filing)
        if valid and not file_error:
            return redirect("file-review")
    elif filing.get("details_draft"):
        draft = filing["details_draft"]
        form = DetailsStepForm(
            initial={
                k: (v if k == "remedies_sought" else (v[0] if v else "")) for k, v in draft.items() if k != "urgent"
            }
            | {"urgent": bool(draft.get("urgent"))}
        )
    context = {"form": form, "step": 2, "files": files, "max_files": staging.MAX_STAGED_FILES}
    return render(request, "portal/file_details.html", context, status=400 if form.is_bound else 200)


# The screen's fields kept as typed when the citizen adds a file before finishing the screen.
DRAFT_FIELDS = (
    "category",
    "statement",
    "remedies_sought",
    "remedy_detail",
    "urgent",
    "urgency_reason",
    "urgency_detail",
)


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
