"""The decision letter and the complaint summary as PDF, in the citizen's language (their preferred
language, whoever asks), rendered from HTML templates by WeasyPrint. Fonts come from the system
(fontconfig): a CJK font (fonts-wqy-microhei or fonts-noto-cjk) is installed by
scripts/ci_system_packages.sh and `python3 dev.py run`."""

from __future__ import annotations

from datetime import datetime

from django.template.loader import render_to_string
from django.utils import timezone, translation
from weasyprint import HTML

from citizens.models import Citizen
from complaints.models import Complaint
from privacy.selectors import citizen_export

from . import case_page


def _language(complaint: Complaint) -> str:
    return complaint.citizen.preferred_language or complaint.language or "en"


def _pdf(template: str, context: dict[str, object], *, language: str) -> bytes:
    with translation.override(language):
        html = render_to_string(template, {**context, "LANGUAGE_CODE": language})
    return HTML(string=html).write_pdf()


def complaint_summary_pdf(complaint: Complaint) -> bytes:
    """What the citizen filed, for their records or to print."""
    language = _language(complaint)
    with translation.override(language):
        filed = case_page.filed_summary(complaint)
        respondent = complaint.respondent.display_name
    context = {"complaint": complaint, "filed": filed, "respondent": respondent, "printed_at": timezone.now()}
    return _pdf("portal/letters/summary.html", context, language=language)


def decision_letter_pdf(complaint: Complaint) -> bytes | None:
    """The ombudsman's issued decision as a letter; None before a decision is issued."""
    language = _language(complaint)
    with translation.override(language):
        decision = case_page.decision_panel(complaint)
        filed = case_page.filed_summary(complaint)
        respondent = complaint.respondent.display_name
    if decision is None:
        return None
    context = {"complaint": complaint, "decision": decision, "filed": filed, "respondent": respondent}
    return _pdf("portal/letters/decision.html", context, language=language)


def data_export_pdf(citizen: Citizen, *, now: datetime) -> bytes:
    """Everything held about the person (privacy.selectors.citizen_export), in their language."""
    language = citizen.preferred_language or "en"
    with translation.override(language):
        data = citizen_export(citizen=citizen, now=now)
    return _pdf("portal/letters/data_export.html", {"data": data, "printed_at": now}, language=language)
