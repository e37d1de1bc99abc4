"""The clock rules the service starts with (loaded by a data migration; `version` bumps create a
new row, old clocks keep the version they were computed with) and the ombudsman's default regime:
which rule each obligation runs on unless an agency is configured otherwise.

Plain data, no ORM."""

from __future__ import annotations

from typing import Any

# Extension preconditions (checked by clocks.services.clock_extend).
PRECONDITION_NONE = ""
# FCRA 611(a)(1)(C): the extension is allowed only if the consumer provided additional relevant
# information during the first period.
PRECONDITION_CONSUMER_INFO_IN_PERIOD = "consumer_information_within_period"
# GDPR art. 12(3): the controller informs the data subject of the extension within one month of receipt.
PRECONDITION_NOTICE_IN_FIRST_PERIOD = "notice_within_first_period"

RULES: list[dict[str, Any]] = [
    {
        "code": "cn-credit-objection",
        "version": 1,
        "title": "China: credit reporting objection",
        "description": "Regulation on the Administration of the Credit Reporting Industry (State Council "
        "Decree No. 631, 2013) art. 25: a credit reporting agency marks the objected information on receipt "
        "and answers the objection within 20 days of receiving it. A last day that is not a working day rolls "
        "to the next working day (General Principles of Civil Law / Civil Code art. 203).",
        "jurisdiction": "CN",
        "unit": "calendar_days",
        "amount": 20,
        "roll_forward": True,
    },
    {
        "code": "cn-dishonest-list-review",
        "version": 1,
        "title": "China: dishonest-debtor list review",
        "description": "Supreme People's Court, Provisions on Publishing the List of Dishonest Judgment Debtors "
        "(2017 revision) art. 12: the people's court reviews a written correction request within 15 days of "
        "receiving it. A last day that is not a working day rolls to the next working day.",
        "jurisdiction": "CN",
        "unit": "calendar_days",
        "amount": 15,
        "roll_forward": True,
    },
    {
        "code": "cn-dishonest-list-correction",
        "version": 1,
        "title": "China: dishonest-debtor list correction",
        "description": "Supreme People's Court, Provisions on Publishing the List of Dishonest Judgment Debtors "
        "(2017 revision) art. 12: where the request is well founded, the court corrects the list within "
        "3 working days of deciding.",
        "jurisdiction": "CN",
        "unit": "working_days",
        "amount": 3,
        "roll_forward": True,
    },
    {
        "code": "us-fcra-furnisher-notice",
        "version": 1,
        "title": "US FCRA: notice to the furnisher",
        "description": "Fair Credit Reporting Act, 15 U.S.C. 1681i(a)(2) (section 611(a)(2)): the consumer "
        "reporting agency notifies the furnisher of the dispute within 5 business days of receiving it "
        "(US federal holidays excluded).",
        "jurisdiction": "US",
        "unit": "working_days",
        "amount": 5,
        "roll_forward": True,
    },
    {
        "code": "us-fcra-reinvestigation",
        "version": 1,
        "title": "US FCRA: reinvestigation",
        "description": "Fair Credit Reporting Act, 15 U.S.C. 1681i(a)(1)(A)-(B) (section 611(a)(1)): the "
        "reinvestigation is completed within 30 days of receiving the dispute; one extension of up to 15 days "
        "is allowed only if the consumer provides additional relevant information during the 30 days "
        "(611(a)(1)(B)).",
        "jurisdiction": "US",
        "unit": "calendar_days",
        "amount": 30,
        "roll_forward": False,
        "extension_unit": "calendar_days",
        "extension_amount": 15,
        "extension_precondition": PRECONDITION_CONSUMER_INFO_IN_PERIOD,
    },
    {
        "code": "eu-gdpr-request",
        "version": 1,
        "title": "EU GDPR: data subject request",
        "description": "General Data Protection Regulation (EU) 2016/679 art. 12(3): information on action "
        "taken within one month of receipt of the request; extendable by two further months where necessary, "
        "provided the data subject is informed of the extension within one month of receipt. One calendar "
        "month runs to the same date next month, or the last day of a shorter month (Regulation 1182/71 "
        "art. 3(2)(c)); a last day that is a public holiday, Saturday or Sunday rolls to the next working "
        "day (art. 3(4)).",
        "jurisdiction": "DE",
        "unit": "calendar_months",
        "amount": 1,
        "roll_forward": True,
        "extension_unit": "calendar_months",
        "extension_amount": 2,
        "extension_precondition": PRECONDITION_NOTICE_IN_FIRST_PERIOD,
    },
    {
        "code": "au-credit-correction",
        "version": 1,
        "title": "Australia: correction of credit information",
        "description": "Privacy Act 1988 (Cth) s 21V(3): a credit reporting body that receives a request to "
        "correct credit information must deal with it within 30 days (or a longer period the individual "
        "agrees to in writing).",
        "jurisdiction": "AU",
        "unit": "calendar_days",
        "amount": 30,
        "roll_forward": False,
    },
    {
        "code": "uk-disp-final-response",
        "version": 1,
        "title": "UK FCA: final response to a complaint",
        "description": "FCA Handbook DISP 1.6.2R: the firm sends a final response by the end of eight weeks "
        "after receiving the complaint.",
        "jurisdiction": "GB",
        "unit": "weeks",
        "amount": 8,
        "roll_forward": False,
    },
    # The ombudsman's own defaults (its terms of reference; the agency's jurisdiction's calendar).
    {
        "code": "omb-acknowledge",
        "version": 1,
        "title": "Ombudsman: acknowledge a referral",
        "description": "Ombudsman terms of reference: the agency acknowledges a referral within 2 working days "
        "(the agency's jurisdiction's calendar).",
        "jurisdiction": "",
        "unit": "working_days",
        "amount": 2,
        "roll_forward": True,
    },
    {
        "code": "omb-mark-disputed",
        "version": 1,
        "title": "Ombudsman: mark the record as disputed",
        "description": "Ombudsman terms of reference, following Credit Reporting Regulation 2013 art. 25 "
        "(mark on receipt): the agency marks the record as disputed within 2 working days.",
        "jurisdiction": "",
        "unit": "working_days",
        "amount": 2,
        "roll_forward": True,
    },
    {
        "code": "omb-agency-response",
        "version": 1,
        "title": "Ombudsman: the agency's substantive response",
        "description": "Ombudsman terms of reference, aligned with Credit Reporting Regulation 2013 art. 25: "
        "the agency answers a referral within 20 days; a last day that is not a working day rolls forward.",
        "jurisdiction": "",
        "unit": "calendar_days",
        "amount": 20,
        "roll_forward": True,
    },
    {
        "code": "omb-agency-response-urgent",
        "version": 1,
        "title": "Ombudsman: urgent response",
        "description": "Ombudsman terms of reference: where a listing blocks imminent travel, school enrolment "
        "or work, the agency answers within 5 working days.",
        "jurisdiction": "",
        "unit": "working_days",
        "amount": 5,
        "roll_forward": True,
    },
    {
        "code": "omb-citizen-reply",
        "version": 1,
        "title": "Ombudsman: the citizen's reply",
        "description": "Ombudsman terms of reference: the citizen replies to a question or an agency's answer "
        "within 14 days; a last day that is not a working day rolls forward.",
        "jurisdiction": "",
        "unit": "calendar_days",
        "amount": 14,
        "roll_forward": True,
    },
    {
        "code": "omb-information-request",
        "version": 1,
        "title": "Ombudsman: answer an information request",
        "description": "Ombudsman terms of reference: an agency answers an information request made during an "
        "investigation within 15 days; a last day that is not a working day rolls forward.",
        "jurisdiction": "",
        "unit": "calendar_days",
        "amount": 15,
        "roll_forward": True,
    },
    {
        "code": "omb-compliance",
        "version": 1,
        "title": "Ombudsman: comply with an order",
        "description": "Ombudsman terms of reference: an agency carries out a correction order within 15 days; "
        "a last day that is not a working day rolls forward.",
        "jurisdiction": "",
        "unit": "calendar_days",
        "amount": 15,
        "roll_forward": True,
    },
    {
        "code": "omb-provisional-comment",
        "version": 1,
        "title": "Ombudsman: comment on a provisional decision",
        "description": "Ombudsman terms of reference (as the UK Financial Ombudsman Service's provisional "
        "decisions): the citizen and the agency may comment on a provisional decision within 14 days; a last "
        "day that is not a working day rolls forward. The final decision is signed after the period.",
        "jurisdiction": "",
        "unit": "calendar_days",
        "amount": 14,
        "roll_forward": True,
    },
    {
        "code": "omb-review",
        "version": 1,
        "title": "Ombudsman: decide a review of a decision",
        "description": "Ombudsman terms of reference (as the UK Information Commissioner's case reviews): a "
        "senior officer who took no part in the case decides a request to review a final decision within 30 "
        "days of receiving it; a last day that is not a working day rolls forward.",
        "jurisdiction": "",
        "unit": "calendar_days",
        "amount": 30,
        "roll_forward": True,
    },
]


# Which rule each obligation runs on unless the agency's regime says otherwise.
DEFAULT_REGIME: dict[str, str] = {
    "acknowledge": "omb-acknowledge",
    "mark_disputed": "omb-mark-disputed",
    "respond": "omb-agency-response",
    "citizen_reply": "omb-citizen-reply",
    "information_request": "omb-information-request",
    "compliance": "omb-compliance",
    "provisional_comment": "omb-provisional-comment",
    "review": "omb-review",
}
# Urgent complaints (imminent travel, school enrolment, work) use this rule for these obligations.
DEFAULT_URGENT_REGIME: dict[str, str] = {"respond": "omb-agency-response-urgent"}


def load_rules(rule_model: Any) -> None:
    """Create missing (code, version) rows; never change an existing version."""
    for row in RULES:
        defaults = {k: v for k, v in row.items() if k not in ("code", "version")}
        rule_model.objects.get_or_create(code=row["code"], version=row["version"], defaults=defaults)
