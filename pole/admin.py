"""The base's admin: the network's identity (one record, added once, never deleted), the outbox,
and the records of personal information (consents, unsubscriptions, requests, incidents, exports)."""

from email.header import decode_header, make_header

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from pole.models import (
    ConfidentialityIncident,
    ConsentRecord,
    NetworkIdentity,
    OutboxMessage,
    PersonalDataAccess,
    PrivacyRequest,
    Unsubscription,
)
from pole.outbox import send_again
from pole.spreadsheets.writers import spreadsheet_response


@admin.register(NetworkIdentity)
class NetworkIdentityAdmin(admin.ModelAdmin):
    fieldsets = (
        (None, {"fields": ("name", "short_name", "tagline", "logo")}),
        (_("Contact details"), {"fields": ("address", "phone", "email", "website")}),
        (
            _("Person in charge of personal information"),
            {
                "fields": ("privacy_officer_name", "privacy_officer_title", "privacy_officer_email", "privacy_officer_phone"),
                "description": _("Published on the privacy page. By law, the director, unless the duty is delegated in writing."),
            },
        ),
        (_("Colours and thanks"), {"fields": ("primary_colour", "accent_colour", "thanks")}),
    )

    list_display = ["name", "short_name", "primary_colour", "accent_colour"]

    def has_add_permission(self, request):
        # One record: once it exists, it is changed, never added again.
        return super().has_add_permission(request) and not NetworkIdentity.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name in ("primary_colour", "accent_colour") and field is not None:
            # The browser's colour picker: it always gives #rrggbb.
            field.widget.input_type = "color"
            field.widget.attrs.pop("maxlength", None)
        return field


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    """The outbox: every e-mail the app sends, its status and attempts; staff send failed ones again.

    Read-only: a message is written by the action that causes it. A message carrying a personal
    link (invitation, password reset) never shows its body here.
    """

    list_display = ["created_at", "recipients", "subject", "status", "attempts"]
    list_filter = ["status"]
    search_fields = ["recipients", "subject"]
    date_hierarchy = "created_at"
    actions = ["send_again"]
    fields = [
        "kind",
        "sender_display",
        "recipients",
        "subject",
        "message",
        "attachment_names",
        "status_label",
        "attempts",
        "last_error",
        "created_at",
        "last_attempt_at",
        "next_attempt_at",
        "sent_at",
        "message_id",
    ]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_resend_permission(self, request):
        return request.user.has_perm("pole.resend_outboxmessage")

    @admin.display(description=_("status"), ordering="status")
    def status_label(self, message):
        label = message.get_status_display()
        if message.status == OutboxMessage.Status.PENDING and message.attempts:
            return _("%(status)s (next attempt %(when)s)") % {
                "status": label,
                "when": formats.localize(timezone.localtime(message.next_attempt_at)),
            }
        return label

    @admin.display(description=_("from"))
    def sender_display(self, message):
        # An encoded display name (« =?utf-8?b?UMO0bGU=?= ») as a person reads it.
        return str(make_header(decode_header(message.sender)))

    @admin.display(description=_("message"))
    def message(self, message):
        if message.sensitive:
            return _("Not shown: the message carries a personal link (it is erased once sent).")
        return message.body

    @admin.display(description=_("attachments"))
    def attachment_names(self, message):
        return ", ".join(attachment["filename"] for attachment in message.attachments) or "—"

    @admin.action(description=_("Send again"), permissions=["resend"])
    def send_again(self, request, queryset):
        """Queue the selected failed or pending e-mails for an attempt now; sent ones are left alone."""
        selected = list(queryset)
        queued = send_again(selected)
        skipped = len(selected) - len(queued)
        if queued:
            self.message_user(
                request,
                ngettext(
                    "%(count)d e-mail will be sent again now; its status follows here.",
                    "%(count)d e-mails will be sent again now; their status follows here.",
                    len(queued),
                )
                % {"count": len(queued)},
                messages.SUCCESS,
            )
        if skipped:
            self.message_user(
                request,
                ngettext(
                    "%(count)d e-mail was left alone: it is sent or being sent.",
                    "%(count)d e-mails were left alone: they are sent or being sent.",
                    skipped,
                )
                % {"count": skipped},
                messages.WARNING,
            )


# --- Personal information ----------------------------------------------------------------------


@admin.register(ConsentRecord)
class ConsentRecordAdmin(admin.ModelAdmin):
    """Consents as given: never changed, only withdrawn (a new consent is a new row)."""

    list_display = ["given_at", "purpose", "name", "email", "subject", "given_how", "withdrawn_at"]
    list_filter = ["purpose", "given_how", ("withdrawn_at", admin.EmptyFieldListFilter)]
    search_fields = ["name", "email", "subject"]
    date_hierarchy = "given_at"
    readonly_fields = ["recorded_by"]
    actions = ["withdraw"]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return self.readonly_fields
        # The wording shown and the moment it was given are the proof: they never change.
        return [*self.readonly_fields, "email", "name", "purpose", "subject", "wording", "given_at", "given_how"]

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        if not change:
            obj.recorded_by = request.user
        super().save_model(request, obj, form, change)

    @admin.action(description=_("Record the withdrawal of the selected consents"), permissions=["change"])
    def withdraw(self, request, queryset):
        count = queryset.filter(withdrawn_at__isnull=True).update(
            withdrawn_at=timezone.now(), withdrawn_how=ConsentRecord.Channel.STAFF
        )
        self.message_user(request, ngettext("%(count)d consent withdrawn.", "%(count)d consents withdrawn.", count) % {"count": count})


@admin.register(Unsubscription)
class UnsubscriptionAdmin(admin.ModelAdmin):
    list_display = ["created_at", "email", "kind", "how"]
    list_filter = ["kind"]
    search_fields = ["email"]
    readonly_fields = ["how"]

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(PrivacyRequest)
class PrivacyRequestAdmin(admin.ModelAdmin):
    """The register of requests: access, rectification, portability, withdrawal; answered within 30 days."""

    list_display = ["received_on", "kind", "name", "email", "due_on", "status", "late", "answered_on"]
    list_filter = ["status", "kind"]
    search_fields = ["name", "email"]
    date_hierarchy = "received_on"
    readonly_fields = ["due_on", "person_data_links"]
    actions = ["erase"]
    fields = [
        "kind",
        "name",
        "email",
        "received_on",
        "due_on",
        "person_data_links",
        "details",
        "status",
        "answer",
        "answered_on",
        "handled_by",
    ]

    @admin.display(description=_("late"), boolean=True)
    def late(self, obj):
        return obj.overdue

    @admin.display(description=_("The person's data"))
    def person_data_links(self, obj):
        from django.urls import reverse
        from django.utils.html import format_html

        if obj is None or not obj.pk:
            return "—"
        url = reverse("admin:pole_person_data", query={"email": obj.email})
        return format_html('<a href="{}">{}</a>', url, _("See and download everything the app holds about this person"))

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Erase the person's data (irreversible)"), permissions=["change"])
    def erase(self, request, queryset):
        """Carry out the selected erasure requests: the person anonymised, no figure changed (pole.privacy.erase_person)."""
        from django.db import transaction

        from pole.privacy import erase_person

        requests = list(queryset.filter(kind=PrivacyRequest.Kind.ERASURE))
        if len(requests) != queryset.count() or not requests:
            self.message_user(request, _("Select erasure requests only: nothing was erased."), messages.ERROR)
            return
        now = timezone.now()
        with transaction.atomic():
            for privacy_request in requests:
                erase_person(privacy_request.email, now=now)
                privacy_request.status = PrivacyRequest.Status.ANSWERED
                privacy_request.answered_on = timezone.localdate(now)
                privacy_request.handled_by = request.user
                privacy_request.save()
        self.message_user(
            request,
            ngettext(
                "%(count)d person's data erased; the request is answered.",
                "%(count)d people's data erased; the requests are answered.",
                len(requests),
            )
            % {"count": len(requests)},
        )

    def get_urls(self):
        from django.urls import path

        return [
            path("personne/", self.admin_site.admin_view(self.person_data_view), name="pole_person_data"),
            *super().get_urls(),
        ]

    def person_data_view(self, request):
        """Everything the app holds about the person with an e-mail: on the page, as JSON, as an HTML file.

        For whoever may see the requests' register. Every look and download is logged
        (``PersonalDataAccess``).
        """
        from django.core.exceptions import PermissionDenied
        from django.core.validators import validate_email
        from django.shortcuts import render

        from pole.privacy import collect_person_data, person_data_response, record_export, titled_sections

        if not self.has_view_permission(request):
            raise PermissionDenied
        email = request.GET.get("email", "").strip()
        file_format = request.GET.get("format", "")
        context = {**self.admin_site.each_context(request), "title": _("A person's data"), "email": email, "opts": self.model._meta}
        status = 200
        if email:
            try:
                validate_email(email)
            except ValidationError:
                context["error"] = _("Write a whole e-mail address, e.g. marie@exemple.org.")
                status = 400
            else:
                data = collect_person_data(email)
                if file_format in ("json", "html"):
                    record_export(user=request.user, what=f"données personnelles ({file_format}) : {data['email']}")
                    return person_data_response(data, file_format, request=request)
                record_export(user=request.user, what=f"données personnelles (page) : {data['email']}")
                context.update(data=data, sections=titled_sections(data))
        return render(request, "admin/pole/person_data.html", context, status=status)


INCIDENT_COLUMNS = [
    ("known_on", "connu_le"),
    ("occurred_on", "survenu_le"),
    ("title", "incident"),
    ("information", "renseignements"),
    ("circumstances", "circonstances"),
    ("people_count", "personnes"),
    ("injury", "prejudice_serieux"),
    ("injury_assessment", "evaluation"),
    ("cai_notified_on", "avis_cai_le"),
    ("people_notified_on", "avis_personnes_le"),
    ("measures", "mesures"),
]


def incident_rows(incidents):
    """The incident register's rows, for the one spreadsheet writer (pole/spreadsheets/writers.py)."""
    for incident in incidents:
        row = []
        for name, _header in INCIDENT_COLUMNS:
            value = getattr(incident, name)
            if name == "injury":
                value = str(incident.get_injury_display())
            elif hasattr(value, "isoformat"):
                value = value.isoformat()
            elif value is None:
                value = ""
            row.append(value)
        yield row


@admin.register(ConfidentialityIncident)
class ConfidentialityIncidentAdmin(admin.ModelAdmin):
    """The register of confidentiality incidents (Direction), kept at least five years, exportable."""

    list_display = ["known_on", "title", "people_count", "injury", "cai_notified_on", "people_notified_on"]
    list_filter = ["injury"]
    search_fields = ["title", "information", "circumstances"]
    date_hierarchy = "known_on"
    readonly_fields = ["recorded_by", "created_at"]
    actions = ["export_csv"]
    fieldsets = (
        (None, {"fields": ("title", "information", "circumstances", "occurred_on", "known_on", "people_count")}),
        (_("Assessment"), {"fields": ("injury", "injury_assessment")}),
        (_("Notices and measures"), {"fields": ("cai_notified_on", "people_notified_on", "measures")}),
        (None, {"fields": ("recorded_by", "created_at")}),
    )

    def save_model(self, request, obj, form, change):
        if not change:
            obj.recorded_by = request.user
        super().save_model(request, obj, form, change)

    def has_delete_permission(self, request, obj=None):
        # Kept five years after it became known (the regulation); an older one may go.
        if obj is not None and not obj.deletable:
            return False
        return super().has_delete_permission(request, obj)

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, [incident for incident in queryset if incident.deletable])

    @admin.action(description=_("Export the selected incidents (CSV)"), permissions=["view"])
    def export_csv(self, request, queryset):
        from pole.privacy import record_export

        incidents = list(queryset.order_by("known_on", "pk"))
        record_export(user=request.user, what=str(_("Confidentiality incident register")), rows=len(incidents))
        return spreadsheet_response(
            [header for _name, header in INCIDENT_COLUMNS],
            incident_rows(incidents),
            extension="csv",
            filename=f"registre-incidents-{timezone.localdate().isoformat()}.csv",
        )


@admin.register(PersonalDataAccess)
class PersonalDataAccessAdmin(admin.ModelAdmin):
    """Who exported personal information, when, and what: read-only, to trace an incident."""

    list_display = ["at", "user", "what", "rows"]
    search_fields = ["what", "user__email"]
    date_hierarchy = "at"
    list_select_related = ["user"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
