"""The citizens' pages (included at "/"): start, people represented, filing, their cases."""

from django.urls import path

from . import data_views, filing_views, record_holders, views

urlpatterns = [
    path("", views.home, name="home"),
    path("people/add/", views.people_add, name="people-add"),
    path("people/claim/", views.claim_record, name="claim-record"),
    path("people/representation/<int:pk>/end/", views.representation_end, name="representation-end"),
    path("file/", filing_views.file_record, name="file-record"),
    path("file/records/", filing_views.file_records_partial, name="file-records"),
    path("file/details/", filing_views.file_details, name="file-details"),
    path("file/review/", filing_views.file_review, name="file-review"),
    path("cases/", views.my_cases, name="my-cases"),
    path("data/", data_views.my_data, name="my-data"),
    path("data/<int:citizen_id>/export.json", data_views.data_export_json, name="data-export-json"),
    path("data/<int:citizen_id>/export.pdf", data_views.data_export_pdf, name="data-export-pdf"),
    path("data/<int:citizen_id>/delete/", data_views.data_delete_request, name="data-delete-request"),
    path("cases/<str:reference>/", views.case_detail, name="case-detail"),
    path("cases/<str:reference>/complaint.pdf", views.case_summary_pdf, name="case-summary-pdf"),
    path("cases/<str:reference>/decision.pdf", views.case_decision_pdf, name="case-decision-pdf"),
    path("cases/<str:reference>/files/<int:pk>/", views.case_attachment, name="case-attachment"),
    path("cases/<str:reference>/record-holders/", record_holders.case_record_holders_page, name="case-record-holders"),
    path(
        "api/v1/cases/<str:reference>/record-holders/",
        record_holders.CaseRecordHolders.as_view(),
        name="api-case-record-holders",
    ),
]
