from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "reports"
    verbose_name = _("Annual reports")

    def ready(self):
        from . import privacy  # noqa: F401  (registers the personal fields of the report)
