from django.apps import AppConfig


class OfficerConfig(AppConfig):
    name = "officer"
    verbose_name = "Officer pages"
