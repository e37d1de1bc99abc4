"""The officers' search column (Complaint.search_text), filled for the cases already filed, and on
PostgreSQL its indexes: pg_trgm GIN for substrings (Chinese included: on this database's UTF-8
locale pg_trgm makes trigrams of CJK characters) and full-text GIN (English) for words. SQLite
(the embedded default) keeps the column without those indexes; the search there is a plain
substring match on it."""

import re

from django.db import migrations, models

TRGM_INDEX = "complaint_search_trgm"
FTS_INDEX = "complaint_search_fts"


CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")


def _text(*parts):
    # A copy of complaints.models.search_text_of (a migration may not import the live model code).
    text = " ".join(" ".join(p.split()) for p in parts if p and p.strip()).lower()
    grams = []
    for run in CJK_RUN.findall(text):
        grams += [run[i : i + 2] for i in range(len(run) - 1)]
        grams.append(run[-1])
    return f"{text} | {' '.join(grams)}" if grams else text


def fill(apps, schema_editor):
    Complaint = apps.get_model("complaints", "Complaint")
    batch = []
    rows = Complaint.objects.select_related("citizen", "respondent").order_by("pk")
    for c in rows.iterator(chunk_size=2000):
        c.search_text = _text(
            c.reference,
            c.citizen.full_name,
            c.statement,
            c.other_record_description,
            c.respondent.name_en,
            c.respondent.name_zh,
        )
        batch.append(c)
        if len(batch) == 2000:
            Complaint.objects.bulk_update(batch, ["search_text"])
            batch = []
    if batch:
        Complaint.objects.bulk_update(batch, ["search_text"])


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {TRGM_INDEX} ON complaints_complaint USING gin (search_text gin_trgm_ops)"
    )
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {FTS_INDEX} ON complaints_complaint "
        "USING gin (to_tsvector('english'::regconfig, search_text))"
    )


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX IF EXISTS {TRGM_INDEX}")
    schema_editor.execute(f"DROP INDEX IF EXISTS {FTS_INDEX}")


class Migration(migrations.Migration):
    dependencies = [
        ("complaints", "0005_queue_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="complaint",
            name="search_text",
            field=models.TextField(blank=True, default="", editable=False),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.RunPython(create_indexes, drop_indexes),
    ]
