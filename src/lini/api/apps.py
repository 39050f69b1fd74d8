from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "lini.api"
    label = "api"
    verbose_name = _("API")

    def ready(self) -> None:
        from lini.api import schema  # noqa: F401  (drf-spectacular extensions register on import)
