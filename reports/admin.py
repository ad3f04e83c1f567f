from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from pole.admin_filters import FiscalYearFilter

from .models import AnnualReport, DeclaredFigure, ReportMessage, SectionIntro, Signatory


class ReportMessageInline(admin.StackedInline):
    model = ReportMessage
    extra = 0
    fields = ["kind", "heading", "title", "body", "order"]
    show_change_link = True


class SectionIntroInline(admin.StackedInline):
    model = SectionIntro
    extra = 0
    fields = ["objective", "title", "body", "photo", "photo_caption"]
    autocomplete_fields = ["objective"]


class DeclaredFigureInline(admin.TabularInline):
    model = DeclaredFigure
    extra = 0
    fields = ["figure", "value", "note"]


@admin.register(AnnualReport)
class AnnualReportAdmin(admin.ModelAdmin):
    list_display = ["__str__", "fiscal_year", "is_published", "published_at", "updated_at"]
    list_filter = ["is_published"]
    inlines = [ReportMessageInline, SectionIntroInline, DeclaredFigureInline]


class SignatoryInline(admin.TabularInline):
    model = Signatory
    extra = 0
    fields = ["name", "role", "order"]


@admin.register(ReportMessage)
class ReportMessageAdmin(admin.ModelAdmin):
    list_display = ["__str__", "kind", "title", "signatory_names"]
    list_filter = ["kind"]
    list_select_related = ["report"]
    search_fields = ["title", "body"]
    inlines = [SignatoryInline]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("signatories")

    @admin.display(description=_("signatories"))
    def signatory_names(self, message):
        return ", ".join(signatory.name for signatory in message.signatories.all())


class ReportYearFilter(FiscalYearFilter):
    field = "report__fiscal_year"


@admin.register(DeclaredFigure)
class DeclaredFigureAdmin(admin.ModelAdmin):
    list_display = ["figure", "value", "report", "note"]
    list_filter = [ReportYearFilter, "figure"]
    list_select_related = ["report"]


@admin.register(SectionIntro)
class SectionIntroAdmin(admin.ModelAdmin):
    list_display = ["objective", "report", "title"]
    list_filter = [ReportYearFilter, "objective"]
    list_select_related = ["report", "objective"]
    search_fields = ["title", "body"]
