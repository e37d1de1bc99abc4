from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from agencies.models import Agency


def home(request: HttpRequest) -> HttpResponse:
    agencies = Agency.objects.filter(active=True).only("name_en", "name_zh", "kind", "slug")
    return render(request, "portal/home.html", {"agencies": agencies})
