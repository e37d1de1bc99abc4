"""The agency portal, under /agency/ (included from ombudsman/urls.py). Every view is behind the
one agency gate (agency_portal.gate) but the invitation link, which creates the account."""

from django.urls import path

from . import invitation_views, views

app_name = "agency_portal"

urlpatterns = [
    path("", views.worklist, name="worklist"),
    path("export/<str:what>.<str:fmt>", views.export, name="export"),
    path("referrals/<str:reference>/", views.referral, name="referral"),
    path("referrals/<str:reference>/files/<int:pk>/", views.referral_file, name="referral-file"),
    path("information-requests/<int:pk>/", views.information_request, name="information-request"),
    path("correction-orders/<int:pk>/", views.correction_order, name="correction-order"),
    path("team/", views.team, name="team"),
    # Open before sign-in (it creates the account); answers only to a valid token.
    path("invitations/<str:token>/", invitation_views.invitation, name="invitation"),
]
