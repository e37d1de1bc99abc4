"""Key rotation: re-encrypt every registered encrypted field (kernel.crypto registry) under the
newest key of the ring, in batches, each batch its own transaction.

Resumable by construction: a value already under the newest key is skipped, so a run that stops
half way (or is run twice) simply carries on where it was. `dry_run` only counts.
"""

from __future__ import annotations

from dataclasses import dataclass

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


def keys_rotate(*, batch_size: int = 500, dry_run: bool = False) -> list[FieldReport]:
    reports = []
    for spec in crypto.encrypted_fields():
        model = apps.get_model(spec.model)
        report = FieldReport(model=spec.model, field=spec.field)
        has_value = ~Q(**{f"{spec.field}__isnull": True}) & ~Q(**{spec.field: ""})
        rows = model._default_manager.filter(has_value)
        last_pk = None
        while True:
            page = rows.order_by("pk")
            if last_pk is not None:
                page = page.filter(pk__gt=last_pk)
            batch = list(page.values_list("pk", spec.field)[:batch_size])
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
                    token = getattr(obj, spec.field)
                    if not token or crypto.is_current(token):
                        continue
                    setattr(obj, spec.field, crypto.rotate(token))
                    obj.save(update_fields=[spec.field])
                    report.rotated += 1
        reports.append(report)
    return reports
