"""django-oauth-toolkit's models in the admin, read-only (settings.OAUTH2_PROVIDER *_ADMIN_CLASS):
applications belong to agency API clients (api_client_create / api_client_revoke) and tokens to
the OAuth flows. No secret, token or code is shown."""

from __future__ import annotations

from kernel.admin import ReadOnlyModelAdmin


class ApplicationAdmin(ReadOnlyModelAdmin):
    list_display = ("pk", "name", "client_id", "client_type", "authorization_grant_type")
    search_fields = ("name", "client_id")
    exclude = ("client_secret",)


class AccessTokenAdmin(ReadOnlyModelAdmin):
    list_display = ("pk", "application", "expires", "scope")
    list_select_related = ("application",)
    search_fields = ("application__client_id", "application__name")
    exclude = ("token", "token_checksum")


class RefreshTokenAdmin(ReadOnlyModelAdmin):
    list_display = ("pk", "application", "revoked")
    search_fields = ("application__client_id", "application__name")
    exclude = ("token", "token_checksum", "token_family")


class GrantAdmin(ReadOnlyModelAdmin):
    list_display = ("pk", "application", "expires")
    exclude = ("code", "code_challenge")


class IDTokenAdmin(ReadOnlyModelAdmin):
    list_display = ("jti", "application", "expires")
