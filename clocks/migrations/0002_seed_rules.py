from django.db import migrations

# Plain data (no ORM): the rows are written through the historical model given to `load`.
from clocks.rules_data import load_rules


def load(apps, schema_editor):  # type: ignore[no-untyped-def]
    load_rules(apps.get_model("clocks", "ClockRule"))


class Migration(migrations.Migration):
    dependencies = [("clocks", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
