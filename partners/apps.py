from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartnersConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "partners"
    verbose_name = _("Partners")

    def ready(self):
        from . import (
            missing_data,  # noqa: F401  (registers what a record may lack for the report)
            privacy,  # noqa: F401  (declares that partners hold no personal field)
        )
