from django.apps import AppConfig


class AgencyApiConfig(AppConfig):
    name = "agency_api"
    verbose_name = "Agency API"

    def ready(self) -> None:
        # Register the "webhook" outbox deliverer and the OpenAPI auth extension at startup.
        from . import base, webhooks  # noqa: F401
