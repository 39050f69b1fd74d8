"""Pages of the indicators."""

from django.urls import path

from lini.indicators import views, views_dashboard, views_rank, views_report

app_name = "indicators"

urlpatterns = [
    path("", views.indicator_list, name="indicator_list"),
    path("target/", views.target_edit, name="target_edit"),
    path("katalog/", views.indicator_catalog, name="indicator_catalog"),
    path("katalog/baru/", views.indicator_edit, name="indicator_create"),
    path("katalog/<slug:code>/ubah/", views.indicator_edit, name="indicator_edit"),
    path("laporan/", views_report.report_monthly, name="report_monthly"),
    path("peringkat/", views_rank.rank_list, name="rank_list"),
    path("dasbor/", views_dashboard.dashboard, name="dashboard"),
]
