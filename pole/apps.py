from axes.apps import AppConfig as AxesConfig
from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PoleConfig(AppConfig):
    """The project's own app: the network's identity (one record), and the project-wide
    commands (backup, restore, import, export, loadtest) in ``pole/management/commands/``."""

    name = "pole"
    verbose_name = "Pôle"

    def ready(self):
        from django.db import connections
        from django.db.backends.signals import connection_created

        # Importing identity connects its cache's invalidation.
        from pole import (  # noqa: F401
            identity,
            page_cache,
            personal_fields,  # noqa: F401  (registers the base's personal fields)
        )
        from pole.collation import register_sqlite_collation

        page_cache.connect_signals()
        # French alphabetical order (pole/collation.py): SQLite learns the collation on each
        # connection, those opened before this app was ready included.
        connection_created.connect(register_sqlite_collation, dispatch_uid="pole-french-collation")
        for connection in connections.all(initialized_only=True):
            register_sqlite_collation(sender=None, connection=connection)


class LoginThrottlingConfig(AxesConfig):
    """django-axes under a French name in the admin (« Sécurité des connexions », not « AXES »)."""

    verbose_name = _("Login security")
