from django.urls import path

from lini.exchange import views

app_name = "exchange"

urlpatterns = [
    path("impor/", views.import_start, name="import_start"),
    path("ekspor/", views.export_start, name="export_start"),
    path("templat/<slug:kind>.<str:suffix>", views.template_download, name="template_download"),
    path("pekerjaan/<uuid:token>/", views.job_detail, name="job_detail"),
    path("pekerjaan/<uuid:token>/jalankan/", views.job_run_for_real, name="job_run_for_real"),
    path("pekerjaan/<uuid:token>/berkas/", views.job_download, name="job_download"),
]
