"""Pages of this app."""

from django.urls import path

from lini.kampung import views

app_name = "kampung"

urlpatterns = [
    path("", views.kampung_list, name="kampung_list"),
    path("desa/<str:code>/baru/", views.kampung_create, name="kampung_create"),
    path("<int:pk>/", views.kampung_detail, name="kampung_detail"),
    path("<int:pk>/ubah/", views.kampung_edit, name="kampung_edit"),
]
