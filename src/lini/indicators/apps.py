from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IndicatorsConfig(AppConfig):
    name = "lini.indicators"
    label = "indicators"
    verbose_name = _("Indicators and targets")

    def ready(self) -> None:
        from lini.audit.services import data_changed
        from lini.indicators.services import refresh_after_change

        data_changed.connect(refresh_after_change, dispatch_uid="lini_counts_refresh")
        from lini.indicators import exchange  # noqa: F401
