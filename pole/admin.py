"""The network's identity in the admin: one record, added once, never deleted."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from pole.models import NetworkIdentity


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
