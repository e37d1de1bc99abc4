"""One remedy vocabulary (complaints.remedies.Remedy): the kinds a determination orders take the
codes a citizen asks for. `correct_field` becomes `correct`, `delete_entry` becomes `delete`; the
other codes were already the same. Determinations' remedies and orders' actions are rewritten;
the timeline keeps its events as they were written (it is append-only)."""

from django.db import migrations

RENAMED = {"correct_field": "correct", "delete_entry": "delete"}


def _rename(items, mapping):
    changed = False
    out = []
    for item in items or []:
        if isinstance(item, dict) and item.get("kind") in mapping:
            item = {**item, "kind": mapping[item["kind"]]}
            changed = True
        out.append(item)
    return out, changed


def _rewrite(apps, mapping):
    Determination = apps.get_model("tribunal", "Determination")
    CorrectionOrder = apps.get_model("tribunal", "CorrectionOrder")
    for model, field in ((Determination, "remedies"), (CorrectionOrder, "actions")):
        for row in model.objects.only("pk", field).order_by("pk").iterator():
            items, changed = _rename(getattr(row, field), mapping)
            if changed:
                model.objects.filter(pk=row.pk).update(**{field: items})


def forwards(apps, schema_editor):
    _rewrite(apps, RENAMED)


def backwards(apps, schema_editor):
    _rewrite(apps, {new: old for old, new in RENAMED.items()})


class Migration(migrations.Migration):
    dependencies = [("tribunal", "0002_order_superseded")]

    operations = [migrations.RunPython(forwards, backwards)]
