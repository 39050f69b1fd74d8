from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KBConfig(AppConfig):
    name = "lini.kb"
    label = "kb"
    verbose_name = _("KB services and facilities")

    def ready(self) -> None:
        from lini.kb import exchange  # noqa: F401 - registers the data kinds
