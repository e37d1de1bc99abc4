"""Written by hand: every free-text, JSON and file column of the apps that hold a person's data is
either erased by the retention schedule (privacy.erasure, privacy.services) or kept, with the
reason. A new column fails here until it is put in one list (and, if erased, in the erasure)."""

from __future__ import annotations

from django.apps import apps
from django.db import models

APPS = ("citizens", "complaints", "tribunal", "clocks", "outbox", "privacy", "agency_api")

ERASED = {
    "citizens.citizen.national_id_ciphertext",
    "citizens.citizen.address",
    "citizens.blacklistentry.reason",
    "citizens.creditscorerecord.factors",
    "citizens.representationrequest.proof",
    "complaints.complaint.other_record_description",
    "complaints.complaint.statement",
    "complaints.complaint.remedy_detail",
    "complaints.complaint.urgency_detail",
    "complaints.complaint.search_text",
    "complaints.caseevent.message",
    "complaints.agencyresponse.explanation",
    "complaints.agencyresponse.corrections",
    "complaints.attachment.file",
    "tribunal.informationrequest.questions",
    "tribunal.informationrequest.requested_documents",
    "tribunal.informationrequest.answer_text",
    "tribunal.informationrequest.answers",
    "tribunal.informationdocument.file",
    "tribunal.determination.findings",
    "tribunal.determination.reasons",
    "tribunal.determination.provisional_text",  # findings and reasons as shared
    "tribunal.determination.comments_considered",
    "tribunal.provisionalcomment.text",
    "tribunal.determinationreview.reasons",
    "tribunal.determinationreview.decision_reasons",
    "tribunal.correctionorder.evidence_before",  # values; the keys stay
    "tribunal.correctionorder.evidence_after",
    "tribunal.correctionorder.confirmation_note",
    "tribunal.correctionorder.waiver_reason",
    "clocks.clock.extension_reason",
    "clocks.clock.cancel_reason",
    "clocks.clockpause.reason",
    "outbox.outboxmessage.payload",
}
KEPT = {
    # codes and ids, no free text: the statistics and registers read them
    "citizens.blacklistentry.sanctions": "sanction codes",
    "complaints.complaint.remedies_sought": "remedy codes",
    "complaints.caseevent.data": "ids, outcomes and flags (the statistics read the timeline)",
    "complaints.agencyresponse.scoring_criteria": "the agency's criteria: the public register",
    "tribunal.determination.remedies": "remedy codes: the public register",
    "tribunal.determination.public_summary": "screened for personal data before publication: the register",
    "tribunal.determination.provisional_skip_reason": "why the agency was not asked (in default)",
    "tribunal.determinationreview.remedies_before": "remedy codes before a variation",
    "tribunal.correctionorder.path": "agency slugs",
    "tribunal.correctionorder.actions": "remedy codes and corrected field names",
    "tribunal.criteriadisclosure.criteria": "the public register",
    "tribunal.conflictofinterest.description": "about agencies, the public register",
    "citizens.representationrequest.refusal_reason": "the officer's reason; the proof and stated name go",
    "clocks.clockrule.description": "the rule, not a case",
    "clocks.clock.explanation": "how the deadline was computed (rule and calendar)",
    "outbox.outboxmessage.last_error": "the delivery's error",
    "outbox.deliveryattempt.detail": "the delivery's answer",
    "privacy.erasure.counts": "what was erased, counts",
    "privacy.deletionrequest.reason": "the decision's record (PIPL: the answer and its reason kept)",
    "privacy.deletionrequest.decision_reason": "the decision's record",
    "agency_api.webhookendpoint.secret_ciphertext": "an agency's secret",
    "agency_api.webhookendpoint.previous_secret_ciphertext": "an agency's secret",
    "agency_api.idempotencyrecord.response_body": "lives 24 hours (agency_api purge)",
    "agency_api.idempotencyrecord.response_headers": "lives 24 hours (agency_api purge)",
}


def test_every_text_json_and_file_column_is_classified():
    found = {
        f"{m._meta.label_lower}.{f.name}"
        for app in APPS
        for m in apps.get_app_config(app).get_models()
        for f in m._meta.concrete_fields
        if isinstance(f, models.TextField | models.JSONField | models.FileField)
    }
    assert not ERASED & set(KEPT)
    assert sorted(found - ERASED - set(KEPT)) == []
    assert sorted((ERASED | set(KEPT)) - found) == []
