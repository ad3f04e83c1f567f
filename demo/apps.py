from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo: the 2016-2017 annual report's content as data (``data.py``), its loader
    (``loader.py``) and the ``load_demo`` command."""

    name = "demo"
    verbose_name = "Démo"
