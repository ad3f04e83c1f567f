"""The portal's billing pages: renewing, the invoices list, and an invoice's or receipt's PDF.

A representative reaches only their own organisation's invoices (another's is a 404).
"""


from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.generic import FormView, TemplateView, View

from members.access import RepresentativeRequiredMixin
from members.billing import invoices
from members.billing.dues import Taxes, dues_for, format_money
from members.billing.invoices import document_for, document_response, receipt_for, receipt_response
from members.billing.selectors import open_campaign_for
from members.forms import RenewalForm
from members.models import Invoice, Payment, RenewalCampaign
from pole.fiscal_years import FiscalYear


class RenewView(RepresentativeRequiredMixin, FormView):
    """A representative renews their organisation for an open campaign's year: the invoice is issued."""

    template_name = "members/renew.html"
    form_class = RenewalForm

    def dispatch(self, request, *args, **kwargs):
        try:
            self.fiscal_year = FiscalYear.parse(kwargs["year"])
        except ValueError:
            raise Http404 from None
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, *args, **kwargs):
        if self.existing_invoice():
            return redirect("members:invoices")
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        self.campaign()
        return super().post(request, *args, **kwargs)

    def campaign(self):
        return get_object_or_404(RenewalCampaign, fiscal_year=self.fiscal_year, opened_on__isnull=False, closed=False)

    def existing_invoice(self):
        self.campaign()
        invoice = Invoice.objects.live().filter(member=self.member, fiscal_year=self.fiscal_year).first()
        if invoice:
            messages.info(
                self.request,
                _("Your organisation has renewed for %(year)s already: invoice %(number)s.")
                % {"year": self.fiscal_year.label, "number": invoice.display_number},
            )
        return invoice

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        amount = dues_for(self.member, self.fiscal_year)
        taxes = Taxes.from_settings()
        context.update(fiscal_year=self.fiscal_year, subtotal=None, total=None)
        if amount is not None:
            tps, tvq, total = taxes.amounts(amount)
            context.update(
                subtotal=format_money(amount),
                taxes=[
                    (label, format_money(value))
                    for label, rate, value in ((_("GST"), taxes.tps_rate, tps), (_("QST"), taxes.tvq_rate, tvq))
                    if rate
                ],
                total=format_money(total),
            )
        return context

    def form_valid(self, form):
        try:
            invoice = invoices.issue_invoice(member=self.member, fiscal_year=self.fiscal_year, issued_by=self.request.user)
        except invoices.BillingError as error:
            form.add_error(None, str(error))
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("Thank you! Your organisation has renewed for %(year)s. Invoice %(number)s is ready to download.")
            % {"year": self.fiscal_year.label, "number": invoice.display_number},
        )
        return redirect("members:invoices")


class InvoiceListView(RepresentativeRequiredMixin, TemplateView):
    """The representative's organisation's invoices, credit notes and receipts."""

    template_name = "members/invoice_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        rows = list(
            Invoice.objects.filter(member=self.member)
            .with_paid()
            .select_related("cancels", "credit_note")
            .prefetch_related("payments")
            .order_by("-fiscal_year", "-issued_on", "-pk")
        )
        context["invoices"] = [
            {
                "invoice": invoice,
                "total": format_money(invoice.total),
                "balance": format_money(invoice.total - invoice.paid_amount),
                "paid": not invoice.is_credit_note and invoice.paid_amount == invoice.total,
                "cancelled": invoice.is_cancelled,
                # One receipt per payment, partial ones included.
                "receipts": list(invoice.payments.all()),
            }
            for invoice in rows
        ]
        context["campaign"] = open_campaign_for(self.member)
        return context


class InvoicePdfView(RepresentativeRequiredMixin, View):
    """A representative downloads one of their organisation's invoices or credit notes (404 for any other)."""

    def get(self, request, pk):
        return document_response(document_for(Invoice.objects.filter(member=self.member), pk))


class ReceiptPdfView(RepresentativeRequiredMixin, View):
    """A representative downloads the receipt of one of their organisation's payments (404 for any other)."""

    def get(self, request, pk):
        return receipt_response(receipt_for(Payment.objects.filter(invoice__member=self.member), pk))
