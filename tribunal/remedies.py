"""What a determination may order, and whether an agency's evidence shows an order carried out:
plain data in, plain data out (no ORM). The vocabulary itself is `complaints.remedies.Remedy`.

    validated_remedies(items, upheld=..., sanctions=...)   the cleaned remedy items, or ServiceError
    check_evidence(actions, before, after)                  ServiceError unless the record after the
                                                            correction shows every action done
    remedy_words(item)                                      the remedy in words, in the active language

A remedy item is a dict: {"kind": <Remedy>} plus, by kind, "field" and "new_value" (correct),
"sanction" (lift_sanction), "amount" and "currency" (compensation), and an optional "detail".
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from citizens.models import Sanction
from complaints.remedies import Remedy
from kernel.errors import ServiceError

MAX_DETAIL = 2000
MAX_COMPENSATION = Decimal("100000000")
MAX_EVIDENCE = 50_000
FIELD_NAME = re.compile(r"[a-z][a-z0-9_]{0,59}")
CURRENCY = re.compile(r"[A-Z]{3}")


def validated_remedies(items: object, *, upheld: bool, sanctions: Collection[str]) -> list[dict[str, Any]]:
    """Check and clean the remedies of a determination. An upheld (or partly upheld) complaint
    orders at least one remedy, one not upheld orders none; `sanctions` are the sanction codes
    that may be lifted."""
    if items is None:
        items = []
    if not isinstance(items, list):
        raise ServiceError("remedies must be a list of objects with a 'kind'.", field="remedies")
    out: list[dict[str, Any]] = []
    for i, raw in enumerate(items):
        item = _item(raw, where=f"remedies[{i}]", sanctions=sanctions)
        if any(
            r["kind"] == item["kind"]
            and r.get("field") == item.get("field")
            and r.get("sanction") == item.get("sanction")
            for r in out
        ):
            raise ServiceError(f"remedies[{i}] repeats an earlier remedy.", field="remedies")
        out.append(item)
    if not upheld and out:
        raise ServiceError(_("A complaint that is not upheld orders no remedies."), field="remedies")
    if upheld and not out:
        raise ServiceError(_("An upheld complaint must order at least one remedy."), field="remedies")
    kinds = {r["kind"] for r in out}
    if Remedy.DELETE in kinds and kinds & {Remedy.CORRECT, Remedy.ANNOTATE}:
        raise ServiceError(_("An entry that is deleted cannot also be corrected or annotated."), field="remedies")
    return out


def _item(raw: object, *, where: str, sanctions: Collection[str]) -> dict[str, Any]:
    if not isinstance(raw, dict) or raw.get("kind") not in Remedy.values:
        raise ServiceError(f"{where}.kind must be one of {', '.join(Remedy.values)}.", field="remedies")
    kind = raw["kind"]
    item: dict[str, Any] = {"kind": kind}
    detail = raw.get("detail", "")
    if not isinstance(detail, str) or len(detail) > MAX_DETAIL:
        raise ServiceError(f"{where}.detail must be a text under {MAX_DETAIL} characters.", field="remedies")
    if detail.strip():
        item["detail"] = detail.strip()
    if kind == Remedy.CORRECT:
        field = raw.get("field")
        if not isinstance(field, str) or not FIELD_NAME.fullmatch(field):
            raise ServiceError(f"{where}.field must name the record's field (e.g. 'reason').", field="remedies")
        new_value = raw.get("new_value")
        if not isinstance(new_value, str | int | float | bool | type(None)):
            raise ServiceError(f"{where}.new_value must be a plain value.", field="remedies")
        item.update(field=field, new_value=new_value)
    elif kind == Remedy.LIFT_SANCTION:
        if raw.get("sanction") not in sanctions:
            raise ServiceError(f"{where}.sanction must be one of {', '.join(sanctions)}.", field="remedies")
        item["sanction"] = raw["sanction"]
    elif kind == Remedy.COMPENSATION:
        try:
            amount = Decimal(str(raw.get("amount")))
        except InvalidOperation:
            amount = Decimal(0)
        if not amount.is_finite() or amount <= 0 or amount > MAX_COMPENSATION:
            raise ServiceError(f"{where}.amount must be a positive amount.", field="remedies")
        currency = raw.get("currency", "CNY")
        if not isinstance(currency, str) or not CURRENCY.fullmatch(currency):
            raise ServiceError(f"{where}.currency must be an ISO 4217 code such as CNY.", field="remedies")
        item.update(amount=str(amount.quantize(Decimal("0.01"))), currency=currency)
    return item


def kinds_of(items: Sequence[Mapping[str, Any]]) -> set[str]:
    return {a["kind"] for a in items}


def check_evidence(actions: Sequence[Mapping[str, Any]], before: object, after: object) -> None:
    """The record as it was and as it is after the correction (JSON objects) must show each of
    the order's `actions` carried out: deleted, the corrected value, the sanction gone, the
    citizen's statement on the record."""
    if not isinstance(before, dict) or not before:
        raise ServiceError(
            _("Send the record as it was before the correction (a JSON object)."), field="evidence_before"
        )
    if not isinstance(after, dict) or not after:
        raise ServiceError(_("Send the record as it is after the correction (a JSON object)."), field="evidence_after")
    if len(str(before)) > MAX_EVIDENCE or len(str(after)) > MAX_EVIDENCE:
        raise ServiceError(_("The evidence is too large."), field="evidence_after")
    if Remedy.DELETE in kinds_of(actions):
        if after.get("status") != "deleted":
            raise ServiceError(
                _("The entry was ordered deleted: evidence_after.status must be 'deleted'."), field="evidence_after"
            )
        return
    for action in actions:
        if action["kind"] == Remedy.CORRECT and after.get(action["field"]) != action["new_value"]:
            raise ServiceError(
                f"evidence_after.{action['field']} must show the corrected value {action['new_value']!r}.",
                field="evidence_after",
            )
        if action["kind"] == Remedy.LIFT_SANCTION:
            remaining = after.get("sanctions")
            if not isinstance(remaining, list) or action["sanction"] in remaining:
                raise ServiceError(
                    f"evidence_after.sanctions must list the remaining sanctions, without {action['sanction']}.",
                    field="evidence_after",
                )
        if action["kind"] == Remedy.ANNOTATE and not after.get("annotation"):
            raise ServiceError(
                _("evidence_after.annotation must show the citizen's statement on the record."), field="evidence_after"
            )


def remedy_words(item: Mapping[str, Any]) -> str:
    """One remedy of a decision or an order in words, in the active language ("Lift a sanction:
    school admission", not "lift_sanction: schools"): every page and letter shows remedies this way."""
    kind = item.get("kind", "")
    if kind not in Remedy.values:
        return str(kind)
    label = str(Remedy(kind).order_label)
    if kind == Remedy.LIFT_SANCTION and item.get("sanction") in Sanction.values:
        label = f"{label}: {Sanction(item['sanction']).label}"
    elif kind == Remedy.CORRECT and item.get("field"):
        label = f"{label}: {item['field']} → {item.get('new_value')}"
    elif kind == Remedy.COMPENSATION and item.get("amount"):
        label = f"{label}: {item['amount']} {item.get('currency', '')}".rstrip()
    if item.get("detail"):
        label = f"{label} ({item['detail']})"
    return label
