"""The API (``/api/v1/``: the endpoints, the OpenAPI schema and its docs page) and the API token
pages (``/api/tokens/``). API endpoints answer for themselves (a missing or bad key is a 401), so
they are exempt from the login redirect of the pages (DRF's views are, the others are marked);
the docs and token pages are pages."""

from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import SimpleRouter

from django.contrib.auth.decorators import login_not_required, login_required
from django.urls import URLPattern, include, path

from lini.api import views
from lini.api.endpoints.campaigns import CampaignViewSet
from lini.api.endpoints.indicators import IndicatorView, MonthlyReportView
from lini.api.endpoints.kampung import KampungViewSet
from lini.api.endpoints.kb import ServiceViewSet
from lini.api.endpoints.poktan import MeetingViewSet, PoktanViewSet
from lini.api.endpoints.regions import RegionViewSet
from lini.api.endpoints.register import CoupleViewSet, FamilyViewSet, MemberViewSet

app_name = "api"

router = SimpleRouter()
router.register("regions", RegionViewSet, basename="region")
router.register("families", FamilyViewSet, basename="family")
router.register("members", MemberViewSet, basename="member")
router.register("couples", CoupleViewSet, basename="couple")
router.register("services", ServiceViewSet, basename="service")
router.register("poktan", PoktanViewSet, basename="poktan")
router.register("poktan-meetings", MeetingViewSet, basename="meeting")
router.register("kampung", KampungViewSet, basename="kampung")
router.register("campaigns", CampaignViewSet, basename="campaign")


def _api(patterns: list[URLPattern]) -> list[URLPattern]:
    for pattern in patterns:
        login_not_required(pattern.callback)
    return patterns


api_v1 = _api(
    [
        *router.urls,
        path("indicators/", IndicatorView.as_view(), name="indicators"),
        path("reports/monthly/", MonthlyReportView.as_view(), name="report_monthly"),
        path("schema/", SpectacularAPIView.as_view(), name="schema"),
    ]
)

urlpatterns = [
    path("v1/", include(api_v1)),
    # DRF exempts its views from the login redirect; the docs page is a page: log in first. Its
    # template has no inline script or style (the start script is a file of its own).
    path(
        "v1/docs/",
        login_required(
            SpectacularSwaggerSplitView.as_view(
                url_name="api:schema", template_name="api/swagger_ui.html"
            )
        ),
        name="docs",
    ),
    path("tokens/", views.token_list, name="token_list"),
    path("tokens/<int:pk>/revoke/", views.token_revoke, name="token_revoke"),
    path("tokens/user/<int:pk>/", views.user_tokens, name="user_tokens"),
]
