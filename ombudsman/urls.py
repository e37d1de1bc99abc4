from csp.constants import UNSAFE_INLINE
from csp.decorators import csp_update
from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, reverse_lazy
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from oauth2_provider import views as oauth2_views

from ops.views import healthz
from portal import views as portal_views

accounts_patterns = (
    [
        path("login/", auth_views.LoginView.as_view(), name="login"),
        path("logout/", auth_views.LogoutView.as_view(), name="logout"),
        path("signup/", portal_views.signup, name="signup"),
        path(
            "password-reset/",
            auth_views.PasswordResetView.as_view(
                success_url=reverse_lazy("accounts:password_reset_done"),
                email_template_name="registration/password_reset_email.txt",
                subject_template_name="registration/password_reset_subject.txt",
            ),
            name="password_reset",
        ),
        path("password-reset/sent/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
        path(
            "reset/<uidb64>/<token>/",
            auth_views.PasswordResetConfirmView.as_view(success_url=reverse_lazy("accounts:password_reset_complete")),
            name="password_reset_confirm",
        ),
        path("reset/done/", auth_views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
    ],
    "accounts",
)

urlpatterns = [
    path("", include("portal.urls")),
    path("officer/", include("officer.urls")),
    path("agency/", include("agency_portal.urls")),
    path("", include("public.urls")),
    path("accounts/", include(accounts_patterns)),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
    path("api/v1/", include("clocks.urls")),
    path("api/v1/agency/", include("agency_api.urls")),
    # OAuth2 token endpoint for agency API clients (client credentials), and token revocation.
    path("o/token/", oauth2_views.TokenView.as_view(), name="oauth2-token"),
    path("o/revoke_token/", oauth2_views.RevokeTokenView.as_view(), name="oauth2-revoke-token"),
    path("api/v1/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # Swagger UI: its init script is served from this URL (?script), not inline; its page keeps a
    # small inline <style>, so style-src allows inline styles on this page only.
    path(
        "api/v1/docs/",
        csp_update({"style-src": [UNSAFE_INLINE]})(SpectacularSwaggerSplitView.as_view(url_name="api-schema")),
        name="api-docs",
    ),
]

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

# API paths answer errors as RFC 9457 problem+json (agency_api.problems); pages as usual.
handler400 = "agency_api.problems.api_bad_request"
handler403 = "agency_api.problems.api_permission_denied"
handler404 = "agency_api.problems.api_not_found"
handler500 = "agency_api.problems.api_server_error"

admin.site.site_header = "Ombudsman case service"
admin.site.site_title = "Ombudsman"
