from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MembersConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "members"
    verbose_name = _("Members and governance")

    def ready(self):
        from django.db.models.signals import pre_delete

        from . import (
            checks,  # noqa: F401  (registers the data checks)
            missing_data,  # noqa: F401  (registers what a record may lack for the report)
        )
        from .invitations import close_account_of_deleted_contact
        from .models import Contact

        pre_delete.connect(close_account_of_deleted_contact, sender=Contact, dispatch_uid="members.close_account")
