from django.contrib import admin, messages
from django.db.models import Count, Prefetch
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from pole.admin_filters import DateFiscalYearFilter, FiscalYearFilter, MissingDataFilter
from pole.privacy_admin import PersonDataActionMixin
from pole.spreadsheets.admin import SpreadsheetAdminMixin

from . import registrations
from .models import Activity, Campaign, CampaignMetric, Measure, Objective, Project, ProjectYear, Registration
from .resources import ActivityResource
from .services import duplicate_activities


@admin.register(Objective)
class ObjectiveAdmin(admin.ModelAdmin):
    list_display = ["name", "order", "report_block", "activity_count"]
    list_editable = ["order"]
    search_fields = ["name"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(activity_count=Count("activities", distinct=True))

    @admin.display(description=_("activities"), ordering="activity_count")
    def activity_count(self, objective):
        return objective.activity_count


class MeasureInline(admin.TabularInline):
    model = Measure
    extra = 1
    fields = ["label", "value", "order"]


@admin.register(Activity)
class ActivityAdmin(SpreadsheetAdminMixin, admin.ModelAdmin):
    resource_classes = [ActivityResource]
    list_display = [
        "start_date",
        "title",
        "role",
        "territory",
        "participants_counted",
        "objective_names",
        "measure_count",
    ]
    list_display_links = ["start_date", "title"]
    list_filter = [DateFiscalYearFilter, "objectives", "role", "territory", MissingDataFilter]
    list_select_related = ["territory"]
    date_hierarchy = "start_date"
    # Staff look for what they entered last: the newest activities come first.
    ordering = ["-start_date", "title"]
    search_fields = ["title", "place", "description"]
    autocomplete_fields = ["territory", "objectives", "partners"]
    inlines = [MeasureInline]
    actions = ["duplicate"]
    fieldsets = [
        (None, {"fields": ["start_date", "end_date", "title", "role", "objectives"]}),
        (_("Where"), {"fields": ["territory", "place"]}),
        (_("Participation"), {"fields": ["participants_origin", "participants", "participants_label", "partners"]}),
        (_("Description and photo"), {"fields": ["description", "photo", "photo_caption"]}),
        (
            _("Registration (public calendar)"),
            {
                "fields": [
                    "registration_open",
                    "start_time",
                    "end_time",
                    "capacity",
                    "registration_deadline",
                    "member_price",
                    "non_member_price",
                    "non_members_allowed",
                    "public_description",
                    "registration_links",
                ]
            },
        ),
    ]
    readonly_fields = ["participants_origin", "registration_links"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .with_counted_participants()
            .annotate(measure_count=Count("measures", distinct=True))
            .prefetch_related("objectives")
        )

    @admin.display(description=_("participants"), ordering="counted_participants")
    def participants_counted(self, activity):
        """The figure the report counts, and where it comes from."""
        if activity.registration_count:
            return format_html("{} <small>({})</small>", activity.counted_participants, gettext("attendance"))
        return "—" if activity.participants is None else activity.participants

    @admin.display(description=_("participants counted"))
    def participants_origin(self, activity):
        if activity is None or activity.pk is None:
            return gettext("The number typed below, until the activity has registrations.")
        if activity.registration_count:
            return gettext(
                "%(count)s: the attendance (registrants marked present and walk-ins), since the activity has "
                "registrations; the number typed below is not counted."
            ) % {"count": activity.attendance}
        return gettext("The number typed below (no registration).")

    @admin.display(description=_("registrations"))
    def registration_links(self, activity):
        if activity is None or activity.pk is None:
            return "—"
        links = [
            (reverse("activities:detail", args=[activity.pk]), gettext("Public page")),
            (reverse("activities:door", args=[activity.pk]), gettext("At the door")),
            (
                f"{reverse('admin:activities_registration_changelist')}?activity__id__exact={activity.pk}",
                gettext("Registrations"),
            ),
        ]
        return format_html(" · ".join(['<a href="{}">{}</a>'] * len(links)), *[part for link in links for part in link])

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and "capacity" in form.changed_data:
            promoted = registrations.fill_free_seats(activity=obj, site_url=f"{request.scheme}://{request.get_host()}")
            if promoted:
                self.message_user(
                    request,
                    ngettext(
                        "%(count)d person of the waiting list got a seat and was e-mailed.",
                        "%(count)d persons of the waiting list got a seat and were e-mailed.",
                        len(promoted),
                    )
                    % {"count": len(promoted)},
                    messages.SUCCESS,
                )

    @admin.display(description=_("objectives"))
    def objective_names(self, activity):
        return ", ".join(objective.name for objective in activity.objectives.all())

    @admin.display(description=_("measures"), ordering="measure_count")
    def measure_count(self, activity):
        return activity.measure_count

    @admin.action(description=_("Duplicate"), permissions=["add"])
    def duplicate(self, request, queryset):
        """Copy the selected activities, then open the copies for editing."""
        copies = duplicate_activities(activities=queryset)
        self.message_user(
            request,
            ngettext(
                "%(count)d activity duplicated; edit the copy.",
                "%(count)d activities duplicated; edit the copies.",
                len(copies),
            )
            % {"count": len(copies)},
            messages.SUCCESS,
        )
        if len(copies) == 1:
            return HttpResponseRedirect(reverse("admin:activities_activity_change", args=[copies[0].pk]))
        ids = ",".join(str(copy.pk) for copy in copies)
        return HttpResponseRedirect(f"{reverse('admin:activities_activity_changelist')}?id__in={ids}")


@admin.register(Measure)
class MeasureAdmin(admin.ModelAdmin):
    list_display = ["activity", "label", "value"]
    list_select_related = ["activity"]
    search_fields = ["label", "activity__title"]
    autocomplete_fields = ["activity"]


class ProjectFirstYearFilter(FiscalYearFilter):
    title = _("first fiscal year")
    field = "first_fiscal_year"


class ProjectYearInline(admin.StackedInline):
    """The project's text for each fiscal year: a year's report prints only that year's."""

    model = ProjectYear
    extra = 0
    fields = ["fiscal_year", "body", "photo", "photo_caption"]


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = ["title", "objective", "first_fiscal_year", "last_fiscal_year", "years_with_text", "order"]
    list_filter = ["objective", ProjectFirstYearFilter]
    list_select_related = ["objective"]
    search_fields = ["title", "years__body"]
    autocomplete_fields = ["objective", "partners"]
    inlines = [ProjectYearInline]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .prefetch_related(
                Prefetch("years", ProjectYear.objects.only("project_id", "fiscal_year").order_by("fiscal_year"))
            )
        )

    @admin.display(description=_("texts of the years"))
    def years_with_text(self, project):
        return ", ".join(year.fiscal_year.label for year in project.years.all()) or "—"


class CampaignMetricInline(admin.TabularInline):
    model = CampaignMetric
    extra = 1
    fields = ["value", "label", "order"]


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = ["name", "fiscal_year", "objective", "start_date", "end_date", "official_partner", "metric_count"]
    list_filter = [FiscalYearFilter, "objective"]
    list_select_related = ["objective", "official_partner"]
    search_fields = ["name", "body"]
    autocomplete_fields = ["objective", "official_partner"]
    inlines = [CampaignMetricInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(metric_count=Count("metrics", distinct=True))

    @admin.display(description=_("metrics"), ordering="metric_count")
    def metric_count(self, campaign):
        return campaign.metric_count


@admin.register(Registration)
class RegistrationAdmin(PersonDataActionMixin, admin.ModelAdmin):
    list_display = [
        "name",
        "activity",
        "organisation_display",
        "email",
        "status",
        "present",
        "walk_in",
        "paid",
        "created_at",
    ]
    list_filter = ["status", "present", "walk_in", "paid", ("activity", admin.RelatedOnlyFieldListFilter)]
    # Payment is recorded by staff, ticked in the list as it comes in.
    list_editable = ["paid"]
    list_select_related = ["activity", "member"]
    search_fields = ["name", "email", "organisation", "member__name", "activity__title"]
    autocomplete_fields = ["activity", "member"]
    readonly_fields = ["created_at", "cancelled_at", "seat_held_until"]
    fields = [
        "activity",
        "name",
        "email",
        "member",
        "organisation",
        "phone",
        "needs",
        "status",
        "present",
        "walk_in",
        "paid",
        "created_at",
        "cancelled_at",
        "seat_held_until",
    ]
    actions = ["cancel_registrations"]

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        # « To confirm » is the state of a visitor's registration awaiting its e-mailed link: staff
        # never choose it (no link would be sent); they may confirm such a registration themselves.
        status = form.base_fields.get("status")
        if status is not None and (obj is None or obj.status != Registration.Status.PENDING):
            status.choices = [choice for choice in status.choices if choice[0] != Registration.Status.PENDING]
        return form

    @admin.display(description=_("organisation"), ordering="organisation")
    def organisation_display(self, registration):
        return registration.organisation_name or "—"

    def save_model(self, request, obj, form, change):
        from pole.text import normalize_email_identifier

        obj.email = normalize_email_identifier(obj.email)
        if change and "status" in form.changed_data and obj.status == Registration.Status.CANCELLED:
            # Through the service, so that the freed seat goes to the first person waiting.
            obj.status = form.initial["status"]
            super().save_model(request, obj, form, change)
            registrations.cancel(registration=obj, site_url=f"{request.scheme}://{request.get_host()}")
            return
        super().save_model(request, obj, form, change)

    @admin.action(description=_("Cancel (the waiting list moves up)"), permissions=["change"])
    def cancel_registrations(self, request, queryset):
        site_url = f"{request.scheme}://{request.get_host()}"
        cancelled = 0
        for registration in queryset.exclude(status=Registration.Status.CANCELLED):
            registrations.cancel(registration=registration, site_url=site_url)
            cancelled += 1
        self.message_user(
            request,
            ngettext("%(count)d registration cancelled.", "%(count)d registrations cancelled.", cancelled)
            % {"count": cancelled},
            messages.SUCCESS,
        )
