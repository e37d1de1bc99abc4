from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules


class ComplaintsConfig(AppConfig):
    name = "complaints"
    verbose_name = "Complaints"

    def ready(self) -> None:
        # Every app's `effects.py` registers what the lifecycle's steps do to it (complaints.lifecycle).
        autodiscover_modules("effects")
