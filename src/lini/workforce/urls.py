"""Pages of the workforce: counsellors (penyuluh), cadres (kader) and who looks after a village."""

from django.urls import path

from lini.workforce import views

app_name = "workforce"

urlpatterns = [
    path("", views.counsellor_list, name="counsellor_list"),
    path("penyuluh/baru/", views.counsellor_create, name="counsellor_create"),
    path("penyuluh/<int:pk>/", views.counsellor_detail, name="counsellor_detail"),
    path("penyuluh/<int:pk>/ubah/", views.counsellor_edit, name="counsellor_edit"),
    path("penyuluh/<int:pk>/hapus/", views.counsellor_delete, name="counsellor_delete"),
    path("desa/<str:code>/", views.village_people, name="village_people"),
    path("desa/<str:code>/kader/", views.cadre_list, name="cadre_list"),
    path("desa/<str:code>/kader/baru/", views.cadre_create, name="cadre_create"),
    path("kader/<int:pk>/ubah/", views.cadre_edit, name="cadre_edit"),
    path("kader/<int:pk>/hapus/", views.cadre_delete, name="cadre_delete"),
]
