"""Pages of the reminders (mounted at /pengingat/)."""

from django.urls import path

from lini.reminders import views

app_name = "reminders"

urlpatterns = [
    path("", views.outbox, name="outbox"),
    path("keluarga/<int:family_id>/", views.family_consent, name="family_consent"),
    path(
        "keluarga/<int:family_id>/tarik/<int:consent_id>/",
        views.consent_withdraw,
        name="consent_withdraw",
    ),
]
