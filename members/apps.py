from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MembersConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "members"
    verbose_name = _("Members and governance")

    def ready(self):
        from django.db.models.signals import post_migrate, pre_delete

        from . import (
            checks,  # noqa: F401  (registers the data checks)
            missing_data,  # noqa: F401  (registers what a record may lack for the report)
            privacy,  # noqa: F401  (registers the personal fields, their retention and export)
        )
        from .invitations import close_account_of_deleted_contact
        from .models import Contact
        from .roles import sync_role_groups_after_migrate

        pre_delete.connect(close_account_of_deleted_contact, sender=Contact, dispatch_uid="members.close_account")
        # After every app's own post_migrate work (permissions included): members comes after
        # auth and contenttypes in INSTALLED_APPS, and sync_role_groups creates any permission
        # of a later app that is still missing.
        post_migrate.connect(sync_role_groups_after_migrate, sender=self, dispatch_uid="members.sync_role_groups")
