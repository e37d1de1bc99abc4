from django.db import connection
from django.http import HttpRequest, JsonResponse

from .models import Heartbeat


def healthz(request: HttpRequest) -> JsonResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    last = Heartbeat.objects.order_by("-created_at").first()
    return JsonResponse(
        {
            "status": "ok",
            "database": connection.vendor,
            "last_worker_heartbeat": last.created_at.isoformat() if last else None,
        }
    )
