"""Pages of the indicators."""

from django.urls import path

from lini.indicators import views

app_name = "indicators"

urlpatterns = [
    path("", views.indicator_list, name="indicator_list"),
    path("target/", views.target_edit, name="target_edit"),
    path("katalog/", views.indicator_catalog, name="indicator_catalog"),
    path("katalog/baru/", views.indicator_edit, name="indicator_create"),
    path("katalog/<slug:code>/ubah/", views.indicator_edit, name="indicator_edit"),
]
