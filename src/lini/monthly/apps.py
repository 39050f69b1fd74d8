from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MonthlyConfig(AppConfig):
    name = "lini.monthly"
    label = "monthly"
    verbose_name = _("Monthly field-control inputs")

    def ready(self) -> None:
        from lini.monthly import exchange  # noqa: F401 - registers the data kind
