"""Dues, renewal campaigns, invoices, credit notes and payments: the billing models.

They belong to the ``members`` app (its migrations, its tables); ``members.models``
imports them so that Django registers them there. The rules that write them are in
``dues.py``, ``invoices.py`` and ``renewals.py`` beside this file.
"""

from decimal import Decimal

from django.db import models
from django.db.models import OuterRef, Q, Subquery
from django.utils.translation import gettext_lazy as _

from members.models import Member, User
from pole.fiscal_years import FiscalYearField

MONEY = {"max_digits": 9, "decimal_places": 2}


class DuesRate(models.Model):
    """The yearly dues of one member category in one fiscal year, set by the Direction."""

    fiscal_year = FiscalYearField(_("fiscal year"))
    category = models.CharField(_("category"), max_length=20, choices=Member.Category.choices)
    amount = models.DecimalField(_("amount"), **MONEY, help_text=_("Before taxes."))

    class Meta:
        ordering = ["-fiscal_year", "category"]
        verbose_name = _("dues rate")
        verbose_name_plural = _("dues schedule")
        constraints = [
            models.UniqueConstraint(fields=["fiscal_year", "category"], name="members_duesrate_unique_year_category"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="members_duesrate_amount_not_negative"),
        ]

    def __str__(self):
        return f"{self.fiscal_year} — {self.get_category_display()}"


class RenewalCampaign(models.Model):
    """The renewal of memberships for one fiscal year: opened once by the Direction."""

    fiscal_year = FiscalYearField(_("fiscal year"), unique=True)
    opened_on = models.DateField(_("opened on"), null=True, blank=True, editable=False)
    opened_by = models.ForeignKey(
        User, verbose_name=_("opened by"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        editable=False,
    )
    closed = models.BooleanField(_("closed"), default=False, help_text=_("No more renewals from the portal."))

    class Meta:
        ordering = ["-fiscal_year"]
        verbose_name = _("renewal campaign")
        verbose_name_plural = _("renewal campaigns")
        permissions = [("open_renewalcampaign", _("Can open a renewal campaign"))]

    def __str__(self):
        return _("Renewals %(year)s") % {"year": self.fiscal_year}

    @property
    def is_open(self):
        return self.opened_on is not None and not self.closed


class DocumentCounter(models.Model):
    """The last number given to a kind of document in a fiscal year; locked while a number is taken."""

    kind = models.CharField(max_length=20)
    fiscal_year = FiscalYearField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["kind", "fiscal_year"]
        verbose_name = _("document counter")
        verbose_name_plural = _("document counters")
        constraints = [
            models.UniqueConstraint(fields=["kind", "fiscal_year"], name="members_documentcounter_unique_kind_year"),
        ]

    def __str__(self):
        return f"{self.kind} {self.fiscal_year}: {self.last_number}"


class InvoiceQuerySet(models.QuerySet):
    def invoices(self):
        return self.filter(kind=Invoice.Kind.INVOICE)

    def live(self):
        """Keep the invoices no credit note cancels."""
        return self.invoices().filter(credit_note__isnull=True)

    def with_paid(self):
        """Annotate ``paid_amount``: the sum of the invoice's payments (0 without any)."""
        from django.db.models import DecimalField, Sum
        from django.db.models.functions import Coalesce

        paid = (
            Payment.objects.filter(invoice=OuterRef("pk"))
            .order_by()
            .values("invoice")
            .annotate(total=Sum("amount"))
            .values("total")
        )
        return self.annotate(
            paid_amount=Coalesce(Subquery(paid, output_field=DecimalField(**MONEY)), Decimal("0.00"))
        )


class Invoice(models.Model):
    """An invoice for a year's dues, or the credit note cancelling one; never changed once issued.

    Numbers run from 1 without gaps per kind and fiscal year (``DocumentCounter``). The
    network's and the member's details are copied in when it is issued: the document says
    what was true that day, whatever changes later.
    """

    class Kind(models.TextChoices):
        INVOICE = "invoice", _("invoice")
        CREDIT_NOTE = "credit_note", _("credit note")

    PREFIXES = {Kind.INVOICE: "F", Kind.CREDIT_NOTE: "NC"}

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.INVOICE)
    fiscal_year = FiscalYearField(_("fiscal year"))
    number = models.PositiveIntegerField(_("number"))
    member = models.ForeignKey(Member, verbose_name=_("member"), on_delete=models.PROTECT, related_name="invoices")
    # The membership the invoice bills: PROTECT, so that the database itself refuses to delete a
    # membership that carries money (and a member through it). A credit note has none; the
    # invoice it cancels lets go of its unpaid membership (``cancel_invoice``).
    membership = models.ForeignKey(
        "members.Membership",
        verbose_name=_("membership"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="invoices",
    )
    issued_on = models.DateField(_("issued on"))
    due_on = models.DateField(_("due on"), null=True, blank=True)
    description = models.CharField(_("description"), max_length=255)
    subtotal = models.DecimalField(_("subtotal"), **MONEY)
    tps_rate = models.DecimalField(_("GST rate (%)"), max_digits=6, decimal_places=3, null=True, blank=True)
    tps = models.DecimalField(_("GST"), **MONEY, default=Decimal("0.00"))
    tvq_rate = models.DecimalField(_("QST rate (%)"), max_digits=6, decimal_places=3, null=True, blank=True)
    tvq = models.DecimalField(_("QST"), **MONEY, default=Decimal("0.00"))
    total = models.DecimalField(_("total"), **MONEY)
    tps_number = models.CharField(_("GST number"), max_length=40, blank=True)
    tvq_number = models.CharField(_("QST number"), max_length=40, blank=True)
    issuer_name = models.CharField(_("network"), max_length=255)
    issuer_address = models.TextField(_("network's address"), blank=True)
    member_name = models.CharField(_("member's name"), max_length=200)
    member_address = models.TextField(_("member's address"), blank=True)
    member_contact = models.TextField(
        _("member's billing contact"), blank=True, help_text=_("The person, e-mail and phone the invoice is sent to.")
    )
    reason = models.CharField(
        _("reason"), max_length=255, blank=True, help_text=_("Why the credit note cancels the invoice.")
    )
    cancels = models.OneToOneField(
        "self",
        verbose_name=_("cancels"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="credit_note",
    )
    issued_by = models.ForeignKey(
        User, verbose_name=_("issued by"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = InvoiceQuerySet.as_manager()

    class Meta:
        ordering = ["-fiscal_year", "kind", "-number"]
        verbose_name = _("invoice")
        verbose_name_plural = _("invoices")
        constraints = [
            models.UniqueConstraint(fields=["kind", "fiscal_year", "number"], name="members_invoice_unique_number"),
            models.CheckConstraint(condition=Q(number__gte=1), name="members_invoice_number_positive"),
            models.CheckConstraint(
                condition=Q(total=models.F("subtotal") + models.F("tps") + models.F("tvq")),
                name="members_invoice_total_adds_up",
            ),
            models.CheckConstraint(
                condition=Q(kind="invoice", cancels__isnull=True) | Q(kind="credit_note", cancels__isnull=False),
                name="members_invoice_credit_note_cancels_an_invoice",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display().capitalize()} {self.display_number} — {self.member_name}"

    @property
    def display_number(self):
        """« F2017-0001 »: the kind's prefix, the fiscal year's start year, the number."""
        return f"{self.PREFIXES[self.kind]}{self.fiscal_year.start_year}-{self.number:04d}"

    @property
    def is_credit_note(self):
        return self.kind == self.Kind.CREDIT_NOTE

    @property
    def is_cancelled(self):
        return not self.is_credit_note and hasattr(self, "credit_note")


class Payment(models.Model):
    """Money received against an invoice: by cheque or bank transfer, in full or in part."""

    class Method(models.TextChoices):
        CHEQUE = "cheque", _("cheque")
        TRANSFER = "transfer", _("bank transfer")
        CASH = "cash", _("cash")
        OTHER = "other", _("other")

    invoice = models.ForeignKey(Invoice, verbose_name=_("invoice"), on_delete=models.PROTECT, related_name="payments")
    paid_on = models.DateField(_("paid on"))
    method = models.CharField(_("method"), max_length=20, choices=Method.choices, default=Method.CHEQUE)
    reference = models.CharField(
        _("reference"), max_length=100, blank=True, help_text=_("Cheque number or transfer confirmation.")
    )
    amount = models.DecimalField(_("amount"), **MONEY)
    recorded_by = models.ForeignKey(
        User, verbose_name=_("recorded by"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded"), auto_now_add=True)
    # The payment's receipt: numbered from 1 per fiscal year of the payment's date, without
    # gaps (``DocumentCounter`` of kind « receipt », taken under its lock with the payment).
    receipt_year = FiscalYearField(_("receipt's fiscal year"), null=True, blank=True, editable=False)
    receipt_number = models.PositiveIntegerField(_("receipt number"), null=True, blank=True, editable=False)

    RECEIPT_KIND = "receipt"
    RECEIPT_PREFIX = "R"

    class Meta:
        ordering = ["paid_on", "pk"]
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="members_payment_amount_positive"),
            models.UniqueConstraint(
                fields=["receipt_year", "receipt_number"], name="members_payment_unique_receipt_number"
            ),
        ]

    def __str__(self):
        return f"{self.invoice.display_number} — {self.paid_on}"

    @property
    def receipt_display_number(self):
        """« R2017-0001 »: like the invoices' numbers, the fiscal year of the payment, then the number."""
        if self.receipt_number is None:
            return ""
        return f"{self.RECEIPT_PREFIX}{self.receipt_year.start_year}-{self.receipt_number:04d}"


class DuesNotice(models.Model):
    """An e-mail about a year's dues sent to a member's representatives: the reminders' log."""

    class Kind(models.TextChoices):
        INVITATION = "invitation", _("renewal invitation")
        RENEWAL_REMINDER = "renewal_reminder", _("renewal reminder")
        PAYMENT_REMINDER = "payment_reminder", _("payment reminder")

    member = models.ForeignKey(Member, verbose_name=_("member"), on_delete=models.CASCADE, related_name="dues_notices")
    fiscal_year = FiscalYearField(_("fiscal year"))
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    sent_on = models.DateField(_("sent on"))
    sent_at = models.DateTimeField(_("sent at"), auto_now_add=True)
    recipients = models.TextField(_("recipients"))

    class Meta:
        ordering = ["-sent_at"]
        verbose_name = _("dues notice")
        verbose_name_plural = _("dues notices")
        constraints = [
            # Never two e-mails about dues to one member on one day.
            models.UniqueConstraint(fields=["member", "sent_on"], name="members_duesnotice_once_a_day"),
        ]

    def __str__(self):
        return f"{self.member} — {self.get_kind_display()} — {self.sent_on}"
