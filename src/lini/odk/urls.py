"""The OpenRosa server under /odk/ (the paths ODK Collect appends to the server address) and the
review queue pages."""

from django.urls import path

from lini.odk import views

app_name = "odk"

urlpatterns = [
    path("formList", views.form_list, name="form_list"),
    path("forms/<slug:form_id>.xml", views.form_download, name="form_download"),
    path("forms/<slug:form_id>/manifest", views.form_manifest, name="form_manifest"),
    path("forms/<slug:form_id>/media/<str:filename>", views.media_download, name="media_download"),
    path("submission", views.submission, name="submission"),
    path("tinjauan/", views.review_list, name="review_list"),
    path("tinjauan/<int:pk>/", views.review_detail, name="review_detail"),
    path("tinjauan/<int:pk>/tolak/", views.review_reject, name="review_reject"),
]
