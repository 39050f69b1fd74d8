"""Pages of this app, under /pelayanan/."""

from django.urls import path

from lini.kb import views

app_name = "kb"

urlpatterns = [
    path("", views.service_list, name="service_list"),
    path("faskes/", views.facility_list, name="facility_list"),
    path("faskes/wilayah/<str:code>/baru/", views.facility_create, name="facility_create"),
    path("faskes/<int:pk>/", views.facility_detail, name="facility_detail"),
    path("faskes/<int:pk>/ubah/", views.facility_edit, name="facility_edit"),
    path("pasangan/<int:couple_pk>/layanan/baru/", views.service_create, name="service_create"),
    path("layanan/<int:pk>/", views.service_detail, name="service_detail"),
    path("layanan/<int:pk>/hapus/", views.service_delete, name="service_delete"),
]
