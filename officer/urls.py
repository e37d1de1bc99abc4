"""The officer pages, under /officer/ (included from ombudsman/urls.py). Every view here is behind
the one officer gate (officer.gate.officer_required)."""

from django.urls import path

from . import agency_views, claim_views, deletion_views, investigation_views, representation_views, views

urlpatterns = [
    path("", views.queues, name="officer-queues"),
    path("file/", views.officer_file, name="officer-file"),
    path("signatures/", views.signatures, name="officer-signatures"),
    path("claims/", claim_views.claim_tasks, name="officer-claims"),
    path("claims/code/<int:citizen_id>/", claim_views.claim_code_new, name="officer-claim-code"),
    path("claims/<int:match_id>/done/", claim_views.claim_task_done, name="officer-claim-done"),
    path("representation/", representation_views.representation_queue, name="officer-representation-queue"),
    path("representation/<int:pk>/", representation_views.representation_decide, name="officer-representation"),
    path(
        "representation/<int:pk>/proof/", representation_views.representation_proof, name="officer-representation-proof"
    ),
    path("deletion-requests/", deletion_views.deletion_requests, name="officer-deletion-requests"),
    path("deletion-requests/<int:pk>/", deletion_views.deletion_request, name="officer-deletion-request"),
    path("agency-staff/invite/", agency_views.agency_invite, name="officer-agency-invite"),
    path("cases/<str:reference>/", views.officer_case, name="officer-case"),
    path("cases/<str:reference>/files/<int:pk>/", views.officer_attachment, name="officer-attachment"),
    path("cases/<str:reference>/access-log.csv", views.officer_access_log, name="officer-access-log"),
    path("cases/<str:reference>/investigation/", investigation_views.investigation_page, name="officer-investigation"),
    path(
        "information-documents/<int:pk>/",
        investigation_views.information_document,
        name="officer-information-document",
    ),
]
