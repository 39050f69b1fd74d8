"""Lini's URLs. Every page requires a login (LoginRequiredMiddleware) unless marked otherwise."""

from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.i18n import set_language

urlpatterns = [
    path("", include("lini.web.urls")),
    path("akun/", include("lini.accounts.urls")),
    path("wilayah/", include("lini.regions.urls")),
    path("keluarga/", include("lini.register.urls")),
    path("data/", include("lini.exchange.urls")),
    path("petugas/", include("lini.workforce.urls")),
    path("kampung-kb/", include("lini.kampung.urls")),
    path("poktan/", include("lini.poktan.urls")),
    path("pelayanan/", include("lini.kb.urls")),
    path("laporan-bulanan/", include("lini.monthly.urls")),
    path("audit/", include("lini.audit.urls")),
    path("indikator/", include("lini.indicators.urls")),
    path("baksos/", include("lini.campaigns.urls")),
    path("odk/", include("lini.odk.urls")),
    path("api/", include("lini.api.urls")),
    path("dhis2/", include("lini.dhis2.urls")),
    path("kunjungan/", include("lini.visits.urls")),
    path("pengingat/", include("lini.reminders.urls")),
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
]
