from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TriageConfig(AppConfig):
    name = "triage"
    verbose_name = _("Calf-pain content")
    default_auto_field = "django.db.models.BigAutoField"
