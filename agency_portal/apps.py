from django.apps import AppConfig


class AgencyPortalConfig(AppConfig):
    name = "agency_portal"
    verbose_name = "Agency portal"
