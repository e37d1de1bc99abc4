from django.apps import AppConfig


class TribunalConfig(AppConfig):
    name = "tribunal"
