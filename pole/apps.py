from axes.apps import AppConfig as AxesConfig
from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PoleConfig(AppConfig):
    """The project's own app: the network's identity (one record), and the project-wide
    commands (backup, restore, import, export, loadtest) in ``pole/management/commands/``."""

    name = "pole"
    verbose_name = "Pôle"

    def ready(self):
        # Importing identity connects its cache's invalidation.
        from pole import identity, page_cache  # noqa: F401

        page_cache.connect_signals()


class LoginThrottlingConfig(AxesConfig):
    """django-axes under a French name in the admin (« Sécurité des connexions », not « AXES »)."""

    verbose_name = _("Login security")
