from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VisitsConfig(AppConfig):
    name = "lini.visits"
    label = "visits"
    verbose_name = _("Due lists and home visits")
