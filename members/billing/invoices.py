"""Invoices, credit notes, payments and their PDFs.

Decision (DESIGN, « Membership »): a renewal creates the year's membership when its
invoice is issued, with the dues of the invoice and no payment date; the payment that
settles the invoice sets the date. The report's figures keep reading memberships
(reports/statistics.py), so a member counts in a year from the day it renews; a credit
note cancelling an unpaid invoice removes the membership it created.

Numbers: each kind of document (invoice, credit note) is numbered from 1 per fiscal year
without gaps. The number is taken from the year's ``DocumentCounter`` row, locked with
``select_for_update`` in the transaction that writes the document: two renewals at once
wait for each other, and a failed one gives its number back by rolling back.
"""

from datetime import timedelta
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import Sum
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

from members.models import DocumentCounter, Invoice, Member, Membership, Payment
from pole import formatting
from pole.fiscal_years import FiscalYear

from .dues import Taxes, dues_for, format_money, to_cents


class BillingError(Exception):
    """The invoice, credit note or payment cannot be made; the message says why, in French."""


def issuer_details():
    """The network's name, and its address and contact details, as invoices print them (pole.identity).

    The address is the identity's, or ``POLE_NETWORK_ADDRESS`` before the Direction records one.
    """
    from pole.identity import get_identity

    identity = get_identity()
    contact = " · ".join(str(value) for value in (identity.phone, identity.email, identity.website) if value)
    lines = [*(identity.address_lines or settings.POLE_NETWORK_ADDRESS.splitlines()), contact]
    return {"name": identity.name, "address": "\n".join(line for line in lines if line)}


def next_number(kind, fiscal_year):
    """Take the next number of ``kind`` in ``fiscal_year``; call inside the document's transaction."""
    counter, _created = DocumentCounter.objects.get_or_create(kind=kind, fiscal_year=fiscal_year)
    counter = DocumentCounter.objects.select_for_update().get(pk=counter.pk)
    counter.last_number += 1
    counter.save(update_fields=["last_number"])
    return counter.last_number


def _document(*, kind, member, fiscal_year, subtotal, description, issued_on, issued_by, taxes, number=None):
    tps, tvq, total = taxes.amounts(subtotal)
    issuer = issuer_details()
    return Invoice(
        kind=kind,
        fiscal_year=fiscal_year,
        number=number if number is not None else next_number(kind, fiscal_year),
        member=member,
        issued_on=issued_on,
        description=description,
        subtotal=to_cents(subtotal),
        tps_rate=taxes.tps_rate,
        tps=tps,
        tvq_rate=taxes.tvq_rate,
        tvq=tvq,
        total=total,
        tps_number=taxes.tps_number,
        tvq_number=taxes.tvq_number,
        issuer_name=issuer["name"],
        issuer_address=issuer["address"],
        member_name=member.name,
        member_address=member.address,
        issued_by=issued_by,
    )


def dues_description(member, fiscal_year):
    return _("Membership dues %(year)s — %(category)s member") % {
        "year": fiscal_year.label,
        "category": member.get_category_display(),
    }


@transaction.atomic
def issue_invoice(*, member, fiscal_year, issued_by=None, today=None):
    """Issue ``member``'s dues invoice for ``fiscal_year`` and create the year's membership.

    Refused (BillingError) when the member already has an invoice for that year that no
    credit note cancels, or when the dues schedule has no amount for its category.
    """
    fiscal_year = FiscalYear.parse(fiscal_year)
    today = today or timezone.localdate()
    # Lock the member: two clicks on « Renouveler » issue one invoice, not two.
    member = Member.objects.select_for_update().get(pk=member.pk)
    if Invoice.objects.live().filter(member=member, fiscal_year=fiscal_year).exists():
        raise BillingError(
            _("%(member)s already has an invoice for %(year)s.") % {"member": member, "year": fiscal_year.label}
        )
    amount = dues_for(member, fiscal_year)
    if amount is None:
        raise BillingError(
            _("The dues schedule has no amount for %(category)s members in %(year)s.")
            % {"category": member.get_category_display(), "year": fiscal_year.label}
        )
    invoice = _document(
        kind=Invoice.Kind.INVOICE,
        member=member,
        fiscal_year=fiscal_year,
        subtotal=amount,
        description=dues_description(member, fiscal_year),
        issued_on=today,
        issued_by=issued_by,
        taxes=Taxes.from_settings(),
    )
    invoice.due_on = today + timedelta(days=settings.POLE_INVOICE_DUE_DAYS)
    membership, created = Membership.objects.get_or_create(
        member=member, fiscal_year=fiscal_year, defaults={"dues": invoice.subtotal}
    )
    if not created and membership.dues is None:
        membership.dues = invoice.subtotal
        membership.save(update_fields=["dues"])
    invoice.membership = membership
    invoice.save()
    return invoice


@transaction.atomic
def issue_paid_invoices(memberships, *, issued_on, paid_on):
    """Issue, all at once, a paid invoice for each of ``memberships`` (recorded before invoicing began).

    For a year whose memberships staff recorded by hand with their dues: each gets the invoice
    of its dues, numbered on from the year's counter, and a payment of its total. ``issued_on``
    and ``paid_on`` map a membership to its dates. A fixed number of queries, whatever the
    number of memberships (the demo uses it for 2016-2017).
    """
    memberships = list(memberships)
    if not memberships:
        return []
    fiscal_year = memberships[0].fiscal_year
    counter, _created = DocumentCounter.objects.get_or_create(kind=Invoice.Kind.INVOICE, fiscal_year=fiscal_year)
    counter = DocumentCounter.objects.select_for_update().get(pk=counter.pk)
    taxes = Taxes.from_settings()
    documents = []
    for membership in memberships:
        counter.last_number += 1
        invoice = _document(
            kind=Invoice.Kind.INVOICE,
            member=membership.member,
            fiscal_year=fiscal_year,
            subtotal=membership.dues,
            description=dues_description(membership.member, fiscal_year),
            issued_on=issued_on(membership),
            issued_by=None,
            taxes=taxes,
            number=counter.last_number,
        )
        invoice.due_on = invoice.issued_on + timedelta(days=settings.POLE_INVOICE_DUE_DAYS)
        invoice.membership = membership
        documents.append(invoice)
    counter.save(update_fields=["last_number"])
    documents = Invoice.objects.bulk_create(documents)
    Payment.objects.bulk_create(
        Payment(invoice=invoice, paid_on=paid_on(membership), amount=invoice.total, method=Payment.Method.CHEQUE)
        for invoice, membership in zip(documents, memberships, strict=True)
    )
    for membership in memberships:
        membership.paid_on = paid_on(membership)
    Membership.objects.bulk_update(memberships, ["paid_on"])
    return documents


def paid_amount(invoice):
    """The sum of the invoice's payments. One query."""
    return invoice.payments.aggregate(total=Sum("amount"))["total"] or Decimal("0.00")


@transaction.atomic
def cancel_invoice(*, invoice, issued_by=None, today=None):
    """Issue the credit note cancelling ``invoice``; the unpaid membership it created goes.

    Refused for a credit note, an invoice already cancelled, or one with payments (the
    money must be settled with the member first).
    """
    invoice = Invoice.objects.select_for_update().select_related("member").get(pk=invoice.pk)
    if invoice.is_credit_note:
        raise BillingError(_("A credit note cannot be cancelled."))
    if Invoice.objects.filter(cancels=invoice).exists():
        raise BillingError(_("The invoice %(number)s is already cancelled.") % {"number": invoice.display_number})
    if invoice.payments.exists():
        raise BillingError(
            _("The invoice %(number)s has payments: it cannot be cancelled.") % {"number": invoice.display_number}
        )
    note = Invoice(
        kind=Invoice.Kind.CREDIT_NOTE,
        fiscal_year=invoice.fiscal_year,
        number=next_number(Invoice.Kind.CREDIT_NOTE, invoice.fiscal_year),
        member=invoice.member,
        issued_on=today or timezone.localdate(),
        description=_("Cancels invoice %(number)s: %(description)s")
        % {"number": invoice.display_number, "description": invoice.description},
        # The credit note gives back exactly what the invoice asked, taxes included.
        **{
            field: getattr(invoice, field)
            for field in (
                "subtotal", "tps_rate", "tps", "tvq_rate", "tvq", "total", "tps_number", "tvq_number",
                "issuer_name", "issuer_address", "member_name", "member_address",
            )
        },
        cancels=invoice,
        issued_by=issued_by,
    )
    note.save()
    unpaid = Membership.objects.filter(
        member=invoice.member, fiscal_year=invoice.fiscal_year, paid_on__isnull=True, waived=False
    )
    # The cancelled invoice lets go of the unpaid membership it created, which then goes; a
    # membership another live invoice bills stays protected (and the delete refuses).
    Invoice.objects.filter(pk=invoice.pk, membership__in=unpaid).update(membership=None)
    unpaid.delete()
    return note


def check_payment(invoice, amount, *, paid_on=None):
    """Raise BillingError unless ``amount`` paid on ``paid_on`` may be recorded against ``invoice`` now. Two queries."""
    if paid_on is not None and paid_on > timezone.localdate():
        raise BillingError(
            _("A payment cannot be dated in the future (%(day)s).") % {"day": formatting.format_date(paid_on)}
        )
    if invoice.is_credit_note:
        raise BillingError(_("A payment is recorded against an invoice, not a credit note."))
    if Invoice.objects.filter(cancels=invoice).exists():
        raise BillingError(_("The invoice %(number)s is cancelled.") % {"number": invoice.display_number})
    if amount is None or amount <= 0:
        raise BillingError(_("The amount must be more than zero."))
    if to_cents(amount) != amount:
        raise BillingError(_("The amount has at most two decimal places."))
    balance = invoice.total - paid_amount(invoice)
    if balance <= 0:
        raise BillingError(
            _("The invoice %(number)s is paid in full: nothing remains to pay.") % {"number": invoice.display_number}
        )
    if amount > balance:
        raise BillingError(
            _("The payment (%(amount)s) is more than the invoice's balance (%(balance)s).")
            % {"amount": format_money(amount), "balance": format_money(balance)}
        )


@transaction.atomic
def record_payment(*, invoice, paid_on, amount, method=Payment.Method.CHEQUE, reference="", recorded_by=None):
    """Record a payment against ``invoice``; the one that settles it marks the membership paid.

    Refused (BillingError) for more than the balance, a cancelled invoice or a credit note.
    """
    invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
    check_payment(invoice, amount, paid_on=paid_on)
    payment = Payment.objects.create(
        invoice=invoice,
        paid_on=paid_on,
        amount=amount,
        method=method,
        reference=reference.strip(),
        recorded_by=recorded_by,
    )
    if paid_amount(invoice) == invoice.total:
        membership, _created = Membership.objects.get_or_create(
            member_id=invoice.member_id, fiscal_year=invoice.fiscal_year, defaults={"dues": invoice.subtotal}
        )
        membership.paid_on = paid_on
        membership.save(update_fields=["paid_on"])
    return payment


# --- PDF ----------------------------------------------------------------------------------------


def payment_label(payment, format_date):
    """« Paiement du 3 mai 2017 (chèque 1042) »."""
    means = payment.get_method_display()
    if payment.reference:
        means = f"{means} {payment.reference}"
    return _("Payment of %(day)s (%(means)s)") % {"day": format_date(payment.paid_on), "means": means}


def document_context(invoice, *, receipt=False):
    """What the invoice, credit note or receipt template prints. Two queries."""
    from django.contrib.staticfiles import finders

    from pole.formatting import format_date

    from .dues import format_rate

    payments = list(invoice.payments.all()) if not invoice.is_credit_note else []
    paid = sum((p.amount for p in payments), Decimal("0.00"))
    sign = -1 if invoice.is_credit_note else 1
    taxes = []
    if invoice.tps_rate:
        taxes.append(
            {"label": _("GST"), "rate": format_rate(invoice.tps_rate), "number": invoice.tps_number,
             "amount": format_money(sign * invoice.tps)}
        )
    if invoice.tvq_rate:
        taxes.append(
            {"label": _("QST"), "rate": format_rate(invoice.tvq_rate), "number": invoice.tvq_number,
             "amount": format_money(sign * invoice.tvq)}
        )
    if receipt:
        title = _("Receipt")
    elif invoice.is_credit_note:
        title = _("Credit note")
    else:
        title = _("Invoice")
    from pole.identity import get_identity, palette_css

    identity = get_identity()
    return {
        "invoice": invoice,
        "network": identity,
        "network_logo": identity.logo.url if identity.logo else "",
        # The brand's colours today; the names and numbers are the invoice's own, of its day.
        "palette_css": palette_css(identity),
        "title": title,
        "receipt": receipt,
        "subtotal": format_money(sign * invoice.subtotal),
        "taxes": taxes,
        "total": format_money(sign * invoice.total),
        "payments": [{"label": payment_label(p, format_date), "amount": format_money(p.amount)} for p in payments],
        "issued_on": format_date(invoice.issued_on),
        "due_on": format_date(invoice.due_on) if invoice.due_on else "",
        "stylesheet": Path(finders.find("members/invoice.css")).read_text(encoding="utf-8"),
        "paid": format_money(paid),
        "balance": format_money(invoice.total - paid),
        "is_paid": bool(payments) and paid == invoice.total,
        "bank_transfer": settings.POLE_BANK_TRANSFER_DETAILS,
        "cancelled_by": getattr(invoice, "credit_note", None) if not invoice.is_credit_note else None,
    }


def render_document_pdf(invoice, *, receipt=False):
    """Return the PDF bytes of ``invoice`` (or its receipt) with the report's fonts, WeasyPrint."""
    from pole.pdf import render_pdf

    html = render_to_string("members/invoices/document.html", document_context(invoice, receipt=receipt))
    return render_pdf(html)


def document_filename(invoice, *, receipt=False):
    prefix = _("receipt") if receipt else (_("credit-note") if invoice.is_credit_note else _("invoice"))
    return f"{prefix}-{invoice.display_number}.pdf"


def document_response(invoice, *, receipt):
    """The PDF of ``invoice`` (or its receipt) as a download."""
    response = HttpResponse(render_document_pdf(invoice, receipt=receipt), content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(
        True, document_filename(invoice, receipt=receipt)
    )
    return response


def document_for(queryset, pk, *, receipt):
    """The invoice ``pk`` of ``queryset``, 404 when absent — or, for a receipt, when not paid in full."""
    invoice = get_object_or_404(queryset.with_paid().select_related("cancels", "credit_note"), pk=pk)
    if receipt and (invoice.is_credit_note or invoice.paid_amount != invoice.total):
        raise Http404
    return invoice
