"""Demo cases, made through the real services with `now` arguments (no rows written by hand), so the
demo shows every kind of case and the public statistics have enough decided cases to draw charts.

Two sets:
- the named cases of the demo logins (Li Wei, Zhang Min and her daughter), one per kind of case
  a citizen meets: submitted, screening, referred, answered (the citizen must reply), in
  investigation, decided with orders pending, closed after an upheld decision;
- twelve cases for each of three agencies (`ops.demo_statistics`), filed by phone over the last six
  months and finished in different ways, for the statistics page.

Each case is a script of steps, each `days` before now; a case whose record already has a
complaint is skipped, so seeding twice creates nothing twice."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from accounts.models import User
from agencies.models import Agency
from citizens.models import BlacklistEntry, Citizen, CreditScoreRecord
from complaints import services as complaint_services
from complaints.models import Channel, Complaint
from kernel.actors import Actor
from tribunal import services as tribunal_services
from tribunal.models import CorrectionOrder, Determination, OrderStatus

# --- one case as a script ---------------------------------------------------------------------


@dataclass
class Step:
    days: float  # before now
    do: str
    args: dict[str, Any] = field(default_factory=dict)


@dataclass
class CaseScript:
    citizen: Citizen
    filer: Actor
    record: BlacklistEntry | CreditScoreRecord
    category: str
    statement: str
    remedies_sought: list[str]
    steps: list[Step]
    channel: str = Channel.WEB
    language: str = "en"
    urgent: bool = False
    urgency_reason: str = ""
    urgency_detail: str = ""
    remedy_detail: str = ""


@dataclass
class Cast:
    officer: Actor
    senior: Actor


def record_has_case(record: BlacklistEntry | CreditScoreRecord) -> bool:
    if isinstance(record, BlacklistEntry):
        return Complaint.objects.filter(blacklist_entry=record).exists()
    return Complaint.objects.filter(score_record=record).exists()


def run_script(script: CaseScript, *, cast: Cast, now: datetime) -> Complaint | None:
    """File the case and take each step at its time; None when the record already has a case."""
    if record_has_case(script.record):
        return None
    first, *rest = script.steps
    assert first.do == "submit", "a case script starts with its filing"
    record = script.record
    complaint = complaint_services.complaint_submit(
        citizen=script.citizen,
        actor=script.filer,
        respondent=record.agency,
        blacklist_entry=record if isinstance(record, BlacklistEntry) else None,
        score_record=record if isinstance(record, CreditScoreRecord) else None,
        category=script.category,
        statement=script.statement,
        remedies_sought=script.remedies_sought,
        remedy_detail=script.remedy_detail,
        urgent=script.urgent,
        urgency_reason=script.urgency_reason,
        urgency_detail=script.urgency_detail,
        channel=script.channel,
        language=script.language,
        now=now - timedelta(days=first.days),
    )
    for step in rest:
        at = now - timedelta(days=step.days)
        ACTIONS[step.do](complaint, cast, script, at, **step.args)
    return complaint


# --- the steps, each one service call ---------------------------------------------------------


def _agency(complaint: Complaint) -> Actor:
    complaint.refresh_from_db(fields=["respondent"])
    return Actor.for_agency(complaint.respondent, client_label=f"{complaint.respondent.name_en} (case system)")


def _screen(c: Complaint, cast: Cast, s: CaseScript, at: datetime) -> None:
    complaint_services.complaint_start_screening(complaint_id=c.pk, actor=cast.officer, now=at)


def _refer(c: Complaint, cast: Cast, s: CaseScript, at: datetime) -> None:
    complaint_services.complaint_refer(complaint_id=c.pk, actor=cast.officer, now=at)


def _acknowledge(c: Complaint, cast: Cast, s: CaseScript, at: datetime) -> None:
    complaint_services.complaint_acknowledge(complaint_id=c.pk, actor=_agency(c), now=at)


def _mark_disputed(c: Complaint, cast: Cast, s: CaseScript, at: datetime) -> None:
    complaint_services.complaint_mark_disputed(complaint_id=c.pk, actor=_agency(c), now=at)


def _answer(
    c: Complaint,
    cast: Cast,
    s: CaseScript,
    at: datetime,
    *,
    outcome: str,
    explanation: str,
    corrections: list[dict[str, Any]] | None = None,
    scoring_criteria: list[dict[str, Any]] | None = None,
) -> None:
    complaint_services.complaint_record_agency_response(
        complaint_id=c.pk,
        actor=_agency(c),
        outcome=outcome,
        explanation=explanation,
        corrections=corrections,
        scoring_criteria=scoring_criteria,
        now=at,
    )


def _accept(c: Complaint, cast: Cast, s: CaseScript, at: datetime, *, note: str = "") -> None:
    complaint_services.complaint_resolve(complaint_id=c.pk, actor=s.filer, now=at, note=note)


def _contest(c: Complaint, cast: Cast, s: CaseScript, at: datetime, *, reason: str) -> None:
    complaint_services.complaint_open_investigation(complaint_id=c.pk, actor=s.filer, reason=reason, now=at)


def _message(c: Complaint, cast: Cast, s: CaseScript, at: datetime, *, text: str, by: str = "officer") -> None:
    actor = cast.officer if by == "officer" else s.filer
    complaint_services.complaint_post_message(complaint_id=c.pk, actor=actor, text=text, now=at)


def _ask_information(
    c: Complaint, cast: Cast, s: CaseScript, at: datetime, *, agency: str, questions: list[str]
) -> None:
    tribunal_services.information_request_create(
        complaint_id=c.pk, agency=Agency.objects.get(slug=agency), actor=cast.officer, questions=questions, now=at
    )


def _draft(c: Complaint, cast: Cast, at: datetime, **fields: Any) -> Determination:
    return tribunal_services.determination_save_draft(
        complaint_id=c.pk,
        actor=cast.officer,
        outcome=fields["outcome"],
        findings=fields["findings"],
        reasons=fields["reasons"],
        public_summary=fields["summary"],
        remedies=fields.get("remedies") or [],
        comments_considered=fields.get("considered", ""),
        now=at,
    )


def _provisional(c: Complaint, cast: Cast, s: CaseScript, at: datetime, **fields: Any) -> None:
    """The case officer drafts; a senior officer shares it as a provisional decision for comment."""
    draft = _draft(c, cast, at - timedelta(hours=6), **fields)
    tribunal_services.determination_share_provisional(determination_id=draft.pk, actor=cast.senior, now=at)


def _comment(c: Complaint, cast: Cast, s: CaseScript, at: datetime, *, text: str, by: str = "citizen") -> None:
    actor = s.filer if by == "citizen" else _agency(c)
    tribunal_services.provisional_comment_on_case(complaint_id=c.pk, actor=actor, comment=text, now=at)


def _review(c: Complaint, cast: Cast, s: CaseScript, at: datetime, *, reasons: str, by: str = "citizen") -> None:
    actor = s.filer if by == "citizen" else _agency(c)
    tribunal_services.review_request(complaint_id=c.pk, actor=actor, reasons=reasons, now=at)


def _decide(
    c: Complaint,
    cast: Cast,
    s: CaseScript,
    at: datetime,
    *,
    signed_after_days: float = 1,
    skip_reason: str = "The facts are not disputed and the question is one of law only.",
    **fields: Any,
) -> None:
    """The case officer drafts the final determination (after a provisional decision, saying how
    the comments were considered); a senior officer signs it a little later. Without a
    provisional decision, the senior records why the parties were not asked to comment."""
    draft = _draft(c, cast, at - timedelta(days=signed_after_days), **fields)
    tribunal_services.determination_sign(
        determination_id=draft.pk,
        actor=cast.senior,
        now=at,
        skip_provisional_reason="" if draft.provisional_shared_at else skip_reason,
    )


def _evidence(
    order: CorrectionOrder, record: BlacklistEntry | CreditScoreRecord
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The record as the agency held it and as it holds it after carrying out the order."""
    before: dict[str, Any] = {"record": order.record_reference or record.agency_record_id, "status": "active"}
    if isinstance(record, BlacklistEntry):
        before["sanctions"] = list(record.sanctions)
    else:
        before["score"] = record.score
    after = dict(before)
    for action in order.actions:
        kind = action["kind"]
        if kind == "delete":
            after = {"record": before["record"], "status": "deleted"}
            break
        if kind == "correct":
            after[action["field"]] = action["new_value"]
        elif kind == "lift_sanction":
            after["sanctions"] = [x for x in after.get("sanctions", []) if x != action["sanction"]]
        elif kind == "annotate":
            after["annotation"] = "The citizen's statement is attached to the record."
    return before, after


def _orders_confirmed(c: Complaint, cast: Cast, s: CaseScript, at: datetime, *, every_days: float = 1) -> None:
    """Every agency ordered confirms it carried out its order, one after another."""
    orders = CorrectionOrder.objects.filter(complaint=c, status=OrderStatus.ORDERED).select_related("agency")
    for i, order in enumerate(orders.order_by("depth", "id")):
        before, after = _evidence(order, s.record)
        tribunal_services.correction_order_confirm(
            order_id=order.pk,
            actor=Actor.for_agency(order.agency, client_label=f"{order.agency.name_en} (case system)"),
            evidence_before=before,
            evidence_after=after,
            note="Done.",
            scoring_criteria=CRITERIA if any(a["kind"] == "disclose_criteria" for a in order.actions) else None,
            now=at + timedelta(days=i * every_days),
        )


ACTIONS: dict[str, Callable[..., None]] = {
    "screen": _screen,
    "refer": _refer,
    "acknowledge": _acknowledge,
    "mark_disputed": _mark_disputed,
    "answer": _answer,
    "accept": _accept,
    "contest": _contest,
    "message": _message,
    "ask_information": _ask_information,
    "provisional": _provisional,
    "comment": _comment,
    "decide": _decide,
    "review": _review,
    "orders_confirmed": _orders_confirmed,
}

CRITERIA = [
    {
        "factor": "Payment history",
        "description": "Bills and instalments paid on time in the last 24 months",
        "direction_or_weight": "about 40%",
        "data_source": "Platform payments",
    },
    {
        "factor": "Account age",
        "description": "How long the account has been open",
        "direction_or_weight": "about 15%",
        "data_source": "Registration data",
    },
]


# The minor's decision, as shared provisionally and then as signed (the same text; the final one
# also says how the parties' comments were considered).
MINOR_DECISION: dict[str, Any] = {
    "outcome": "upheld",
    "findings": "The child owes no debt and is not a party to the judgment. The court listed "
    "her only because her parent is listed, and shared the listing with the rail ticketing "
    "system, an airline and the school admissions office.",
    "reasons": "No law allows a sanction on a person who owes nothing for a relative's debt. "
    "A listing without a legal basis must be deleted by its holder and by every agency "
    "that received it.",
    "summary": "A minor was listed because of a parent's court debt. Upheld: the listing had "
    "no legal basis and was ordered deleted everywhere it had been shared.",
    "remedies": [{"kind": "delete"}],
}


# --- the named cases of the demo logins -------------------------------------------------------


def named_cases(
    *,
    users: dict[str, User],
    li: Citizen,
    parent: Citizen,
    minor: Citizen,
    records: dict[str, BlacklistEntry | CreditScoreRecord],
) -> list[CaseScript]:
    li_actor = Actor.for_user(users["citizen@example.org"])
    parent_actor = Actor.for_user(users["parent@example.org"])
    return [
        # Closed: the court said "verified"; the ombudsman upheld the complaint; the court and the
        # three agencies it shared the listing with each confirmed the deletion.
        CaseScript(
            citizen=minor,
            filer=parent_actor,
            record=records["minor-entry"],
            category="derived_from_relative",
            statement="My daughter Xiaoyu is 16. She was put on the dishonest-debtor list only because I am on "
            "it. She owes nothing and was refused a place at her school and a train ticket to visit her "
            "grandmother. Please remove her from the list.",
            remedies_sought=["delete", "lift_sanction"],
            urgent=True,
            urgency_reason="school",
            urgency_detail="School enrolment closes on 1 September.",
            steps=[
                Step(75, "submit"),
                Step(74.8, "screen"),
                Step(74.5, "refer"),
                Step(74, "acknowledge"),
                Step(73.5, "mark_disputed"),
                Step(
                    62,
                    "answer",
                    {
                        "outcome": "verified",
                        "explanation": "The entry is accurate: the family restriction follows the parent's listing.",
                    },
                ),
                Step(
                    55,
                    "ask_information",
                    {
                        "agency": "harbour-court",
                        "questions": ["Which provision allows a restriction on a child who owes nothing?"],
                    },
                ),
                Step(50, "provisional", MINOR_DECISION),
                Step(
                    48,
                    "comment",
                    {
                        "text": "Thank you. Please make sure the school and the railway delete it too, "
                        "not only the court."
                    },
                ),
                Step(
                    46,
                    "comment",
                    {"by": "agency", "text": "The court accepts the finding and will delete the family restriction."},
                ),
                Step(
                    40,
                    "decide",
                    {
                        **MINOR_DECISION,
                        "considered": "The parent asked that every agency holding the listing delete it: the order "
                        "goes to the court and to each agency it shared the listing with. The court accepted the "
                        "finding.",
                    },
                ),
                Step(38, "orders_confirmed", {"every_days": 2}),
            ],
        ),
        # Decided, orders pending: jaywalking has no legal basis as a credit record.
        CaseScript(
            citizen=li,
            filer=li_actor,
            record=records["jaywalk"],
            category="unlawful_category",
            statement="Jaywalking is not a category any law allows to be recorded in a credit scheme. "
            "Please delete the entry and restore my score.",
            remedies_sought=["delete", "correct"],
            language="zh-hans",
            steps=[
                Step(45, "submit"),
                Step(44.5, "screen"),
                Step(44, "refer"),
                Step(43, "acknowledge"),
                Step(
                    30,
                    "answer",
                    {"outcome": "verified", "explanation": "The camera recorded the crossing; the entry is accurate."},
                ),
                Step(
                    20,
                    "message",
                    {"text": "We are reviewing whether this category has a legal basis. No action is needed from you."},
                ),
                Step(
                    3,
                    "decide",
                    {
                        "outcome": "upheld",
                        "findings": "The entry records a traffic offence (crossing against a red light). The "
                        "catalogue of record categories gives no legal basis for recording it in a credit scheme.",
                        "reasons": "A credit scheme may record only categories that a law allows. This one has "
                        "none, so the entry must be deleted and the score restored.",
                        "summary": "A local credit scheme recorded a pedestrian offence. Upheld: no legal basis; "
                        "the entry is to be deleted and the score restored.",
                        "remedies": [{"kind": "delete"}, {"kind": "apology"}],
                    },
                ),
                # The scheme asks for a review: it waits for a senior who took no part (reviewer@).
                Step(
                    1,
                    "review",
                    {
                        "by": "agency",
                        "reasons": "The city council approved the traffic-conduct category in 2019; that approval is "
                        "the legal basis the decision says is missing.",
                    },
                ),
            ],
        ),
        # A provisional decision: the bureau has commented; Li Wei is asked for his comments.
        CaseScript(
            citizen=li,
            filer=li_actor,
            record=records["ncrc-phone"],
            category="inaccurate_data",
            statement="The phone contract was closed in 2024 and its last bill paid. The credit report still lists "
            "it as in default.",
            remedies_sought=["delete"],
            language="zh-hans",
            steps=[
                Step(40, "submit"),
                Step(39.5, "screen"),
                Step(39, "refer"),
                Step(38, "acknowledge"),
                Step(38, "mark_disputed"),
                Step(25, "answer", {"outcome": "verified", "explanation": "The operator confirms the arrears."}),
                Step(
                    24,
                    "message",
                    {
                        "by": "citizen",
                        "text": "I have the operator's closing letter of 12 March 2024; it shows nothing owing.",
                    },
                ),
                Step(
                    4,
                    "provisional",
                    {
                        "outcome": "upheld",
                        "findings": "The operator's closing letter of 12 March 2024 shows the contract closed with "
                        "nothing owing. The bureau's answer relied on the operator's monthly file, which still "
                        "carried the closed contract.",
                        "reasons": "A credit report may show only accurate information. A closed, settled "
                        "contract is not in default.",
                        "summary": "A closed and settled phone contract was reported as in default. Upheld "
                        "provisionally: the entry is to be deleted.",
                        "remedies": [{"kind": "delete"}],
                    },
                ),
                Step(
                    2,
                    "comment",
                    {
                        "by": "agency",
                        "text": "The operator has now confirmed the closure; we do not contest the finding.",
                    },
                ),
            ],
        ),
        # Answered: the bureau corrected the report; Li Wei must accept or contest.
        CaseScript(
            citizen=li,
            filer=li_actor,
            record=records["ncrc-entry"],
            category="inaccurate_data",
            statement="The card reported as 90 days overdue was cancelled in 2023 and its balance was zero. "
            "Please correct my credit report.",
            remedies_sought=["correct"],
            language="zh-hans",
            steps=[
                Step(12, "submit"),
                Step(11.5, "screen"),
                Step(11, "refer"),
                Step(10.5, "acknowledge"),
                Step(10, "mark_disputed"),
                Step(
                    2,
                    "answer",
                    {
                        "outcome": "corrected",
                        "explanation": "The bank confirmed the card was closed with a zero balance. The overdue "
                        "mark is removed.",
                        "corrections": [{"field": "status", "old_value": "90 days overdue", "new_value": "closed"}],
                    },
                ),
            ],
        ),
        # Referred: the platform owes its scoring criteria.
        CaseScript(
            citizen=li,
            filer=li_actor,
            record=records["lotus-score"],
            category="undisclosed_criteria",
            statement="My Lotus score dropped from 600 to 512 and the app does not say why. "
            "I want to know how the score is calculated.",
            remedies_sought=["disclose_criteria"],
            language="zh-hans",
            steps=[Step(6, "submit"), Step(5.5, "screen"), Step(5, "refer"), Step(4, "acknowledge")],
        ),
        # Submitted yesterday: the ombudsman has not looked at it yet.
        CaseScript(
            citizen=li,
            filer=li_actor,
            record=records["civic-score"],
            category="inaccurate_data",
            statement="My civic score still counts the jaywalking deduction that I have complained about, and "
            "does not count my volunteering in October.",
            remedies_sought=["correct"],
            language="zh-hans",
            steps=[Step(1, "submit")],
        ),
        # In investigation: the court says the debt is unpaid; the ombudsman asks the bank.
        CaseScript(
            citizen=parent,
            filer=parent_actor,
            record=records["parent-entry"],
            category="inaccurate_data",
            statement="I repaid RMB 300,000 of the loan in March under a settlement the court approved. The "
            "list still shows the full amount and bars me from flying for work.",
            remedies_sought=["correct", "lift_sanction"],
            urgent=True,
            urgency_reason="work",
            urgency_detail="My job requires a flight to Shanghai every month.",
            steps=[
                Step(30, "submit"),
                Step(29.5, "screen"),
                Step(29, "refer"),
                Step(28, "acknowledge"),
                Step(28, "mark_disputed"),
                Step(
                    15,
                    "answer",
                    {"outcome": "verified", "explanation": "The judgment remains unsatisfied."},
                ),
                Step(
                    10,
                    "ask_information",
                    {
                        "agency": "harbour-bank",
                        "questions": [
                            "What has the debtor repaid under the settlement, and when?",
                            "Does the bank still consider the judgment unsatisfied?",
                        ],
                    },
                ),
                Step(
                    9,
                    "message",
                    {"text": "Please upload the settlement agreement and the bank's receipts for the repayments."},
                ),
            ],
        ),
        # Screening: filed the day before yesterday, the officer has started checking it.
        CaseScript(
            citizen=parent,
            filer=parent_actor,
            record=records["parent-paywave"],
            category="outdated",
            statement="My PayWave score still counts late payments from 2019 that should have expired.",
            remedies_sought=["correct"],
            steps=[Step(2, "submit"), Step(1, "screen")],
        ),
    ]
