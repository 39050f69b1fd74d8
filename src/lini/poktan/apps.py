from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PoktanConfig(AppConfig):
    name = "lini.poktan"
    label = "poktan"
    verbose_name = _("Poktan groups")

    def ready(self) -> None:
        from lini.poktan import exchange  # noqa: F401 - registers the data kinds
