"""The home page: who the user is and the regions they work in."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from lini.accounts import scope
from lini.regions.models import Region
from lini.regions.selectors import region_ancestors


def home(request: HttpRequest) -> HttpResponse:
    user_scope = scope.user_scope(request.user)
    regions = list(Region.objects.filter(code__in=user_scope.codes).order_by("code"))
    assigned = [{"region": r, "ancestors": region_ancestors(region=r)} for r in regions]
    return render(
        request,
        "web/home.html",
        {"assigned": assigned, "national": user_scope.national},
    )
