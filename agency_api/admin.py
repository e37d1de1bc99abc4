"""Agency API clients and webhook endpoints: read-only here for everyone (kernel.admin). Senior
officers may create and revoke clients and rotate a webhook secret, each through its service and
recorded in the admin log; the client secret and a new webhook secret are shown once, in the
confirmation message. Agencies change their webhook URL through the API."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone

from kernel.admin import ReadOnlyModelAdmin, is_senior

from .models import ApiClient, IdempotencyRecord, WebhookEndpoint
from .services import api_client_create, api_client_revoke, webhook_endpoint_set


class ApiClientForm(forms.ModelForm):
    class Meta:
        model = ApiClient
        fields = ("agency", "name")


@admin.register(ApiClient)
class ApiClientAdmin(ReadOnlyModelAdmin):
    form = ApiClientForm
    list_display = ("name", "agency", "client_id", "created_at", "revoked_at")
    list_filter = ("agency", ("revoked_at", admin.EmptyFieldListFilter))
    search_fields = ("name", "agency__name_en", "application__client_id")
    actions = ("revoke_clients",)

    @admin.display(description="client id")
    def client_id(self, obj: ApiClient) -> str:
        return obj.application.client_id

    def get_queryset(self, request: HttpRequest) -> QuerySet[ApiClient]:
        return super().get_queryset(request).select_related("agency", "application")

    def get_readonly_fields(self, request: HttpRequest, obj: ApiClient | None = None) -> Any:
        if obj is None:
            return ()
        return ("agency", "name", "client_id", "created_at", "created_by", "revoked_at", "revoked_reason")

    def get_fields(self, request: HttpRequest, obj: ApiClient | None = None) -> Any:
        if obj is None:
            return ("agency", "name")
        return self.get_readonly_fields(request, obj)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_senior(request)  # through api_client_create (save_model)

    def get_actions(self, request: HttpRequest) -> Any:
        return super().get_actions(request) if is_senior(request) else {}

    def save_model(self, request: HttpRequest, obj: ApiClient, form: Any, change: bool) -> None:
        if change or not is_senior(request):
            return  # clients are immutable; revoke and create a new one instead
        client, secret = api_client_create(
            agency=obj.agency,
            name=obj.name,
            now=timezone.now(),
            created_by=request.user,  # type: ignore[arg-type]
        )
        obj.pk = client.pk
        obj.application = client.application
        obj.created_at = client.created_at
        messages.warning(
            request,
            f"Client id: {client.application.client_id} — client secret: {secret} — copy it now; it is stored "
            "hashed and will not be shown again.",
        )

    @admin.action(description="Revoke the selected clients (tokens stop working at once)")
    def revoke_clients(self, request: HttpRequest, queryset: QuerySet[ApiClient]) -> None:
        now = timezone.now()
        if not is_senior(request):
            return
        for client in queryset:
            api_client_revoke(client_id=client.pk, now=now, reason=f"revoked in admin by {request.user}")
            self.log_change(request, client, "Revoked (api_client_revoke).")
        messages.success(request, f"Revoked {queryset.count()} client(s).")


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(ReadOnlyModelAdmin):
    list_display = ("agency", "url", "active", "disabled_at", "disabled_reason", "updated_at")
    list_filter = ("active",)
    fields = ("agency", "url", "active", "disabled_at", "disabled_reason", "created_at", "updated_at")
    actions = ("rotate_secret",)

    def get_actions(self, request: HttpRequest) -> Any:
        return super().get_actions(request) if is_senior(request) else {}

    @admin.action(description="Rotate the signing secret (shown once)")
    def rotate_secret(self, request: HttpRequest, queryset: QuerySet[WebhookEndpoint]) -> None:
        if not is_senior(request):
            return
        for endpoint in queryset:
            _e, secret, _c = webhook_endpoint_set(
                agency=endpoint.agency, url=endpoint.url, now=timezone.now(), rotate_secret=True
            )
            self.log_change(request, endpoint, "Signing secret rotated (webhook_endpoint_set).")
            messages.warning(request, f"{endpoint.agency.slug}: new signing secret {secret} (not shown again)")


@admin.register(IdempotencyRecord)
class IdempotencyRecordAdmin(ReadOnlyModelAdmin):
    list_display = ("client", "key", "response_status", "completed", "created_at")
    readonly_fields = (
        "client",
        "key",
        "fingerprint",
        "completed",
        "response_status",
        "response_body",
        "response_headers",
        "created_at",
    )
