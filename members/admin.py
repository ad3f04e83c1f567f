from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth import get_permission_codename
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Exists, Max, OuterRef
from django.forms.models import BaseInlineFormSet
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin
from simple_history.template_utils import HistoricalRecordContextHelper

from members.billing.selectors import good_standing
from pole.admin_filters import FiscalYearFilter, MembershipYearFilter, MissingDataFilter
from pole.collation import french_order
from pole.fiscal_years import FiscalYear
from pole.models import ConsentRecord
from pole.privacy import consent_wording, record_consent_change
from pole.privacy_admin import PersonDataActionMixin
from pole.spreadsheets.admin import SpreadsheetAdminMixin

from . import invitations
from .billing import invoices
from .billing.renewals import renew_memberships
from .billing.standing import standing_csv, standing_pdf
from .models import (
    GOOD_STANDING,
    BoardMandate,
    Contact,
    DuesNotice,
    Invitation,
    Invoice,
    Member,
    Membership,
    RenewalCampaign,
    Sector,
    StaffMember,
    Territory,
    User,
)
from .resources import MemberResource
from .services import merge_sectors, record_directory_consent


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

    # Only a superuser grants superuser, or changes a superuser's account (its e-mail, then its
    # password, would hand it over): the Direction manages accounts, not the keys to everything.

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            readonly.append("is_superuser")
        return readonly

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_delete_permission(request, obj)

    def user_change_password(self, request, id, form_url=""):
        user = self.get_object(request, id)
        if user is not None and user.is_superuser and not request.user.is_superuser:
            raise PermissionDenied
        return super().user_change_password(request, id, form_url)


@admin.register(Territory)
class TerritoryAdmin(admin.ModelAdmin):
    list_display = ["name", "order"]
    list_editable = ["order"]
    search_fields = ["name"]


class SectorMergeForm(forms.Form):
    """Which of the selected sectors keeps its name; the others' members move to it."""

    keep = forms.ModelChoiceField(
        label=_("Keep"), queryset=Sector.objects.none(), widget=forms.RadioSelect, empty_label=None
    )

    def __init__(self, *args, sectors, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["keep"].queryset = Sector.objects.filter(pk__in=[sector.pk for sector in sectors])
        # The sectors come from SectorAdmin's list, annotated with their member count.
        counts = {sector.pk: sector.member_count for sector in sectors}
        self.fields["keep"].label_from_instance = lambda sector: (
            ngettext("%(name)s (%(count)d member)", "%(name)s (%(count)d members)", counts[sector.pk])
            % {"name": sector.name, "count": counts[sector.pk]}
        )


@admin.register(Sector)
class SectorAdmin(admin.ModelAdmin):
    list_display = ["name", "member_count"]
    # Explicit: the member count groups rows, which drops the model's ordering (autocomplete too).
    ordering = [french_order("name")]
    search_fields = ["name"]
    actions = ["merge"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(member_count=Count("members"))

    @admin.display(description=_("members"), ordering="member_count")
    def member_count(self, sector):
        return sector.member_count

    def has_merge_permission(self, request):
        return self.has_change_permission(request) and self.has_delete_permission(request)

    @admin.action(description=_("Merge the selected sectors"), permissions=["merge"])
    def merge(self, request, queryset):
        """Merge duplicates: choose the sector to keep; the others' members move to it."""
        sectors = list(queryset.order_by(french_order("name")))
        if len(sectors) < 2:
            self.message_user(request, _("Choose at least two sectors to merge."), messages.WARNING)
            return None
        form = SectorMergeForm(request.POST if "keep" in request.POST else None, sectors=sectors)
        if form.is_valid():
            keep = form.cleaned_data["keep"]
            others = [sector for sector in sectors if sector.pk != keep.pk]
            moved = merge_sectors(keep=keep, others=others)
            self.message_user(
                request,
                ngettext(
                    "%(names)s merged into « %(keep)s »: %(count)d member moved.",
                    "%(names)s merged into « %(keep)s »: %(count)d members moved.",
                    moved,
                )
                % {"names": ", ".join(f"«\u00a0{sector.name}\u00a0»" for sector in others), "keep": keep.name, "count": moved},
                messages.SUCCESS,
            )
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": _("Merge sectors"),
            "opts": self.model._meta,
            "sectors": sectors,
            "form": form,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/members/sector/merge.html", context)


class MembershipInlineFormSet(BaseInlineFormSet):
    """A member's memberships; a deletion the back office guards is refused with its reason."""

    #: A callable(membership) saying why it may not be deleted here, or None; the back office sets
    #: it (a published annual report counts the membership: backoffice/admin.py).
    deletion_guard = None

    def clean(self):
        super().clean()
        guard = type(self).deletion_guard
        if guard is None:
            return
        reasons = [guard(form.instance) for form in self.deleted_forms if form.instance.pk is not None]
        reasons = [reason for reason in reasons if reason]
        if reasons:
            raise ValidationError(reasons)


class MembershipInline(admin.TabularInline):
    model = Membership
    formset = MembershipInlineFormSet
    extra = 0
    fields = ["fiscal_year", "dues", "paid_on"]


class ContactInline(admin.TabularInline):
    model = Contact
    extra = 0
    fields = ["first_name", "last_name", "role", "email", "phone", "user"]
    # Set only by accepting an invitation (members/invitations.py): a field here would let
    # staff tie a contact to any account, the Direction's included, and choose its password.
    readonly_fields = ["user"]


class InvitedFilter(admin.SimpleListFilter):
    """Members e-mailed the invitation of a year's renewal campaign."""

    title = _("invited to renew")
    parameter_name = "campagne"

    def lookups(self, request, model_admin):
        years = RenewalCampaign.objects.filter(opened_on__isnull=False).values_list("fiscal_year", flat=True)
        return [(year.label, year.label) for year in years]

    def queryset(self, request, queryset):
        try:
            fiscal_year = FiscalYear.parse(self.value()) if self.value() else None
        except ValueError:
            return queryset.none()
        if fiscal_year is None:
            return queryset
        invited = DuesNotice.objects.filter(fiscal_year=fiscal_year, kind=DuesNotice.Kind.INVITATION)
        return queryset.filter(pk__in=invited.values("member"))


class ReadableChangesHelper(HistoricalRecordContextHelper):
    """The history page's « old → new », in words: an empty value reads « (vide) », not « None »."""

    def prepare_delta_change_value(self, change, value):
        value = super().prepare_delta_change_value(change, value)
        if value is None or value == "":
            return gettext("(empty)")
        return value


class ReadableHistoryAdmin(SimpleHistoryAdmin):
    """django-simple-history's admin with ``ReadableChangesHelper`` on its history page."""

    def get_historical_record_context_helper(self, request, historical_record):
        return ReadableChangesHelper(self.model, historical_record)


@admin.register(Member)
class MemberAdmin(SpreadsheetAdminMixin, ReadableHistoryAdmin):
    resource_classes = [MemberResource]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if "directory_consent" in form.changed_data:
            record_directory_consent(obj, how=ConsentRecord.Channel.STAFF, user=request.user)
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
    list_filter = [
        MembershipYearFilter,
        "category",
        "legal_form",
        "setting",
        "territory",
        ("sector", admin.RelatedOnlyFieldListFilter),
        "directory_consent",
        MissingDataFilter,
        InvitedFilter,
    ]
    list_select_related = ["territory", "sector"]
    # Explicit: the « last membership » annotation groups rows, which drops the model's ordering.
    ordering = [french_order("name")]
    search_fields = ["name", "sector__name", "email"]
    autocomplete_fields = ["territory", "sector"]
    inlines = [MembershipInline, ContactInline]
    actions = ["renew", "issue_invoices"]
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

    def has_renew_permission(self, request):
        opts = Membership._meta
        return request.user.has_perm(f"{opts.app_label}.{get_permission_codename('add', opts)}")

    @admin.action(description=_("Renew for the following fiscal year"), permissions=["renew"])
    def renew(self, request, queryset):
        """Create each selected member's membership of the year after its latest one."""
        result = renew_memberships(members=queryset)
        message = ngettext("%(count)d membership created", "%(count)d memberships created", result.created_count) % {
            "count": result.created_count
        }
        if result.created:
            years = ", ".join(
                _("%(year)s: %(count)d") % {"year": year.label, "count": count}
                for year, count in sorted(result.created.items())
            )
            message = f"{message} ({years})"
        if result.skipped:
            skipped = ngettext(
                "%(count)d member skipped: already renewed for the following fiscal year",
                "%(count)d members skipped: already renewed for the following fiscal year",
                result.skipped,
            ) % {"count": result.skipped}
            message = _("%(created)s; %(skipped)s") % {"created": message, "skipped": skipped}
        self.message_user(request, f"{message}.", messages.SUCCESS if result.created_count else messages.WARNING)

    def has_issue_invoices_permission(self, request):
        return request.user.has_perm("members.add_invoice")

    @admin.action(description=_("Issue the dues invoice of the open renewal campaign"), permissions=["issue_invoices"])
    def issue_invoices(self, request, queryset):
        """For members renewing without the portal: the same invoice as « Renouveler » issues."""
        campaign = RenewalCampaign.objects.filter(opened_on__isnull=False, closed=False).order_by("fiscal_year").last()
        if campaign is None:
            self.message_user(request, _("No renewal campaign is open."), messages.ERROR)
            return
        issued = 0
        for member in queryset.order_by(french_order("name")):
            try:
                invoices.issue_invoice(member=member, fiscal_year=campaign.fiscal_year, issued_by=request.user)
            except invoices.BillingError as error:
                self.message_user(request, str(error), messages.WARNING)
                continue
            issued += 1
        if issued:
            self.message_user(
                request,
                ngettext("%(count)d invoice issued.", "%(count)d invoices issued.", issued) % {"count": issued},
                messages.SUCCESS,
            )


class StandingFilter(admin.SimpleListFilter):
    """Memberships in good standing (paid, or waived with a reason) or not."""

    title = _("standing")
    parameter_name = "statut"

    def lookups(self, request, model_admin):
        return [("en-regle", _("in good standing")), ("paye", _("paid")), ("exempte", _("waived")),
                ("non-paye", _("not paid"))]

    def queryset(self, request, queryset):
        match self.value():
            case "en-regle":
                return queryset.in_good_standing()
            case "paye":
                return queryset.filter(paid_on__isnull=False)
            case "exempte":
                return queryset.filter(waived=True)
            case "non-paye":
                return queryset.exclude(GOOD_STANDING)
        return queryset


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["member", "fiscal_year", "dues", "paid_on", "standing"]
    list_filter = [FiscalYearFilter, StandingFilter, "member__category"]
    list_select_related = ["member"]
    search_fields = ["member__name"]
    autocomplete_fields = ["member"]
    fields = ["member", "fiscal_year", "dues", "paid_on", "waived", "waiver_reason"]

    @admin.display(description=_("standing"), boolean=True)
    def standing(self, membership):
        return membership.in_good_standing

    def get_deleted_objects(self, objs, request):
        """Name the invoices that keep billed memberships (Invoice.membership is PROTECT).

        Django would list them as objects the user lacks the permission to delete; the truth
        is that nobody may, and why.
        """
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        invoices = Invoice.objects.filter(membership__in=[membership.pk for membership in objs])
        if invoices:
            reason = _("a membership with an invoice cannot be deleted; cancel an unpaid invoice with a credit note first.")
            protected = [_("{invoice}: {reason}").format(invoice=invoice, reason=reason) for invoice in invoices]
            perms_needed = set()
        return deleted, counts, perms_needed, protected

    def get_urls(self):
        return [
            path(
                "en-regle/",
                self.admin_site.admin_view(self.good_standing_view),
                name="members_membership_good_standing",
            ),
            *super().get_urls(),
        ]

    def good_standing_view(self, request):
        """The Direction's list of members in good standing for the AGM, as PDF or CSV (?exercice=, ?format=)."""
        if not request.user.has_perm("members.print_good_standing"):
            raise PermissionDenied
        try:
            fiscal_year = FiscalYear.parse(request.GET.get("exercice", ""))
        except ValueError:
            fiscal_year = FiscalYear.current()
        standing = good_standing(fiscal_year, quorum_percent=settings.POLE_AGM_QUORUM_PERCENT)
        if request.GET.get("format") == "csv":
            return standing_csv(standing)
        return standing_pdf(standing)


class PortalAccessFilter(admin.SimpleListFilter):
    title = _("portal access")
    parameter_name = "acces"

    def lookups(self, request, model_admin):
        return [
            ("actif", _("active account")),
            ("desactive", _("deactivated account")),
            ("invite", _("invitation pending")),
            ("aucun", _("no account")),
        ]

    def queryset(self, request, queryset):
        pending = Invitation.objects.pending().values("contact")
        match self.value():
            case "actif":
                return queryset.filter(user__is_active=True)
            case "desactive":
                return queryset.filter(user__is_active=False)
            case "invite":
                return queryset.filter(pk__in=pending)
            case "aucun":
                return queryset.filter(user__isnull=True).exclude(pk__in=pending)
        return queryset


class InvitationInline(admin.TabularInline):
    model = Invitation
    extra = 0
    fields = ["email", "created_at", "sent_by", "expires_at", "accepted_at", "revoked_at"]
    readonly_fields = fields
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Contact)
class ContactAdmin(PersonDataActionMixin, ReadableHistoryAdmin):
    list_display = ["__str__", "member", "role", "email", "phone", "portal_access", "last_login"]
    list_select_related = ["member", "user"]
    list_filter = [PortalAccessFilter]
    search_fields = ["first_name", "last_name", "email", "member__name"]
    autocomplete_fields = ["member"]
    readonly_fields = ["user"]  # set only by accepting an invitation, as in ContactInline
    inlines = [InvitationInline]
    actions = ["send_invitation", "deactivate_access"]

    def get_queryset(self, request):
        pending = Invitation.objects.pending().filter(contact=OuterRef("pk"))
        return (
            super()
            .get_queryset(request)
            .annotate(
                pending_invitation=Exists(pending),
                last_invited=Max("invitations__created_at"),
            )
        )

    @admin.display(description=_("portal access"))
    def portal_access(self, contact):
        if contact.user_id and contact.user.is_active:
            return _("active account")
        if contact.user_id:
            return _("deactivated")
        if contact.pending_invitation:
            return _("invited on %(date)s") % {"date": date_format(localtime(contact.last_invited), "j F Y")}
        return "—"

    @admin.display(description=_("last login"), ordering="user__last_login")
    def last_login(self, contact):
        if contact.user_id and contact.user.last_login:
            return date_format(localtime(contact.user.last_login), "j F Y, H:i")
        return "—"

    @admin.action(description=_("Send an invitation"), permissions=["change"])
    def send_invitation(self, request, queryset):
        """E-mail each selected contact a one-time link to choose their portal password."""
        base_url = request.build_absolute_uri("/")
        sent, refused = 0, []
        for contact in queryset.select_related("member", "user"):
            try:
                invitations.invite(contact, sent_by=request.user, base_url=base_url)
            except invitations.InvitationError as error:
                refused.append(str(error))
            else:
                sent += 1
        if sent:
            self.message_user(
                request,
                ngettext("%(count)d invitation sent.", "%(count)d invitations sent.", sent) % {"count": sent},
                messages.SUCCESS,
            )
        for reason in refused:
            self.message_user(request, _("Not sent: %(reason)s") % {"reason": reason}, messages.ERROR)

    @admin.action(description=_("Deactivate portal access"), permissions=["change"])
    def deactivate_access(self, request, queryset):
        """Disable the selected contacts' accounts and revoke their pending invitations."""
        closed, refused = 0, []
        for contact in queryset.select_related("user"):
            try:
                closed += invitations.deactivate(contact)
            except invitations.InvitationError as error:
                refused.append(str(error))
        self.message_user(
            request,
            ngettext("%(count)d account deactivated.", "%(count)d accounts deactivated.", closed) % {"count": closed},
            messages.SUCCESS if closed else messages.WARNING,
        )
        for reason in refused:
            self.message_user(request, _("Not deactivated: %(reason)s") % {"reason": reason}, messages.ERROR)


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    """A read-only log of the invitations sent; they are sent from the contacts list."""

    list_display = ["contact", "email", "created_at", "sent_by", "expires_at", "accepted_at", "revoked_at"]
    list_select_related = ["contact", "sent_by"]
    list_filter = ["created_at", "accepted_at"]
    search_fields = ["email", "contact__first_name", "contact__last_name", "contact__member__name"]
    readonly_fields = [f.name for f in Invitation._meta.fields if f.name != "token_hash"]
    exclude = ["token_hash"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class PeriodFiscalYearFilter(admin.SimpleListFilter):
    """Board mandates or staff in office during a fiscal year."""

    title = _("fiscal year")
    parameter_name = "exercice"

    def lookups(self, request, model_admin):
        # Only the years someone was in office, up to the current one: one query, folded here.
        current = FiscalYear.current()
        years = set()
        for start, end in model_admin.get_queryset(request).order_by().values_list("start_date", "end_date"):
            first = FiscalYear.containing(start) if start else None
            last = min(FiscalYear.containing(end), current) if end else current
            if first is None:
                # No start date: in office in every year up to its end (bounded by the other rows).
                years.add(last)
                continue
            years.update(FiscalYear(year) for year in range(first.start_year, last.start_year + 1))
        return [(year.label, year.label) for year in sorted(years, reverse=True)]

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

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        record_photo_consent(obj, form, request)


@admin.register(StaffMember)
class StaffMemberAdmin(PersonDataActionMixin, admin.ModelAdmin):
    list_display = ["name", "title", "email", "start_date", "end_date", "has_photo", "order"]
    list_editable = ["order"]
    list_filter = [PeriodFiscalYearFilter]
    search_fields = ["name", "title"]

    @admin.display(description=_("photo"), boolean=True)
    def has_photo(self, staff_member):
        return bool(staff_member.photo)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        record_photo_consent(obj, form, request)


def record_photo_consent(person, form, request):
    """A photo consent ticked or unticked by staff is recorded (who, when, the wording) or withdrawn."""
    if "photo_consent" not in form.changed_data:
        return
    record_consent_change(
        given=person.photo_consent,
        purpose=ConsentRecord.Purpose.PHOTO,
        how=ConsentRecord.Channel.STAFF,
        subject=str(person),
        subject_key=f"{person._meta.label_lower}:{person.pk}",
        wording=consent_wording(person._meta.get_field("photo_consent")),
        email=getattr(person, "email", ""),
        name=person.name,
        user=request.user,
    )


# The billing models' admin (dues schedule, campaigns, invoices, payments, notices).
from .billing import admin as billing_admin  # noqa: E402, F401
