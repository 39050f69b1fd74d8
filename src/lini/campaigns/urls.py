"""Pages of campaigns (baksos), under /baksos/."""

from django.urls import path

from lini.campaigns import views

app_name = "campaigns"

urlpatterns = [
    path("", views.campaign_list, name="campaign_list"),
    path("baru/", views.campaign_create, name="campaign_create"),
    path("<int:pk>/", views.campaign_detail, name="campaign_detail"),
    path("<int:pk>/ubah/", views.campaign_edit, name="campaign_edit"),
    path("<int:pk>/hapus/", views.campaign_delete, name="campaign_delete"),
    path("<int:pk>/usul-lokus/", views.lokus_suggest, name="lokus_suggest"),
    path("<int:pk>/lokus/tambah/", views.lokus_add, name="lokus_add"),
    path("<int:pk>/laporan/", views.campaign_report, name="campaign_report"),
    path("<int:pk>/ringkasan/", views.campaign_summary, name="campaign_summary"),
    path("lokus/<int:pk>/", views.lokus_detail, name="lokus_detail"),
    path("lokus/<int:pk>/hapus/", views.lokus_remove, name="lokus_remove"),
    path("lokus/<int:pk>/rencana/", views.lokus_plan, name="lokus_plan"),
    path("lokus/<int:pk>/tim/", views.team_add, name="team_add"),
    path("tim/<int:pk>/hapus/", views.team_remove, name="team_remove"),
    path("lokus/<int:pk>/layanan/", views.service_record, name="service_record"),
    path("lokus/<int:pk>/harian/", views.day_log, name="day_log"),
    path("lokus/<int:pk>/foto/", views.photo_add, name="photo_add"),
    path("foto/<int:pk>/", views.photo_view, name="photo_view"),
    path("foto/<int:pk>/hapus/", views.photo_delete, name="photo_delete"),
]
