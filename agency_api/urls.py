"""`/api/v1/agency/`: action endpoints have no trailing slash (exactly as in the contract)."""

from django.urls import path

from . import views

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
    path("webhook", views.WebhookView.as_view(), name="webhook"),
]

# Information requests, correction orders and record reports (tribunal app; same base class).
from tribunal.api import urlpatterns as tribunal_patterns  # noqa: E402

urlpatterns += tribunal_patterns
