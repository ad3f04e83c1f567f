"""The member portal, the public directory and the invitation link.

Who may see what:
- the portal (``/membre/…``): a representative, i.e. an active user linked to a
  contact; they reach only their own organisation (any id is looked up within it,
  404 otherwise). Anyone else logged in gets 403; anonymous visitors go to login.
- the directory (``/membres/…``): public, and shows only members of the directory's
  fiscal year who consented.
- the invitation link: public; the one-time token is the credential.
- renewals and invoices (``/membre/renouveler/…``, ``/membre/factures/…``): a representative,
  for their own organisation only (another organisation's invoice is a 404). Staff download
  invoices from the admin (members/admin.py).
"""

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.forms import SetPasswordForm
from django.contrib.auth.mixins import AccessMixin
from django.contrib.auth.views import LoginView
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Max, Prefetch
from django.forms import Form
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.generic import DeleteView, DetailView, FormView, TemplateView, UpdateView, View
from django.views.generic.edit import CreateView

from pole.fiscal_years import FiscalYear
from pole.text import fold

from . import invitations
from .billing import invoices
from .billing.dues import Taxes, dues_for, format_money
from .forms import ContactForm, DirectorySearchForm, EmailAuthenticationForm, MemberProfileForm, RenewalForm
from .models import Contact, Invoice, Member, Membership, RenewalCampaign

PORTAL_CHANGE_REASON = "Portail membre"


def representative_contact(user):
    """The contact an active, non-staff user represents, or None."""
    if not user.is_authenticated or not user.is_active or user.is_staff:
        return None
    try:
        return user.contact
    except Contact.DoesNotExist:
        return None


class SiteLoginView(LoginView):
    template_name = "accounts/login.html"
    authentication_form = EmailAuthenticationForm
    redirect_authenticated_user = True

    def get_default_redirect_url(self):
        if self.request.user.is_staff:
            return reverse("admin:index")
        return super().get_default_redirect_url()


class RepresentativeRequiredMixin(AccessMixin):
    """Only a member's representative; ``self.member`` is their organisation."""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        contact = representative_contact(request.user)
        if contact is None:
            raise PermissionDenied(_("This page is for the representatives of member organisations."))
        self.contact = contact
        self.member = Member.objects.select_related("territory", "sector").get(pk=contact.member_id)
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["member"] = self.member
        return context


class PortalView(RepresentativeRequiredMixin, TemplateView):
    template_name = "members/portal.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        memberships = list(self.member.memberships.order_by("-fiscal_year"))
        scope = directory_scope()
        context.update(
            memberships=memberships,
            contacts=self.member.contacts.select_related("user"),
            current_fiscal_year=FiscalYear.current(),
            listed=self.member.directory_consent and any(m.fiscal_year in scope.fiscal_years for m in memberships),
            campaign=open_campaign_for(self.member),
        )
        return context


class ProfileUpdateView(RepresentativeRequiredMixin, UpdateView):
    form_class = MemberProfileForm
    template_name = "members/profile_form.html"
    success_url = reverse_lazy("members:portal")

    def get_object(self, queryset=None):
        return self.member

    def form_valid(self, form):
        form.instance._change_reason = PORTAL_CHANGE_REASON
        messages.success(self.request, _("Your organisation's profile has been saved."))
        return super().form_valid(form)


class ContactListView(RepresentativeRequiredMixin, TemplateView):
    template_name = "members/contact_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["contacts"] = self.member.contacts.select_related("user")
        context["me"] = self.contact
        return context


class OwnContactMixin(RepresentativeRequiredMixin):
    """Contacts are looked up within the representative's organisation only."""

    model = Contact
    form_class = ContactForm
    success_url = reverse_lazy("members:contacts")

    def get_queryset(self):
        return Contact.objects.filter(member=self.member)


class ContactCreateView(OwnContactMixin, CreateView):
    template_name = "members/contact_form.html"

    def form_valid(self, form):
        form.instance.member = self.member
        form.instance._change_reason = PORTAL_CHANGE_REASON
        messages.success(self.request, _("The contact %(contact)s has been added.") % {"contact": form.instance})
        return super().form_valid(form)


class ContactUpdateView(OwnContactMixin, UpdateView):
    template_name = "members/contact_form.html"

    def form_valid(self, form):
        form.instance._change_reason = PORTAL_CHANGE_REASON
        messages.success(self.request, _("The contact %(contact)s has been saved.") % {"contact": form.instance})
        return super().form_valid(form)


class ContactDeleteView(OwnContactMixin, DeleteView):
    template_name = "members/contact_confirm_delete.html"
    form_class = Form  # the confirmation posts nothing but its CSRF token

    def get_object(self, queryset=None):
        contact = super().get_object(queryset)
        if contact.pk == self.contact.pk:
            raise PermissionDenied(_("You cannot remove yourself; ask the network's staff."))
        return contact

    def form_valid(self, form):
        contact = self.object
        # A removed person must not keep a way into the organisation's profile.
        try:
            invitations.deactivate(contact)
        except invitations.InvitationError:
            raise PermissionDenied from None  # a staff account: the network's staff untie it
        contact._change_reason = PORTAL_CHANGE_REASON
        messages.success(self.request, _("The contact %(contact)s has been removed.") % {"contact": contact})
        return super().form_valid(form)


# --- Public directory ---------------------------------------------------------------------


@dataclass(frozen=True)
class DirectoryScope:
    """Which memberships put a consenting member in the directory.

    A member is in good standing with a membership in the current fiscal year or the
    previous one: renewals come in during the year, so last year's members stay listed
    through this one. When neither year holds any membership (a database
    whose records stopped, such as the demo, in the middle of its 2017-2018 renewals), the
    same rule applies from the latest year that has memberships — that year and the one
    before — and the directory says so (``latest_recorded``).
    """

    fiscal_years: tuple
    latest_recorded: FiscalYear | None = None


def directory_scope():
    """Return the directory's ``DirectoryScope``. At most two queries."""
    current = FiscalYear.current()
    window = (current, current.previous)
    if Membership.objects.filter(fiscal_year__in=window).exists():
        return DirectoryScope(window)
    latest = Membership.objects.filter(fiscal_year__lt=current.previous).aggregate(latest=Max("fiscal_year"))
    if latest["latest"] is None:
        return DirectoryScope(())
    latest = FiscalYear.parse(latest["latest"])
    return DirectoryScope((latest, latest.previous), latest_recorded=latest)


def directory_members(scope):
    """The consenting members of ``scope``'s fiscal years, by name."""
    return Member.objects.listed_in_directory(scope.fiscal_years)


PAGE_SIZE = 12


def directory(request):
    """Public: the members of the directory's fiscal year who agreed to be listed."""
    scope = directory_scope()
    members = list(directory_members(scope))
    sectors = sorted({m.sector for m in members if m.sector}, key=lambda sector: fold(sector.name))
    territories = sorted({m.territory for m in members if m.territory}, key=lambda t: (t.order, t.name))
    form = DirectorySearchForm(request.GET or None, sectors=sectors, territories=territories)
    if form.is_valid():
        query = fold(form.cleaned_data["q"])
        if query:
            members = [m for m in members if query in fold(f"{m.name} {m.sector or ''} {m.description}")]
        if form.cleaned_data["sector"]:
            members = [m for m in members if str(m.sector_id) == form.cleaned_data["sector"]]
        if form.cleaned_data["territory"]:
            members = [m for m in members if str(m.territory_id) == form.cleaned_data["territory"]]
    page = Paginator(members, PAGE_SIZE).get_page(request.GET.get("page"))
    query_string = request.GET.copy()
    query_string.pop("page", None)
    return render(
        request,
        "members/directory.html",
        {
            "form": form,
            "page": page,
            "scope": scope,
            "filtered": form.is_bound and any(form.cleaned_data.values()) if form.is_valid() else False,
            "query_string": query_string.urlencode(),
        },
    )


class DirectoryDetailView(DetailView):
    """Public: one listed member's page."""

    template_name = "members/directory_detail.html"
    context_object_name = "member"

    def get_queryset(self):
        return directory_members(directory_scope()).prefetch_related(
            Prefetch("memberships", queryset=Membership.objects.order_by("fiscal_year"))
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        years = [m.fiscal_year for m in self.object.memberships.all()]
        context["member_since"] = years[0] if years else None
        return context


# --- Invitations ----------------------------------------------------------------------------


@never_cache
def accept_invitation(request, token):
    """Public: the one-time link of an invitation; the invited person chooses a password."""
    invitation = invitations.find_usable(token)
    if invitation is None:
        return render(request, "accounts/invitation_invalid.html", status=404)
    if request.user.is_authenticated and request.user.pk != invitation.contact.user_id:
        # Someone else's session on this browser must not be mixed with the invitation.
        logout(request)
    user, problem = invitations.account_for(invitation)
    if problem:
        return render(request, "accounts/invitation_invalid.html", {"problem": problem}, status=409)
    form = SetPasswordForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = invitations.accept(invitation, form.cleaned_data["new_password1"])
        except invitations.InvitationError as error:
            # The account changed since the page was shown (accept reads it afresh, locked).
            return render(request, "accounts/invitation_invalid.html", {"problem": str(error)}, status=409)
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, _("Welcome! Your account is ready; you can update your organisation's profile."))
        return redirect("members:portal")
    return render(request, "accounts/invitation_accept.html", {"form": form, "invitation": invitation})


# --- Renewals and invoices in the portal -----------------------------------------------------


def open_campaign_for(member):
    """The open campaign whose year ``member`` has no invoice for yet, or None (the earliest). One query."""
    return (
        RenewalCampaign.objects.filter(opened_on__isnull=False, closed=False)
        .exclude(fiscal_year__in=Invoice.objects.live().filter(member=member).values("fiscal_year"))
        .order_by("fiscal_year")
        .first()
    )


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
            .order_by("-fiscal_year", "-issued_on", "-pk")
        )
        context["invoices"] = [
            {
                "invoice": invoice,
                "total": format_money(invoice.total),
                "balance": format_money(invoice.total - invoice.paid_amount),
                "paid": not invoice.is_credit_note and invoice.paid_amount == invoice.total,
                "cancelled": invoice.is_cancelled,
            }
            for invoice in rows
        ]
        context["campaign"] = open_campaign_for(self.member)
        return context


def _pdf_response(invoice, *, receipt):
    response = HttpResponse(invoices.render_document_pdf(invoice, receipt=receipt), content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(
        True, invoices.document_filename(invoice, receipt=receipt)
    )
    return response


def document_for(queryset, pk, *, receipt):
    """The invoice ``pk`` of ``queryset``, 404 when absent — or, for a receipt, when not paid in full."""
    invoice = get_object_or_404(queryset.with_paid().select_related("cancels", "credit_note"), pk=pk)
    if receipt and (invoice.is_credit_note or invoice.paid_amount != invoice.total):
        raise Http404
    return invoice


class InvoicePdfView(RepresentativeRequiredMixin, View):
    """A representative downloads one of their organisation's documents (404 for any other)."""

    receipt = False

    def get(self, request, pk):
        return _pdf_response(document_for(Invoice.objects.filter(member=self.member), pk, receipt=self.receipt), receipt=self.receipt)
