from django.urls import path

from . import officer_views, stats_views, views

urlpatterns = [
    path("", views.home, name="home"),
    path("people/add/", views.people_add, name="people-add"),
    path("file/", views.file_record, name="file-record"),
    path("file/records/", views.file_records_partial, name="file-records"),
    path("file/details/", views.file_details, name="file-details"),
    path("file/review/", views.file_review, name="file-review"),
    path("cases/", views.my_cases, name="my-cases"),
    path("cases/<str:reference>/", views.case_detail, name="case-detail"),
    path("cases/<str:reference>/files/<int:pk>/", views.case_attachment, name="case-attachment"),
    path("officer/", officer_views.queues, name="officer-queues"),
    path("officer/file/", officer_views.officer_file, name="officer-file"),
    path("officer/cases/<str:reference>/", officer_views.officer_case, name="officer-case"),
    path("officer/cases/<str:reference>/files/<int:pk>/", officer_views.officer_attachment, name="officer-attachment"),
    path("statistics/", stats_views.statistics_page, name="statistics"),
    path("statistics.csv", stats_views.statistics_csv, name="statistics-csv"),
    path("statistics.json", stats_views.statistics_json, name="statistics-json"),
]
