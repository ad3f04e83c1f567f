from django import forms
from django.contrib import admin, messages
from django.forms import inlineformset_factory
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from pole.admin_filters import FiscalYearFilter

from .models import AnnualReport, DeclaredFigure, Publication, ReportMessage, ReportVersion, SectionIntro, Signatory
from .services import request_publication, unpublish_report


class LabelledSignatoryFormSet(forms.BaseInlineFormSet):
    """A message's signatories; each input carries its column's name as ``aria-label`` (a table's
    header labels no input for a screen reader)."""

    def add_fields(self, form, index):
        super().add_fields(form, index)
        for name, field in form.fields.items():
            if not field.widget.is_hidden:
                field.widget.attrs.setdefault("aria-label", str(field.label or name))


SignatoryFormSet = inlineformset_factory(
    ReportMessage,
    Signatory,
    formset=LabelledSignatoryFormSet,
    fields=["name", "role", "order"],
    extra=2,
    can_delete=True,
)


class ReportMessageForm(forms.ModelForm):
    """A message of the report with its signatories, edited together on the report's page.

    Django's inlines do not nest: each message form carries the formset of its signatories
    (``signatories``, prefixed by the message form's own prefix, so the admin's « add another »
    clones it with the message), validated and saved with the message.
    """

    class Meta:
        model = ReportMessage
        fields = ["kind", "heading", "title", "body", "order"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        prefix = f"{self.prefix}-signatories"
        # A post without the signatories' part (a page of an earlier release, a script) leaves them as they are.
        sent = self.is_bound and f"{prefix}-TOTAL_FORMS" in self.data
        self.signatories = SignatoryFormSet(data=self.data if sent else None, instance=self.instance, prefix=prefix)

    def has_changed(self):
        return super().has_changed() or self.signatories.has_changed()

    def full_clean(self):
        super().full_clean()
        if not self.is_bound or (self.empty_permitted and not self.has_changed()):
            return
        if self.signatories.is_bound and not self.signatories.is_valid():
            self.add_error(None, _("Check the signatories of this message below."))

    def save(self, commit=True):
        message = super().save(commit=commit)
        if commit and self.signatories.is_bound:
            self.signatories.instance = message
            self.signatories.save()
        return message


class ReportMessageInline(admin.StackedInline):
    """The report's messages, each with its signatories (the name and role printed under it)."""

    model = ReportMessage
    form = ReportMessageForm
    extra = 0
    fields = ["kind", "heading", "title", "body", "order"]
    show_change_link = True
    template = "admin/reports/annualreport/message_inline.html"


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


def published_message(version):
    """« Version 2 of the 2016-2017 report is published… », with where to check it."""
    year = version.report.fiscal_year.label
    return format_html(
        '{} <a href="{}">{}</a>',
        _("Version %(number)s of the %(year)s report is published: the public pages now serve it.")
        % {"number": version.number, "year": year},
        reverse("reports:readiness", args=[year]),
        _("See it on the readiness check"),
    )


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
        # Done (at once without workers): each new version named, with where to check it.
        for publication in sorted(publications, key=lambda p: p.report.fiscal_year):
            if publication.status == Publication.Status.DONE:
                self.message_user(request, published_message(publication.version), messages.SUCCESS)
        if Publication.Status.FAILED in by_status:
            self.message_user(
                request,
                _("Not published, the publication failed: %(years)s.")
                % {"years": self._years(by_status[Publication.Status.FAILED])},
                messages.ERROR,
            )
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
