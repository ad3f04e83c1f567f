from django.contrib import admin
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from pole.admin_filters import FiscalYearFilter, MissingDataFilter
from pole.fiscal_years import FiscalYear
from pole.spreadsheets.admin import SpreadsheetAdminMixin

from .models import Affiliation, CommitteeSeat, Organisation, Partnership
from .resources import PartnerResource


class PartnershipYearFilter(FiscalYearFilter):
    """Organisations with a partnership in the chosen fiscal year."""

    title = _("partnership year")
    field = "partnerships__fiscal_year"


class PartnershipCategoryFilter(admin.SimpleListFilter):
    """Organisations with a partnership in the chosen category — in the chosen year, when there is one.

    Both conditions go into one ``filter()`` call so that they hold for the same
    partnership: an official partner of 2015-2016 who is a public partner in
    2016-2017 is not an official partner of 2016-2017.
    """

    title = _("partnership category")
    parameter_name = "categorie"

    def lookups(self, request, model_admin):
        return Partnership.Category.choices

    def queryset(self, request, queryset):
        if self.value() not in Partnership.Category.values:
            return queryset
        conditions = {"partnerships__category": self.value()}
        try:
            conditions["partnerships__fiscal_year"] = FiscalYear.parse(
                request.GET[PartnershipYearFilter.parameter_name]
            )
        except (KeyError, ValueError):
            pass  # no year chosen, or an unreadable one, which the year filter ignores too
        return queryset.filter(**conditions).distinct()


class PartnershipInline(admin.TabularInline):
    model = Partnership
    extra = 0
    fields = ["fiscal_year", "category", "amount", "order"]


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "website", "member", "has_logo", "partnership_count"]
    list_filter = [PartnershipYearFilter, PartnershipCategoryFilter]
    list_select_related = ["member"]
    search_fields = ["name"]
    autocomplete_fields = ["member"]
    inlines = [PartnershipInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(partnership_count=Count("partnerships", distinct=True))

    @admin.display(description=_("logo"), boolean=True)
    def has_logo(self, organisation):
        return bool(organisation.logo)

    @admin.display(description=_("partnerships"), ordering="partnership_count")
    def partnership_count(self, organisation):
        return organisation.partnership_count


@admin.register(Partnership)
class PartnershipAdmin(SpreadsheetAdminMixin, admin.ModelAdmin):
    resource_classes = [PartnerResource]
    list_display = ["organisation", "fiscal_year", "category", "amount", "order"]
    list_filter = [FiscalYearFilter, "category", MissingDataFilter]
    list_select_related = ["organisation"]
    search_fields = ["organisation__name"]
    autocomplete_fields = ["organisation"]


@admin.register(Affiliation)
class AffiliationAdmin(admin.ModelAdmin):
    list_display = ["organisation", "fiscal_year", "order"]
    list_filter = [FiscalYearFilter]
    list_select_related = ["organisation"]
    search_fields = ["organisation__name"]
    autocomplete_fields = ["organisation"]


@admin.register(CommitteeSeat)
class CommitteeSeatAdmin(admin.ModelAdmin):
    list_display = ["name", "organisation", "fiscal_year", "order"]
    list_filter = [FiscalYearFilter]
    list_select_related = ["organisation"]
    search_fields = ["name", "organisation__name"]
    autocomplete_fields = ["organisation"]
