"""Lini's URLs with the dashboard added under ``indicators:dashboard``, for the dashboard's tests
until the root ``lini/indicators/urls.py`` lists it (then this changes nothing)."""

from __future__ import annotations

from django.urls import URLResolver, include, path

from lini import urls as root
from lini.indicators import urls as indicator_urls
from lini.indicators import views_dashboard

_patterns = list(indicator_urls.urlpatterns)
if not any(getattr(p, "name", "") == "dashboard" for p in _patterns):
    _patterns.append(path("dasbor/", views_dashboard.dashboard, name="dashboard"))

urlpatterns = [
    path("indikator/", include((_patterns, "indicators")))
    if isinstance(p, URLResolver) and p.app_name == "indicators"
    else p
    for p in root.urlpatterns
]
