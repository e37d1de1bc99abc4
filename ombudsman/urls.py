from allauth.account.decorators import secure_admin_login
from csp.constants import UNSAFE_INLINE
from csp.decorators import csp_update
from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from oauth2_provider import views as oauth2_views

from agency_api.token_views import ThrottledTokenView
from ops.views import healthz

# The admin has no password-only door: its login page is allauth's (rate limits, second factor).
admin.site.login = secure_admin_login(admin.site.login)  # type: ignore[method-assign]

urlpatterns = [
    path("", include("portal.urls")),
    path("officer/", include("officer.urls")),
    path("agency/", include("agency_portal.urls")),
    path("", include("public.urls")),
    path("accounts/", include("allauth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
    path("api/v1/", include("clocks.urls")),
    path("api/v1/agency/", include("agency_api.urls")),
    # OAuth2 token endpoint for agency API clients (client credentials), and token revocation.
    path("o/token/", ThrottledTokenView.as_view(), name="oauth2-token"),
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
