"""Pages of campaigns (baksos), under /baksos/."""

from django.urls import path

from lini.campaigns import views_plan, views_record, views_report

app_name = "campaigns"

urlpatterns = [
    path("", views_plan.campaign_list, name="campaign_list"),
    path("baru/", views_plan.campaign_create, name="campaign_create"),
    path("<int:pk>/", views_plan.campaign_detail, name="campaign_detail"),
    path("<int:pk>/ubah/", views_plan.campaign_edit, name="campaign_edit"),
    path("<int:pk>/hapus/", views_plan.campaign_delete, name="campaign_delete"),
    path("<int:pk>/usul-lokus/", views_plan.lokus_suggest, name="lokus_suggest"),
    path("<int:pk>/lokus/tambah/", views_plan.lokus_add, name="lokus_add"),
    path("<int:pk>/laporan/", views_report.campaign_report, name="campaign_report"),
    path("<int:pk>/ringkasan/", views_report.campaign_summary, name="campaign_summary"),
    path("lokus/<int:pk>/", views_plan.lokus_detail, name="lokus_detail"),
    path("lokus/<int:pk>/hapus/", views_plan.lokus_remove, name="lokus_remove"),
    path("lokus/<int:pk>/rencana/", views_plan.lokus_plan, name="lokus_plan"),
    path("lokus/<int:pk>/tim/", views_plan.team_add, name="team_add"),
    path("tim/<int:pk>/hapus/", views_plan.team_remove, name="team_remove"),
    path("lokus/<int:pk>/layanan/", views_record.service_record, name="service_record"),
    path("lokus/<int:pk>/harian/", views_record.day_log, name="day_log"),
    path("lokus/<int:pk>/foto/", views_record.photo_add, name="photo_add"),
    path("foto/<int:pk>/", views_record.photo_view, name="photo_view"),
    path("foto/<int:pk>/hapus/", views_record.photo_delete, name="photo_delete"),
]
