"""`/api/v1/agency/`: action endpoints have no trailing slash (exactly as in the contract)."""

from django.urls import path

from . import batch_views, event_views, tribunal_views, views

app_name = "agency_api"

urlpatterns = [
    path("referrals/", views.ReferralList.as_view(), name="referral-list"),
    path("referrals/<str:reference>/", views.ReferralDetail.as_view(), name="referral-detail"),
    path("referrals/<str:reference>/acknowledge", views.ReferralAcknowledge.as_view(), name="referral-acknowledge"),
    path(
        "referrals/<str:reference>/flag-disputed", views.ReferralFlagDisputed.as_view(), name="referral-flag-disputed"
    ),
    path("referrals/<str:reference>/response", views.ReferralRespond.as_view(), name="referral-response"),
    path("referrals/<str:reference>/messages", views.ReferralMessages.as_view(), name="referral-messages"),
    path("referrals/<str:reference>/attachments", views.ReferralAttachments.as_view(), name="referral-attachments"),
    path(
        "referrals/<str:reference>/attachments/<int:attachment_id>",
        views.AttachmentDownload.as_view(),
        name="attachment-download",
    ),
    path(
        "referrals/<str:reference>/provisional-decision",
        tribunal_views.ReferralProvisionalDecision.as_view(),
        name="referral-provisional-decision",
    ),
    path(
        "referrals/<str:reference>/provisional-decision/comments",
        tribunal_views.ReferralProvisionalComments.as_view(),
        name="referral-provisional-comments",
    ),
    path("referrals/<str:reference>/review", tribunal_views.ReferralReview.as_view(), name="referral-review"),
    path("responses/batch", batch_views.ResponseBatch.as_view(), name="response-batch"),
    path("webhook", views.WebhookView.as_view(), name="webhook"),
    path("webhook/test", event_views.WebhookTest.as_view(), name="webhook-test"),
    # The event feed: every webhook event meant for the agency, delivered or not.
    path("events/", event_views.EventList.as_view(), name="event-list"),
    path("events/<uuid:pk>/", event_views.EventDetail.as_view(), name="event-detail"),
    path("events/<uuid:pk>/redeliver", event_views.EventRedeliver.as_view(), name="event-redeliver"),
    # The tribunal's steps: information requests, correction orders, record reports.
    path("information-requests/", tribunal_views.InformationRequestList.as_view(), name="information-request-list"),
    path(
        "information-requests/<int:pk>/",
        tribunal_views.InformationRequestDetail.as_view(),
        name="information-request-detail",
    ),
    path(
        "information-requests/<int:pk>/answer",
        tribunal_views.InformationRequestAnswer.as_view(),
        name="information-request-answer",
    ),
    path("corrections/", tribunal_views.CorrectionOrderList.as_view(), name="correction-list"),
    path("corrections/<int:pk>/", tribunal_views.CorrectionOrderDetail.as_view(), name="correction-detail"),
    path("corrections/<int:pk>/confirm", tribunal_views.CorrectionOrderConfirm.as_view(), name="correction-confirm"),
    path("records/", tribunal_views.RecordReport.as_view(), name="record-report"),
]
