from django.urls import path

from . import views

app_name = "clocks"

urlpatterns = [
    path("clock-rules/", views.ClockRuleList.as_view(), name="rule-list"),
    path("clock-rules/<slug:code>/", views.ClockRuleDetail.as_view(), name="rule-detail"),
    path("clock-rules/<slug:code>/due-date", views.ClockRuleDueDate.as_view(), name="rule-due-date"),
]
