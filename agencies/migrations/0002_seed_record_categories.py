from django.db import migrations


def load(apps, schema_editor):  # type: ignore[no-untyped-def]
    from agencies.reference_data import load_categories

    load_categories(apps.get_model("agencies", "RecordCategory"))


class Migration(migrations.Migration):
    dependencies = [("agencies", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
