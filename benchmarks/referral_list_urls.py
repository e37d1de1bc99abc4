"""The project's URLs plus the bare Django view the benchmark compares the API against: the same
query (referred cases of one agency, status filter, newest change first, page of 25, same joins)
and the same fields, built by hand, with no authentication, throttling or serializer."""

from django.http import HttpRequest, JsonResponse
from django.urls import path

from complaints.selectors import referred_complaints
from ombudsman.urls import urlpatterns as project_urlpatterns


def bare_referrals(request: HttpRequest) -> JsonResponse:
    qs = (
        referred_complaints()
        .filter(respondent_id=int(request.GET["agency_id"]), status=request.GET.get("status", "referred"))
        .select_related("citizen", "blacklist_entry__category", "score_record")
        .order_by("-updated_at", "-id")[:25]
    )
    results = []
    for c in qs:
        record = c.blacklist_entry or c.score_record
        results.append(
            {
                "reference": c.reference,
                "url": request.build_absolute_uri(f"/api/v1/agency/referrals/{c.reference}/"),
                "status": c.status,
                "category": c.category,
                "urgent": c.urgent,
                "urgency_reason": c.urgency_reason,
                "agency_record_id": record.agency_record_id if record else "",
                "citizen": {
                    "full_name": c.citizen.full_name,
                    "national_id_masked": c.citizen.national_id_masked,
                    "national_id_hash": c.citizen.national_id_hash,
                },
                "submitted_at": c.submitted_at.isoformat(),
                "updated_at": c.updated_at.isoformat(),
            }
        )
    return JsonResponse({"next": None, "previous": None, "results": results})


urlpatterns = [path("bench/referrals-bare", bare_referrals), *project_urlpatterns]
