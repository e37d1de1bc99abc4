from django.apps import AppConfig

from kernel.crypto import register_encrypted_field


class AgencyApiConfig(AppConfig):
    name = "agency_api"
    verbose_name = "Agency API"

    def ready(self) -> None:
        # Importing these modules registers the "webhook" outbox deliverer (webhooks) and the OpenAPI
        # security scheme of the agency token (auth). They import models, so they cannot be imported
        # at the top of this module, which Django loads before the app registry is ready.
        from . import auth, webhooks  # noqa: F401, PLC0415 (app registry must be ready first)

        # Webhook signing secrets are key-ring tokens: `manage.py rotate_keys` re-encrypts them.
        register_encrypted_field("agency_api.WebhookEndpoint", "secret_ciphertext")
        register_encrypted_field("agency_api.WebhookEndpoint", "previous_secret_ciphertext")
