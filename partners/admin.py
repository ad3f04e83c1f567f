from django.contrib import admin
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from pole.admin_filters import FiscalYearFilter

from .models import Affiliation, CommitteeSeat, Organisation, Partnership


class PartnershipInline(admin.TabularInline):
    model = Partnership
    extra = 0
    fields = ["fiscal_year", "category", "amount", "order"]


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "website", "member", "has_logo", "partnership_count"]
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
class PartnershipAdmin(admin.ModelAdmin):
    list_display = ["organisation", "fiscal_year", "category", "amount", "order"]
    list_filter = [FiscalYearFilter, "category"]
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
