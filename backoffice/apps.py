from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class BackOfficeConfig(AppConfig):
    """The back office: the admin site, the staff dashboard and the site's home page.

    It stands above the apps and may import every one of them; no app imports it.
    """

    name = "backoffice"
    verbose_name = "Pôle"


class PoleAdminConfig(admin_apps.AdminConfig):
    """``django.contrib.admin`` with ``PoleAdminSite`` as the default ``admin.site``."""

    default = False  # AdminConfig's own is True; this module's default is BackOfficeConfig
    default_site = "backoffice.admin_site.PoleAdminSite"
