from django.urls import path, re_path

from . import views

app_name = "reports"

FISCAL_YEAR = r"(?P<label>\d{4}-\d{4})"

urlpatterns = [
    path("", views.report_list, name="list"),
    re_path(rf"^{FISCAL_YEAR}/$", views.annual_report, name="annual"),
    re_path(rf"^{FISCAL_YEAR}\.pdf$", views.annual_report_pdf, name="annual-pdf"),
    re_path(rf"^{FISCAL_YEAR}\.html$", views.annual_report_file, name="annual-html"),
    re_path(rf"^{FISCAL_YEAR}/verification/$", views.readiness, name="readiness"),
    re_path(rf"^{FISCAL_YEAR}/creer/$", views.create_report, name="create"),
    re_path(rf"^{FISCAL_YEAR}/publier/$", views.publish, name="publish"),
    re_path(rf"^{FISCAL_YEAR}/publication/$", views.publication_status, name="publication"),
    re_path(
        rf"^{FISCAL_YEAR}/versions/(?P<number>[0-9]+)\.(?P<kind>pdf|html)$", views.version_file, name="version-file"
    ),
]
