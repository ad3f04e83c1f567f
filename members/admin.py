from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db.models import Max
from django.utils.translation import gettext_lazy as _

from pole.admin_filters import FiscalYearFilter, MembershipYearFilter
from pole.fiscal_years import FiscalYear

from .models import BoardMandate, Contact, Member, Membership, StaffMember, Territory, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "is_staff", "is_active", "last_login"]
    list_filter = ["is_staff", "is_active", "groups"]
    search_fields = ["email", "first_name", "last_name"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (_("Personal info"), {"fields": ["first_name", "last_name"]}),
        (
            _("Permissions"),
            {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]},
        ),
        (_("Important dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["email", "password1", "password2"]}),
    ]


@admin.register(Territory)
class TerritoryAdmin(admin.ModelAdmin):
    list_display = ["name", "order"]
    list_editable = ["order"]
    search_fields = ["name"]


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    fields = ["fiscal_year", "dues", "paid_on"]


class ContactInline(admin.TabularInline):
    model = Contact
    extra = 0
    fields = ["first_name", "last_name", "role", "email", "phone", "user"]
    autocomplete_fields = ["user"]


@admin.register(Member)
class MemberAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "legal_form",
        "category",
        "territory",
        "setting",
        "founding_year",
        "last_membership",
        "directory_consent",
    ]
    list_filter = [MembershipYearFilter, "category", "legal_form", "setting", "territory", "directory_consent"]
    list_select_related = ["territory"]
    search_fields = ["name", "sector", "email"]
    autocomplete_fields = ["territory"]
    inlines = [MembershipInline, ContactInline]
    fieldsets = [
        (None, {"fields": ["name", "legal_form", "category", "founding_year", "sector"]}),
        (_("Location"), {"fields": ["territory", "setting", "address"]}),
        (_("Contact details"), {"fields": ["phone", "email", "website"]}),
        (_("Profile"), {"fields": ["description", "logo", "directory_consent"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(last_year=Max("memberships__fiscal_year"))

    @admin.display(description=_("last membership"), ordering="last_year")
    def last_membership(self, member):
        return FiscalYear.parse(member.last_year).label if member.last_year else "—"


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["member", "fiscal_year", "dues", "paid_on"]
    list_filter = [FiscalYearFilter, "member__category"]
    list_select_related = ["member"]
    search_fields = ["member__name"]
    autocomplete_fields = ["member"]


@admin.register(Contact)
class ContactAdmin(admin.ModelAdmin):
    list_display = ["__str__", "member", "role", "email", "phone", "user"]
    list_select_related = ["member", "user"]
    search_fields = ["first_name", "last_name", "email", "member__name"]
    autocomplete_fields = ["member", "user"]


class PeriodFiscalYearFilter(admin.SimpleListFilter):
    """Board mandates or staff in office during a fiscal year."""

    title = _("fiscal year")
    parameter_name = "exercice"

    def lookups(self, request, model_admin):
        current = FiscalYear.current().start_year
        return [(FiscalYear(y).label, FiscalYear(y).label) for y in range(current, current - 12, -1)]

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        try:
            return queryset.in_fiscal_year(self.value())
        except ValueError:
            return queryset


@admin.register(BoardMandate)
class BoardMandateAdmin(admin.ModelAdmin):
    list_display = ["name", "role", "organisation", "start_date", "end_date", "has_photo", "order"]
    list_editable = ["order"]
    list_filter = [PeriodFiscalYearFilter, "role"]
    search_fields = ["name", "organisation"]

    @admin.display(description=_("photo"), boolean=True)
    def has_photo(self, mandate):
        return bool(mandate.photo)


@admin.register(StaffMember)
class StaffMemberAdmin(admin.ModelAdmin):
    list_display = ["name", "title", "email", "start_date", "end_date", "has_photo", "order"]
    list_editable = ["order"]
    list_filter = [PeriodFiscalYearFilter]
    search_fields = ["name", "title"]

    @admin.display(description=_("photo"), boolean=True)
    def has_photo(self, staff_member):
        return bool(staff_member.photo)
