"""The outbox stops depending on complaints: `OutboxMessage.complaint` (a foreign key) becomes the
plain indexed integer `complaint_id`, in the same column with the same index. Only the foreign-key
constraint is dropped in the database; the rows are kept as they are."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("outbox", "0001_initial"),
        ("complaints", "0001_initial"),
    ]

    operations = [
        # 1. Drop the constraint (the column and its index stay).
        migrations.AlterField(
            model_name="outboxmessage",
            name="complaint",
            field=models.ForeignKey(
                blank=True,
                null=True,
                db_constraint=False,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="outbox_messages",
                to="complaints.complaint",
            ),
        ),
        # 2. In the model state, the relation becomes the integer field over the same column.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(model_name="outboxmessage", name="complaint"),
                migrations.AddField(
                    model_name="outboxmessage",
                    name="complaint_id",
                    field=models.BigIntegerField(blank=True, db_index=True, null=True),
                ),
            ],
            database_operations=[],
        ),
    ]
