"""The admin of the billing models: the dues schedule, renewal campaigns, invoices and
credit notes, payments, and the log of dues notices. ``members/admin.py`` imports it."""

import re

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import F, Q
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from members.billing import invoices
from members.billing.dues import format_money
from members.billing.renewals import CampaignError, open_campaign
from members.models import (
    DuesNotice,
    DuesRate,
    Invoice,
    Payment,
    RenewalCampaign,
)
from pole.admin_filters import FiscalYearFilter
from pole.formatting import format_date


@admin.register(DuesRate)
class DuesRateAdmin(admin.ModelAdmin):
    list_display = ["fiscal_year", "category", "amount_display"]
    list_filter = [FiscalYearFilter, "category"]

    @admin.display(description=_("amount"), ordering="amount")
    def amount_display(self, rate):
        return format_money(rate.amount)


@admin.register(RenewalCampaign)
class RenewalCampaignAdmin(admin.ModelAdmin):
    list_display = ["fiscal_year", "opened_on", "closed"]
    readonly_fields = ["opened_on", "opened_by"]
    actions = ["open_renewals"]

    def has_open_permission(self, request):
        return request.user.has_perm("members.open_renewalcampaign")

    @admin.action(description=_("Open the renewals and e-mail the members"), permissions=["open"])
    def open_renewals(self, request, queryset):
        base_url = request.build_absolute_uri("/")
        for campaign in queryset:
            try:
                result = open_campaign(campaign=campaign, opened_by=request.user, base_url=base_url)
            except CampaignError as error:
                self.message_user(request, str(error), messages.ERROR)
                continue
            self.message_user(
                request,
                ngettext(
                    "Renewals %(year)s open: %(count)d member invited.",
                    "Renewals %(year)s open: %(count)d members invited.",
                    result.invited,
                )
                % {"year": campaign.fiscal_year, "count": result.invited},
                messages.SUCCESS,
            )
            for left_out, message in (
                (result.without_representative, _("Without a representative's account, not e-mailed: %(names)s.")),
                (result.unsubscribed, _("Unsubscribed from dues e-mails, not e-mailed: %(names)s.")),
            ):
                if left_out:
                    names = ", ".join(member.name for member in left_out)
                    self.message_user(request, message % {"names": names}, messages.WARNING)


class InvoiceStatusFilter(admin.SimpleListFilter):
    title = _("status")
    parameter_name = "etat"

    def lookups(self, request, model_admin):
        return [
            ("emise", _("issued (not cancelled)")),
            ("payee", _("paid")),
            ("a-payer", _("to pay")),
            ("retard", _("late")),
            ("annulee", _("cancelled")),
        ]

    def queryset(self, request, queryset):
        live = Q(kind=Invoice.Kind.INVOICE, credit_note__isnull=True)
        match self.value():
            case "emise":
                return queryset.filter(live)
            case "payee":
                return queryset.filter(live, paid_amount__gte=F("total"))
            case "a-payer":
                return queryset.filter(live, paid_amount__lt=F("total"))
            case "retard":
                return queryset.filter(live, paid_amount__lt=F("total"), due_on__lt=timezone.localdate())
            case "annulee":
                return queryset.filter(kind=Invoice.Kind.INVOICE, credit_note__isnull=False)
        return queryset


def receipt_link(payment):
    """A link to ``payment``'s receipt PDF in the admin."""
    return format_html(
        '<a href="{}">{}</a>',
        reverse("admin:members_payment_receipt", args=[payment.pk]),
        _("receipt %(number)s") % {"number": payment.receipt_display_number},
    )


class PaymentInline(admin.TabularInline):
    model = Payment
    extra = 0
    fields = ["paid_on", "method", "reference", "amount", "recorded_by", "receipt"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description=_("receipt"))
    def receipt(self, payment):
        return receipt_link(payment) if payment.pk else "—"


@admin.register(Invoice)
class InvoiceAdmin(admin.ModelAdmin):
    """Invoices and credit notes: read-only, issued by the portal or the members' action, cancelled by a credit note."""

    list_display = ["number_display", "kind", "member", "fiscal_year", "issued_on", "due_on", "total_display",
                    "paid_display", "documents"]
    list_filter = [FiscalYearFilter, "kind", InvoiceStatusFilter]
    list_select_related = ["member", "credit_note", "cancels"]
    search_fields = ["member__name", "member_name"]
    inlines = [PaymentInline]
    actions = ["cancel"]
    exclude = ["issued_by"]

    def get_queryset(self, request):
        return super().get_queryset(request).with_paid().prefetch_related("payments")

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in Invoice._meta.fields if field.name != "issued_by"] + ["documents"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_cancel_permission(self, request):
        return request.user.has_perm("members.add_invoice")

    @admin.display(description=_("number"), ordering="number")
    def number_display(self, invoice):
        return invoice.display_number

    @admin.display(description=_("total"), ordering="total")
    def total_display(self, invoice):
        return format_money(invoice.total)

    @admin.display(description=_("paid"))
    def paid_display(self, invoice):
        if invoice.is_credit_note:
            return "—"
        if invoice.is_cancelled:
            return _("cancelled")
        return format_money(invoice.paid_amount)

    @admin.display(description=_("documents"))
    def documents(self, invoice):
        if invoice.pk is None:
            return "—"
        links = format_html('<a href="{}">PDF</a>', reverse("admin:members_invoice_pdf", args=[invoice.pk]))
        # One receipt per payment, partial ones included (prefetched with the list).
        for payment in invoice.payments.all():
            links += format_html(" · {}", receipt_link(payment))
        if not invoice.is_credit_note and not invoice.is_cancelled:
            if invoice.paid_amount < invoice.total:
                links += format_html(
                    ' · <a href="{}?invoice={}">{}</a>',
                    reverse("admin:members_payment_add"),
                    invoice.pk,
                    _("record a payment"),
                )
        return links

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("<int:pk>/pdf/", view(self.pdf_view), name="members_invoice_pdf"),
            *super().get_urls(),
        ]

    def pdf_view(self, request, pk):
        """Staff who may view invoices download any invoice or credit note."""
        from members.billing.invoices import document_for, document_response

        if not self.has_view_permission(request):
            raise PermissionDenied
        return document_response(document_for(Invoice.objects.all(), pk))

    @admin.action(description=_("Cancel with a credit note"), permissions=["cancel"])
    def cancel(self, request, queryset):
        """Ask why, then cancel each chosen invoice with a credit note that prints the reason."""
        form = CancelForm(request.POST if "confirm" in request.POST else None)
        if not form.is_valid():
            context = {
                **self.admin_site.each_context(request),
                "title": _("Cancel with a credit note"),
                "opts": self.model._meta,
                "invoices": list(queryset.order_by("fiscal_year", "number")),
                "form": form,
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            }
            return TemplateResponse(request, "admin/members/invoice/cancel_confirmation.html", context)
        for invoice in queryset.order_by("fiscal_year", "number"):
            try:
                note = invoices.cancel_invoice(
                    invoice=invoice, reason=form.cleaned_data["reason"], issued_by=request.user
                )
            except invoices.BillingError as error:
                self.message_user(request, str(error), messages.ERROR)
                continue
            self.message_user(
                request,
                _("Credit note %(note)s cancels invoice %(invoice)s.")
                % {"note": note.display_number, "invoice": invoice.display_number},
                messages.SUCCESS,
            )
        return None


class CancelForm(forms.Form):
    reason = forms.CharField(
        label=_("reason"),
        max_length=255,
        help_text=_("Printed on the credit note, e.g. « Member left the network before paying »."),
    )


def invoice_balance(invoice):
    """What is left to pay on an invoice annotated ``with_paid``."""
    return invoice.total - invoice.paid_amount


class InvoiceSelect(forms.Select):
    """The invoices to pay, each option carrying its balance (``data-balance``) for the amount field."""

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        invoice = getattr(value, "instance", None)
        if invoice is not None:
            option["attrs"]["data-balance"] = f"{invoice_balance(invoice):.2f}"
        return option


class InvoiceChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, invoice):
        return _("%(number)s · %(member)s · %(year)s · balance %(balance)s") % {
            "number": invoice.display_number,
            "member": invoice.member_name,
            "year": invoice.fiscal_year.label,
            "balance": format_money(invoice_balance(invoice)),
        }


class PaymentForm(forms.ModelForm):
    """A payment against an invoice with a balance; the invoice's balance is offered as the amount.

    The invoice is chosen among those still to pay, each shown with its balance; coming from an
    invoice (``?invoice=``), the amount starts at that balance and its help says what was paid.
    """

    invoice = InvoiceChoiceField(label=_("invoice"), queryset=Invoice.objects.none(), widget=InvoiceSelect)

    class Meta:
        model = Payment
        fields = ["invoice", "paid_on", "method", "reference", "amount"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "invoice" not in self.fields or "amount" not in self.fields:
            return  # a recorded payment, shown read-only
        chosen = self.data.get(self.add_prefix("invoice")) if self.is_bound else self.initial.get("invoice")
        chosen = getattr(chosen, "pk", chosen)
        # An invoice with a balance, or the one asked for (a settled one is then refused with its reason).
        to_pay = Q(paid_amount__lt=F("total"))
        if str(chosen or "").isdigit():
            to_pay |= Q(pk=int(chosen))
        self.fields["invoice"].queryset = (
            Invoice.objects.live().with_paid().filter(to_pay).order_by("fiscal_year", "number")
        )
        self.fields["invoice"].help_text = _("The invoices with a balance to pay, each with its balance.")
        invoice = next((i for i in self.fields["invoice"].queryset if str(i.pk) == str(chosen)), None)
        if invoice is not None:
            balance = invoice_balance(invoice)
            self.fields["amount"].help_text = _(
                "Balance of invoice %(number)s: %(balance)s (total %(total)s, already paid %(paid)s)."
            ) % {
                "number": invoice.display_number,
                "balance": format_money(balance),
                "total": format_money(invoice.total),
                "paid": format_money(invoice.paid_amount),
            }
            if not self.is_bound and balance > 0:
                self.initial.setdefault("amount", balance)
        else:
            self.fields["amount"].help_text = _("The invoice's balance is offered once the invoice is chosen.")

    def clean_amount(self):
        # Python reads « 1e2 » as 100: an amount is written in figures, as on a cheque.
        written = str(self.data.get(self.add_prefix("amount"), ""))
        if re.search(r"[eE]", written):
            raise forms.ValidationError(_("Write the amount in figures, such as 160,00 or 160.00."))
        return self.cleaned_data["amount"]

    def clean_paid_on(self):
        paid_on = self.cleaned_data["paid_on"]
        if paid_on is not None and paid_on > timezone.localdate():
            raise forms.ValidationError(
                _("A payment cannot be dated in the future (%(day)s).") % {"day": format_date(paid_on)}
            )
        return paid_on

    def clean(self):
        cleaned = super().clean()
        invoice, amount = cleaned.get("invoice"), cleaned.get("amount")
        if invoice is not None and amount is not None:
            try:
                invoices.check_payment(invoice, amount)
            except invoices.BillingError as error:
                raise forms.ValidationError({"amount": str(error)}) from None
        return cleaned


@admin.register(Payment)
class PaymentAdmin(admin.ModelAdmin):
    """Payments are recorded, never changed: a mistake is settled with the member and the accountant."""

    form = PaymentForm
    list_display = ["invoice", "member", "paid_on", "method", "reference", "amount_display", "recorded_by", "receipt"]
    list_filter = ["method", "paid_on"]
    list_select_related = ["invoice__member", "recorded_by"]
    search_fields = ["invoice__member__name", "reference"]

    class Media:
        # Choosing another invoice puts its balance in the amount (the amount typed by hand stays).
        js = ["members/payment-form.js"]

    @admin.display(description=_("member"), ordering="invoice__member__name")
    def member(self, payment):
        return payment.invoice.member

    @admin.display(description=_("amount"), ordering="amount")
    def amount_display(self, payment):
        return format_money(payment.amount)

    @admin.display(description=_("receipt"), ordering="receipt_number")
    def receipt(self, payment):
        return receipt_link(payment)

    def get_urls(self):
        return [
            path("<int:pk>/recu/", self.admin_site.admin_view(self.receipt_view), name="members_payment_receipt"),
            *super().get_urls(),
        ]

    def receipt_view(self, request, pk):
        """Staff who may view payments download any payment's receipt."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        return invoices.receipt_response(invoices.receipt_for(Payment.objects.all(), pk))

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        initial.setdefault("paid_on", timezone.localdate())
        return initial

    def save_model(self, request, obj, form, change):
        try:
            payment = invoices.record_payment(
                invoice=obj.invoice,
                paid_on=obj.paid_on,
                amount=obj.amount,
                method=obj.method,
                reference=obj.reference,
                recorded_by=request.user,
            )
        except invoices.BillingError as error:
            # Another payment came in between the form's check and this one (the balance is re-read locked).
            raise PermissionDenied(str(error)) from None
        obj.pk = payment.pk

    def response_add(self, request, obj, post_url_continue=None):
        invoice = Invoice.objects.with_paid().select_related("member").get(pk=obj.invoice_id)
        recorded = _("Payment of %(amount)s recorded against invoice %(number)s.") % {
            "amount": format_money(obj.amount),
            "number": invoice.display_number,
        }
        balance = invoice_balance(invoice)
        if balance > 0:
            next_step = _(
                "%(balance)s remains to be paid: record the next payment from this invoice when it comes in."
            ) % {"balance": format_money(balance)}
        else:
            next_step = _(
                "The invoice is settled: %(member)s is in good standing for %(year)s, and its receipt is ready "
                "below and in the member's portal."
            ) % {"member": invoice.member.name, "year": invoice.fiscal_year.label}
        self.message_user(request, f"{recorded} {next_step}", messages.SUCCESS)
        return HttpResponseRedirect(reverse("admin:members_invoice_change", args=[obj.invoice_id]))


@admin.register(DuesNotice)
class DuesNoticeAdmin(admin.ModelAdmin):
    list_display = ["sent_on", "member", "fiscal_year", "kind", "recipients"]
    list_filter = [FiscalYearFilter, "kind", "sent_on"]
    list_select_related = ["member"]
    search_fields = ["member__name", "recipients"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
