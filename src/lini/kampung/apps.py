from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KampungConfig(AppConfig):
    name = "lini.kampung"
    label = "kampung"
    verbose_name = _("Kampung KB")

    def ready(self) -> None:
        from lini.kampung import exchange  # noqa: F401 - registers the data kind
