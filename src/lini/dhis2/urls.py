"""Pages of the DHIS2 exchange (mounted under ``dhis2/``)."""

from django.urls import path

from lini.dhis2 import views

app_name = "dhis2"

urlpatterns = [
    path("", views.export, name="export"),
    path("pemetaan/", views.mapping_list, name="mapping_list"),
    path("pemetaan/<slug:kind>/baru/", views.mapping_edit, name="mapping_create"),
    path("pemetaan/<slug:kind>/<int:pk>/ubah/", views.mapping_edit, name="mapping_edit"),
    path("pemetaan/<slug:kind>/<int:pk>/hapus/", views.mapping_delete, name="mapping_delete"),
    path("pemetaan/<slug:kind>/csv/", views.mapping_csv, name="mapping_csv"),
    path("pemetaan/<slug:kind>/impor/", views.mapping_import, name="mapping_import"),
]
