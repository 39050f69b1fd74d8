from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegisterConfig(AppConfig):
    name = "lini.register"
    label = "register"
    verbose_name = _("Family register")

    def ready(self) -> None:
        from lini.register import exchange  # noqa: F401 - registers the "register" data kind
