"""The decision letter and the complaint summary as PDF, in the citizen's language (their preferred
language, whoever asks), rendered from HTML templates by WeasyPrint. Fonts come from the system
(fontconfig): a CJK font (fonts-wqy-microhei or fonts-noto-cjk) is installed by
scripts/ci_system_packages.sh and `python3 dev.py run`."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils import timezone, translation
from weasyprint import HTML

from complaints.models import Complaint

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
