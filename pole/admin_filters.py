"""Admin list filters by fiscal year, shared by the apps."""

import datetime

from django.contrib import admin
from django.db.models.functions import ExtractMonth, ExtractYear
from django.utils.translation import gettext_lazy as _

from pole.fiscal_years import FiscalYear
from pole.missing_data import checks_for


class FiscalYearFilter(admin.SimpleListFilter):
    """Filter on a ``FiscalYearField`` (``field``), newest year first."""

    title = _("fiscal year")
    parameter_name = "exercice"
    field = "fiscal_year"

    def lookups(self, request, model_admin):
        years = model_admin.get_queryset(request).order_by().values_list(self.field, flat=True).distinct()
        return [(year.label, year.label) for year in sorted({y for y in years if y}, reverse=True)]

    def fiscal_year(self):
        try:
            return FiscalYear.parse(self.value()) if self.value() else None
        except ValueError:
            return None

    def queryset(self, request, queryset):
        fiscal_year = self.fiscal_year()
        if fiscal_year is None:
            return queryset
        return queryset.filter(**{self.field: fiscal_year}).distinct()


class MembershipYearFilter(FiscalYearFilter):
    """Members holding a membership in the chosen fiscal year."""

    title = _("membership year")
    field = "memberships__fiscal_year"


class DateFiscalYearFilter(FiscalYearFilter):
    """Rows whose ``date_field`` falls in the chosen fiscal year."""

    date_field = "start_date"

    def lookups(self, request, model_admin):
        # Only the years that hold a row: distinct (year, month) pairs, folded into fiscal years.
        months = (
            model_admin.get_queryset(request)
            .annotate(_year=ExtractYear(self.date_field), _month=ExtractMonth(self.date_field))
            .order_by()
            .values_list("_year", "_month")
            .distinct()
        )
        years = {FiscalYear.containing(datetime.date(year, month, 1)) for year, month in months if year}
        return [(year.label, year.label) for year in sorted(years, reverse=True)]

    def queryset(self, request, queryset):
        fiscal_year = self.fiscal_year()
        if fiscal_year is None:
            return queryset
        return queryset.filter(**{f"{self.date_field}__range": (fiscal_year.start_date, fiscal_year.end_date)})


class MissingDataFilter(admin.SimpleListFilter):
    """Rows lacking something the annual report needs (``pole.missing_data``).

    ``?manque=territoire``; the staff dashboard links here.
    """

    title = _("missing data")
    parameter_name = "manque"

    def lookups(self, request, model_admin):
        return [(check.key, check.label) for check in checks_for(model_admin.model)]

    def queryset(self, request, queryset):
        check = next((c for c in checks_for(queryset.model) if c.key == self.value()), None)
        return queryset if check is None else queryset.filter(check.condition)
