from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OdkConfig(AppConfig):
    name = "lini.odk"
    label = "odk"
    verbose_name = _("Offline forms (ODK Collect)")
