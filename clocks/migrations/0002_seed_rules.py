from django.db import migrations


def load(apps, schema_editor):  # type: ignore[no-untyped-def]
    from clocks.rules_data import load_rules

    load_rules(apps.get_model("clocks", "ClockRule"))


class Migration(migrations.Migration):
    dependencies = [("clocks", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
