"""Key rotation: re-encrypt every registered encrypted field (kernel.crypto registry) under the
newest key of the ring, in batches, each batch its own transaction.

Resumable by construction: a value already under the newest key is skipped, so a run that stops
half way (or is run twice) simply carries on where it was. `dry_run` only counts.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.db import transaction
from django.db.models import Q

from kernel import crypto


@dataclass
class FieldReport:
    model: str
    field: str
    total: int = 0  # rows holding a value
    stale: int = 0  # of those, not under the newest key (before this run)
    rotated: int = 0  # re-encrypted by this run


def _token(value: Any, key: str | None) -> str:
    """The Fernet token in a column, or under `key` of a JSON column ("" when there is none)."""
    if key is None:
        return value or ""
    return str((value or {}).get(key) or "") if isinstance(value, dict) else ""


def keys_rotate(*, batch_size: int = 500, dry_run: bool = False) -> list[FieldReport]:
    reports = []
    for spec in crypto.encrypted_fields():
        model = apps.get_model(spec.model)
        report = FieldReport(model=spec.model, field=spec.field)
        # "data.secret": the key `secret` of the JSON column `data` (allauth's MFA secrets).
        column, _dot, key = spec.field.partition(".")
        json_key = key or None
        if json_key is None:
            has_value = ~Q(**{f"{column}__isnull": True}) & ~Q(**{column: ""})
        else:
            has_value = Q(**{f"{column}__has_key": json_key})
        rows = model._default_manager.filter(has_value)
        last_pk = None
        while True:
            page = rows.order_by("pk")
            if last_pk is not None:
                page = page.filter(pk__gt=last_pk)
            batch = [(pk, _token(v, json_key)) for pk, v in page.values_list("pk", column)[:batch_size]]
            if not batch:
                break
            last_pk = batch[-1][0]
            report.total += len(batch)
            stale = [pk for pk, token in batch if not crypto.is_current(token)]
            report.stale += len(stale)
            if dry_run or not stale:
                continue
            with transaction.atomic():
                # Lock the rows in primary-key order; re-read under the lock (a concurrent write
                # may have stored a fresh value since).
                locked = model._default_manager.select_for_update().filter(pk__in=stale).order_by("pk")
                for obj in locked:
                    value = getattr(obj, column)
                    token = _token(value, json_key)
                    if not token or crypto.is_current(token):
                        continue
                    if json_key is None:
                        setattr(obj, column, crypto.rotate(token))
                    else:
                        value[json_key] = crypto.rotate(token)
                    obj.save(update_fields=[column])
                    report.rotated += 1
        reports.append(report)
    return reports
