from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ActivitiesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "activities"
    verbose_name = _("Activities")

    def ready(self):
        from . import (
            missing_data,  # noqa: F401  (registers what a record may lack for the report)
            privacy,  # noqa: F401  (registers the personal fields, their retention and export)
        )
