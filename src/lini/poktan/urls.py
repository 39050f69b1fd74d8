"""Pages of this app."""

from django.urls import path

from lini.poktan import views

app_name = "poktan"

urlpatterns = [
    path("", views.poktan_list, name="poktan_list"),
    path("desa/<str:code>/baru/", views.poktan_create, name="poktan_create"),
    path("<int:pk>/", views.poktan_detail, name="poktan_detail"),
    path("<int:pk>/ubah/", views.poktan_edit, name="poktan_edit"),
    path("<int:pk>/anggota/baru/", views.member_add, name="member_add"),
    path("<int:pk>/anggota/<int:member_pk>/keluar/", views.member_remove, name="member_remove"),
    path("<int:pk>/pertemuan/baru/", views.meeting_create, name="meeting_create"),
    path("<int:pk>/pembinaan/baru/", views.guidance_create, name="guidance_create"),
]
