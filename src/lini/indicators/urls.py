"""Pages of the indicators."""

from django.urls import path  # noqa: F401

app_name = "indicators"

urlpatterns: list = []  # type: ignore[type-arg]
