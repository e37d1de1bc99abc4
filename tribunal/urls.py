"""Public registers and the case owner's record-holders view (included at "/")."""

from django.urls import path

from .officer_views import information_document, investigation_page
from .views import (
    CaseRecordHolders,
    ConflictsRegister,
    CriteriaRegister,
    PublicDeterminationDetail,
    PublicDeterminationList,
    case_record_holders_page,
    conflicts_page,
    criteria_agency_page,
    criteria_page,
    determination_page,
    determinations_page,
    registers_index,
)

app_name = "tribunal"

urlpatterns = [
    path("registers/", registers_index, name="registers"),
    path("registers/determinations/", determinations_page, name="determinations"),
    path("registers/determinations/<str:number>/", determination_page, name="determination-detail"),
    path("registers/scoring-criteria/", criteria_page, name="criteria"),
    path("registers/scoring-criteria/<slug:slug>/", criteria_agency_page, name="criteria-agency"),
    path("registers/conflicts-of-interest/", conflicts_page, name="conflicts"),
    path("cases/<str:reference>/record-holders/", case_record_holders_page, name="case-record-holders"),
    path("officer/cases/<str:reference>/investigation/", investigation_page, name="officer-investigation"),
    path("officer/information-documents/<int:pk>/", information_document, name="officer-information-document"),
    path("api/v1/registers/determinations/", PublicDeterminationList.as_view(), name="api-determinations"),
    path(
        "api/v1/registers/determinations/<str:number>/",
        PublicDeterminationDetail.as_view(),
        name="api-determination-detail",
    ),
    path("api/v1/registers/scoring-criteria/", CriteriaRegister.as_view(), name="api-criteria"),
    path("api/v1/registers/conflicts-of-interest/", ConflictsRegister.as_view(), name="api-conflicts"),
    path("api/v1/cases/<str:reference>/record-holders/", CaseRecordHolders.as_view(), name="api-case-record-holders"),
]
