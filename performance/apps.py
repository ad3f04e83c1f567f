from django.apps import AppConfig


class PerformanceConfig(AppConfig):
    """Measures, not features: the report benchmark (``bench_report``), the load test
    (``loadtest``) and the oversell test (``oversell``), which share one server launcher."""

    name = "performance"
    verbose_name = "Performance"
