"""The base's admin: the network's identity (one record, added once, never deleted) and the outbox."""

from email.header import decode_header, make_header

from django.contrib import admin, messages
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from pole.models import NetworkIdentity, OutboxMessage
from pole.outbox import send_again


@admin.register(NetworkIdentity)
class NetworkIdentityAdmin(admin.ModelAdmin):
    fieldsets = (
        (None, {"fields": ("name", "short_name", "tagline", "logo")}),
        (_("Contact details"), {"fields": ("address", "phone", "email", "website")}),
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
