from django.urls import path

from lini.regions import views

app_name = "regions"

urlpatterns = [
    path("", views.region_index, name="region_index"),
    path("cari/", views.region_search, name="region_search"),
    path("<str:code>/", views.region_detail, name="region_detail"),
    path("<str:code>/unit/", views.subunit_create, name="subunit_create"),
    path("<str:code>/ubah/", views.subunit_edit, name="subunit_edit"),
    path("<str:code>/hapus/", views.subunit_delete, name="subunit_delete"),
]
