"""The record-category catalogue the service starts with (loaded by a data migration and kept
in step by `seed_demo`). Sources: State Council General Office, Guiding Opinions on Further
Improving the System for Punishing Dishonesty (Guo Ban Fa [2020] No. 49): only what law,
regulations or Party Central / State Council policy provide for may be recorded; the seed paper
reports local schemes that counted jaywalking, fare dodging, spitting and garbage sorting."""

from __future__ import annotations

from typing import Any

CATEGORIES: list[dict[str, Any]] = [
    {
        "code": "court-judgment-default",
        "name_en": "Failure to perform an effective court judgment",
        "name_zh": "有履行能力而拒不履行生效法律文书确定义务",
        "legal_basis": "Civil Procedure Law art. 262; SPC Provisions on Publishing the List of Dishonest "
        "Judgment Debtors (2017) art. 1",
        "lawful": True,
        "max_display_months": 36,
    },
    {
        "code": "tax-arrears",
        "name_en": "Major tax violation / tax arrears",
        "name_zh": "重大税收违法失信",
        "legal_basis": "Tax Collection and Administration Law; SAT Measures on Major Tax Violations (2021)",
        "lawful": True,
        "max_display_months": 36,
    },
    {
        "code": "loan-default",
        "name_en": "Overdue loan or credit card repayment",
        "name_zh": "贷款或信用卡逾期",
        "legal_basis": "Regulation on the Administration of the Credit Reporting Industry (2013) arts. 14, 16",
        "lawful": True,
        "max_display_months": 60,
    },
    {
        "code": "social-insurance-arrears",
        "name_en": "Social insurance contribution arrears",
        "name_zh": "拖欠社会保险费",
        "legal_basis": "Social Insurance Law arts. 63, 86",
        "lawful": True,
        "max_display_months": 36,
    },
    {
        "code": "regulatory-fraud",
        "name_en": "Fraud in dealings with a regulator (false statements, forged documents)",
        "name_zh": "向行政机关提供虚假材料",
        "legal_basis": "Administrative Licensing Law art. 78; sectoral regulations",
        "lawful": True,
        "max_display_months": 36,
    },
    {
        "code": "derived-family-member",
        "name_en": "Restriction extended to a family member of a listed person",
        "name_zh": "因亲属失信而被限制",
        "legal_basis": "",
        "lawful": False,
        "max_display_months": None,
        "description": "Only the debtor's own conduct may be recorded; restrictions on children's schooling are "
        "limited to high-fee private schools chosen by the debtor (SPC Restrictions on High Consumption, 2015, "
        "art. 3) and do not make the child a listed person.",
    },
    {
        "code": "jaywalking",
        "name_en": "Jaywalking",
        "name_zh": "闯红灯",
        "legal_basis": "",
        "lawful": False,
        "max_display_months": None,
    },
    {
        "code": "fare-dodging",
        "name_en": "Fare dodging on public transport",
        "name_zh": "逃票",
        "legal_basis": "",
        "lawful": False,
        "max_display_months": None,
    },
    {
        "code": "spitting",
        "name_en": "Spitting in public",
        "name_zh": "随地吐痰",
        "legal_basis": "",
        "lawful": False,
        "max_display_months": None,
    },
    {
        "code": "garbage-sorting",
        "name_en": "Incorrect garbage sorting",
        "name_zh": "垃圾分类不当",
        "legal_basis": "",
        "lawful": False,
        "max_display_months": None,
    },
]


def load_categories(model: Any) -> int:
    """Create or update the catalogue on `model` (a real or a historical model). Idempotent."""
    created = 0
    for row in CATEGORIES:
        fields = {k: v for k, v in row.items() if k != "code"}
        fields.setdefault("description", "")
        _obj, was_created = model.objects.update_or_create(code=row["code"], defaults=fields)
        created += was_created
    return created
