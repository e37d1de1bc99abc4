"""Public pages and their JSON, for anyone (namespace "public"): agency statistics and the public
registers (included at "/" from ombudsman/urls.py)."""

from django.urls import path

from . import register_views, statistics_views

app_name = "public"

urlpatterns = [
    path("statistics/", statistics_views.statistics_page, name="statistics"),
    path("statistics.csv", statistics_views.statistics_csv, name="statistics-csv"),
    path("statistics.json", statistics_views.statistics_json, name="statistics-json"),
    path("registers/", register_views.registers_index, name="registers"),
    path("registers/determinations/", register_views.determinations_page, name="determinations"),
    path("registers/determinations/<str:number>/", register_views.determination_page, name="determination-detail"),
    path("registers/scoring-criteria/", register_views.criteria_page, name="criteria"),
    path("registers/scoring-criteria/<slug:slug>/", register_views.criteria_agency_page, name="criteria-agency"),
    path("registers/conflicts-of-interest/", register_views.conflicts_page, name="conflicts"),
    path(
        "api/v1/registers/determinations/",
        register_views.PublicDeterminationList.as_view(),
        name="api-determinations",
    ),
    path(
        "api/v1/registers/determinations/<str:number>/",
        register_views.PublicDeterminationDetail.as_view(),
        name="api-determination-detail",
    ),
    path("api/v1/registers/scoring-criteria/", register_views.CriteriaRegister.as_view(), name="api-criteria"),
    path("api/v1/registers/conflicts-of-interest/", register_views.ConflictsRegister.as_view(), name="api-conflicts"),
]
