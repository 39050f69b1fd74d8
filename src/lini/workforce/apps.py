from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkforceConfig(AppConfig):
    name = "lini.workforce"
    label = "workforce"
    verbose_name = _("Counsellors and cadres")

    def ready(self) -> None:
        from lini.workforce import exchange  # noqa: F401 - registers the data kinds
