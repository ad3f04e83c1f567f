from django.contrib.admin.apps import AdminConfig


class PoleAdminConfig(AdminConfig):
    """``django.contrib.admin`` with ``PoleAdminSite`` as the default ``admin.site``."""

    default_site = "pole.admin_site.PoleAdminSite"
