from django.contrib import admin, messages
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from pole.admin_filters import FiscalYearFilter

from .models import AnnualReport, DeclaredFigure, Publication, ReportMessage, ReportVersion, SectionIntro, Signatory
from .services import request_publication, unpublish_report


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


class ReportVersionInline(admin.TabularInline):
    """The published versions, frozen: staff download them; nothing is edited here."""

    model = ReportVersion
    extra = 0
    fields = ["number", "published_at", "published_by", "page_count", "files", "pdf_sha256"]
    readonly_fields = fields
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description=_("files"))
    def files(self, version):
        label = version.report.fiscal_year.label
        return format_html(
            '<a href="{}">PDF</a> · <a href="{}">HTML</a>',
            reverse("reports:version-file", args=[label, version.number, "pdf"]),
            reverse("reports:version-file", args=[label, version.number, "html"]),
        )


class DeclaredFigureInline(admin.TabularInline):
    model = DeclaredFigure
    extra = 0
    fields = ["figure", "value", "note"]


@admin.register(AnnualReport)
class AnnualReportAdmin(admin.ModelAdmin):
    list_display = ["__str__", "fiscal_year", "is_published", "published_on", "updated_on"]
    list_filter = ["is_published"]
    inlines = [ReportMessageInline, SectionIntroInline, DeclaredFigureInline, ReportVersionInline]
    actions = ["publish", "unpublish"]
    fields = [
        "fiscal_year",
        "tagline",
        "cover_photo",
        "cover_photo_credit",
        "cover_photo_description",
        "is_published",
        "published_at",
    ]
    readonly_fields = ["published_at"]

    def get_readonly_fields(self, request, obj=None):
        # Publishing is the Direction's call (permission reports.publish_annualreport).
        if self.has_publish_permission(request):
            return self.readonly_fields
        return [*self.readonly_fields, "is_published"]

    def has_publish_permission(self, request):
        return request.user.has_perm("reports.publish_annualreport")

    def save_model(self, request, obj, form, change):
        publishing = "is_published" in form.changed_data and obj.is_published
        if publishing:
            # The task publishes it once its version is made: until then it stays as it was.
            obj.is_published = False
        super().save_model(request, obj, form, change)
        if publishing:
            publication, _created = request_publication(report=obj, by=request.user)
            self._publication_outcome(request, [publication])
        elif "is_published" in form.changed_data:
            unpublish_report(report=obj)

    @admin.display(description=_("published on"), ordering="published_at")
    def published_on(self, report):
        return formats.localize(timezone.localtime(report.published_at)) if report.published_at else "—"

    @admin.display(description=_("updated"), ordering="updated_at")
    def updated_on(self, report):
        return formats.localize(timezone.localtime(report.updated_at))

    @admin.action(description=_("Publish"), permissions=["publish"])
    def publish(self, request, queryset):
        """Publish the selected reports (a task each): anyone may then read them."""
        reports = [report for report in queryset if not report.is_published]
        if not reports:
            self.message_user(request, _("The selected reports were already published."), messages.WARNING)
            return
        self._publication_outcome(
            request, [request_publication(report=report, by=request.user)[0] for report in reports]
        )

    def _publication_outcome(self, request, publications):
        """Say which publications are done (no broker: they ran before this answer), which run, which failed."""
        by_status = {}
        for publication in publications:
            publication.refresh_from_db()
            by_status.setdefault(publication.status, []).append(publication.report)
        for status, level, text in (
            (Publication.Status.DONE, messages.SUCCESS, _("Published: %(years)s.")),
            (Publication.Status.FAILED, messages.ERROR, _("Not published, the publication failed: %(years)s.")),
        ):
            if status in by_status:
                self.message_user(request, text % {"years": self._years(by_status[status])}, level)
        for status in (Publication.Status.QUEUED, Publication.Status.RUNNING):
            for report in by_status.get(status, []):
                self.message_user(
                    request,
                    format_html(
                        _('Publication of {year} in progress: <a href="{url}">follow it on the readiness page</a>.'),
                        year=report.fiscal_year.label,
                        url=reverse("reports:readiness", args=[report.fiscal_year.label]) + "#publication",
                    ),
                    messages.INFO,
                )

    @staticmethod
    def _years(reports):
        return ", ".join(report.fiscal_year.label for report in sorted(reports, key=lambda r: r.fiscal_year))

    @admin.action(description=_("Unpublish"), permissions=["publish"])
    def unpublish(self, request, queryset):
        """Withdraw the selected reports from the public; staff still see them."""
        reports = [report for report in queryset if report.is_published]
        for report in reports:
            unpublish_report(report=report)
        self._report_outcome(
            request, reports, _("No longer published: %(years)s."), _("The selected reports were not published.")
        )

    def _report_outcome(self, request, reports, done, nothing):
        if reports:
            years = ", ".join(report.fiscal_year.label for report in sorted(reports, key=lambda r: r.fiscal_year))
            self.message_user(request, done % {"years": years}, messages.SUCCESS)
        else:
            self.message_user(request, nothing, messages.WARNING)


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
