from django.urls import path

from lini.visits import views, views_export, views_followthrough, views_rules

app_name = "visits"

urlpatterns = [
    path("", views.due_list_page, name="due_list"),
    path("keluarga/<int:family_id>/", views.due_family, name="due_family"),
    path("catat/", views.visit_outcome, name="visit_outcome"),
    path("unduh/", views_export.due_export, name="due_export"),
    path("tindak-lanjut/", views_followthrough.followthrough, name="followthrough"),
    path("aturan/", views_rules.rule_list, name="rule_list"),
    path("aturan/<int:pk>/", views_rules.rule_edit, name="rule_edit"),
]
