"""Demo cases for the public statistics: twelve cases for each of three agencies
(`STAT_AGENCIES`), filed by phone over the last six months and finished in different ways, so the
statistics page draws its charts on a fresh run. Scripts for `ops.demo_cases.run_script`."""

from __future__ import annotations

from datetime import date
from typing import Any

from accounts.models import User
from agencies.models import Agency, RecordCategory
from citizens import national_id
from citizens.models import BlacklistEntry, Citizen, CreditScoreRecord
from complaints.models import Channel
from kernel.actors import Actor

from .demo_cases import CaseScript, Step

STAT_AGENCIES = ("lotus-credit", "paywave-score", "national-credit-centre")

STAT_PEOPLE = [
    "Wang Lei",
    "Liu Yang",
    "Chen Hui",
    "Zhao Min",
    "Huang Tao",
    "Zhou Na",
    "Wu Gang",
    "Xu Jing",
    "Sun Qiang",
    "Ma Li",
    "Zhu Hong",
    "Hu Jun",
]


def _id_with_check_digit(body: str) -> str:
    """An 18-character resident ID with a valid ISO 7064 check character (fictional people)."""
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    total = sum(int(d) * w for d, w in zip(body, weights, strict=True))
    return body + "10X98765432"[total % 11]


def stat_citizens() -> list[Citizen]:
    out = []
    for i, name in enumerate(STAT_PEOPLE):
        raw = _id_with_check_digit(f"4403011990{(i % 12) + 1:02d}{10 + i:02d}{300 + i:03d}")
        citizen = Citizen.objects.filter(national_id_hash=national_id.keyed_hash(raw)).first()
        if citizen is None:
            citizen = Citizen(full_name=name, phone=f"+86 139 0000 {1000 + i}", preferred_language="zh-hans")
            citizen.set_national_id(raw)
            citizen.save()
        out.append(citizen)
    return out


def stat_record(
    *, agency: Agency, citizen: Citizen, i: int, category: RecordCategory | None
) -> BlacklistEntry | CreditScoreRecord:
    ref = f"DEMO-{agency.slug[:6].upper()}-{i:03d}"
    if agency.has_score_scale:
        assert agency.score_min is not None and agency.score_max is not None
        score, _ = CreditScoreRecord.objects.get_or_create(
            agency=agency,
            citizen=citizen,
            as_of=date(2026, 5, 1),
            defaults={
                "agency_record_id": ref,
                "score": agency.score_min + (agency.score_max - agency.score_min) * (20 + 3 * i) // 100,
                "factors": [{"factor": "payment history", "effect": "undisclosed", "detail": ""}],
            },
        )
        return score
    assert category is not None
    entry, _ = BlacklistEntry.objects.get_or_create(
        agency=agency,
        agency_record_id=ref,
        defaults={
            "citizen": citizen,
            "list_name": "Credit report: arrears",
            "category": category,
            "reason": "Social insurance contributions reported unpaid",
            "legal_basis": "Credit Reporting Regulation 2013",
            "listed_on": date(2026, 1, 5),
            "sanctions": ["credit_cards"],
        },
    )
    return entry


# Twelve endings, one per case; with the answer's speed they spread over outcomes, time to
# answer (some after the 20-day deadline) and months (each case starts about two weeks after the
# previous one).
def stat_steps(i: int, *, scores: bool) -> list[Step]:
    start = 180 - 14 * i
    answer_after = [4, 9, 15, 19, 23, 6, 12, 27, 8, 17, 3, 21][i]
    answered = start - answer_after
    field_name = "score" if scores else "status"
    new_value: Any = 600 if scores else "paid"
    steps = [Step(start, "submit"), Step(start - 0.5, "screen"), Step(start - 1, "refer")]
    ending = i % 6
    if ending in (0, 1):
        outcome = "corrected" if (scores or ending == 0) else "deleted"
        steps += [
            Step(
                answered,
                "answer",
                {
                    "outcome": outcome,
                    "explanation": "Checked against our source data; the record was wrong and has been fixed.",
                    "corrections": [{"field": field_name, "old_value": "", "new_value": new_value}]
                    if outcome == "corrected"
                    else [],
                },
            ),
            Step(answered - 3, "accept", {"note": "Thank you."}),
        ]
    elif ending == 2:
        steps += [
            Step(answered, "answer", {"outcome": "verified", "explanation": "Our records are accurate."}),
            Step(
                answered - 25,
                "decide",
                {
                    "outcome": "not_upheld",
                    "findings": "The agency's source data supports the record as it stands.",
                    "reasons": "The complaint gives no evidence that the record is wrong.",
                    "summary": "The record was checked against the source data and found accurate. Not upheld.",
                },
            ),
        ]
    elif ending == 3:
        steps += [
            Step(answered, "answer", {"outcome": "verified", "explanation": "Our records are accurate."}),
            Step(
                answered - 30,
                "decide",
                {
                    "outcome": "upheld",
                    "findings": "The payments the agency counted as missed were made on time, as the bank confirmed.",
                    "reasons": "A record must reflect the source data; it did not.",
                    "summary": "Payments made on time were recorded as missed. Upheld: the record is to be corrected.",
                    "remedies": [{"kind": "correct", "field": field_name, "new_value": new_value}],
                },
            ),
            Step(answered - 38, "orders_confirmed"),
        ]
    elif ending == 4:
        steps += [
            Step(
                answered,
                "answer",
                {
                    "outcome": "partially_corrected",
                    "explanation": "One of the two entries was wrong and has been fixed.",
                    "corrections": [{"field": field_name, "old_value": "", "new_value": new_value}],
                },
            ),
            Step(answered - 4, "contest", {"reason": "The second entry is wrong too."}),
            Step(
                answered - 30,
                "decide",
                {
                    "outcome": "partly_upheld",
                    "findings": "The second entry was right; the agency took too long to fix the first.",
                    "reasons": "The delay caused the citizen avoidable trouble.",
                    "summary": "One of two disputed entries was wrong. Partly upheld: the agency is to apologise.",
                    "remedies": [{"kind": "apology"}],
                },
            ),
            Step(answered - 35, "orders_confirmed"),
        ]
    else:
        steps += [
            Step(
                answered,
                "answer",
                {
                    "outcome": "deleted" if not scores else "corrected",
                    "explanation": "Removed after review.",
                    "corrections": [] if not scores else [{"field": "score", "old_value": "", "new_value": 600}],
                },
            ),
            Step(answered - 2, "accept"),
        ]
    return steps


def stat_cases(*, officer: User) -> list[CaseScript]:
    filer = Actor.for_user(officer)
    category = RecordCategory.objects.filter(code="social-insurance-arrears").first()
    people = stat_citizens()
    scripts = []
    for agency in Agency.objects.filter(slug__in=STAT_AGENCIES).order_by("slug"):
        for i, citizen in enumerate(people):
            record = stat_record(agency=agency, citizen=citizen, i=i, category=category)
            scripts.append(
                CaseScript(
                    citizen=citizen,
                    filer=filer,
                    record=record,
                    category="inaccurate_data",
                    statement="Filed by phone: the caller says this record is wrong and asks for it to be corrected.",
                    remedies_sought=["correct"],
                    channel=Channel.PHONE,
                    language="zh-hans",
                    steps=stat_steps(i, scores=agency.has_score_scale),
                )
            )
    return scripts
