"""The project's admin site: Django's, with the staff dashboard on its index page."""

from django.contrib import admin

from pole.fiscal_years import FiscalYear
from reports.dashboard import staff_dashboard
from reports.services import fiscal_years_with_data


class PoleAdminSite(admin.AdminSite):
    site_header = "Pôle"
    site_title = "Pôle"

    def index(self, request, extra_context=None):
        # The index view already requires an active staff user.
        current = FiscalYear.current()
        years = sorted({year for year in fiscal_years_with_data() if year <= current} | {current}, reverse=True)
        try:
            chosen = FiscalYear.parse(request.GET.get("exercice") or current)
        except ValueError:
            chosen = current
        dashboard = staff_dashboard(user=request.user, fiscal_year=chosen if chosen in years else current)
        dashboard["year_choices"] = years
        extra_context = {"dashboard": dashboard, **(extra_context or {})}
        return super().index(request, extra_context)
