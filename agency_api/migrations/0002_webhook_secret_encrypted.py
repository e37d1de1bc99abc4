"""Webhook signing secrets move from plain text to the key ring (kernel.crypto): each existing
secret is encrypted under the newest key, then the plain column is dropped. Reversible."""

from django.db import migrations, models

from kernel import crypto


def encrypt_secrets(apps, schema_editor):  # type: ignore[no-untyped-def]
    WebhookEndpoint = apps.get_model("agency_api", "WebhookEndpoint")
    for endpoint in WebhookEndpoint.objects.order_by("pk").iterator(chunk_size=500):
        if endpoint.secret and not endpoint.secret_ciphertext:
            endpoint.secret_ciphertext = crypto.encrypt(endpoint.secret)
            endpoint.save(update_fields=["secret_ciphertext"])


def decrypt_secrets(apps, schema_editor):  # type: ignore[no-untyped-def]
    WebhookEndpoint = apps.get_model("agency_api", "WebhookEndpoint")
    for endpoint in WebhookEndpoint.objects.order_by("pk").iterator(chunk_size=500):
        if endpoint.secret_ciphertext:
            endpoint.secret = crypto.decrypt(endpoint.secret_ciphertext)
            endpoint.save(update_fields=["secret"])


class Migration(migrations.Migration):
    dependencies = [("agency_api", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="webhookendpoint",
            name="secret_ciphertext",
            field=models.TextField(default="", editable=False),
        ),
        migrations.RunPython(encrypt_secrets, decrypt_secrets),
        migrations.AlterField(
            model_name="webhookendpoint",
            name="secret",
            field=models.CharField(default="", editable=False, max_length=100),
        ),
        migrations.RemoveField(model_name="webhookendpoint", name="secret"),
    ]
