from django.apps import AppConfig


class AgencyApiConfig(AppConfig):
    name = "agency_api"
