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


from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.forms import SetPasswordForm
from django.contrib.auth.views import LoginView
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.forms import Form
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.generic import DeleteView, DetailView, TemplateView, UpdateView
from django.views.generic.edit import CreateView

from pole.collation import french_sort_key, french_sorted
from pole.fiscal_years import FiscalYear
from pole.models import ConsentRecord
from pole.page_cache import public_page
from pole.privacy import (
    collect_person_data,
    has_active_consent,
    person_data_response,
    record_consent,
    record_consent_change,
    record_export,
)
from pole.text import fold

from . import invitations
from .access import RepresentativeRequiredMixin
from .billing.selectors import open_campaign_for
from .forms import NEWS_CONSENT_WORDING, ContactForm, DirectorySearchForm, EmailAuthenticationForm, MemberProfileForm
from .models import Contact, Membership
from .selectors import directory_members, directory_scope
from .services import record_directory_consent

PORTAL_CHANGE_REASON = "Portail membre"


class SiteLoginView(LoginView):
    template_name = "accounts/login.html"
    authentication_form = EmailAuthenticationForm
    redirect_authenticated_user = True

    def get_default_redirect_url(self):
        if self.request.user.is_staff:
            return reverse("admin:index")
        return super().get_default_redirect_url()


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

    def get_initial(self):
        # The news consent is the representative's own, as recorded: ticked only when given and not withdrawn.
        return {"news_consent": has_active_consent(email=self.request.user.email, purpose=ConsentRecord.Purpose.NEWS)}

    def form_valid(self, form):
        form.instance._change_reason = PORTAL_CHANGE_REASON
        response = super().form_valid(form)
        user, name = self.request.user, str(self.contact)
        if "directory_consent" in form.changed_data:
            record_directory_consent(self.object, how=ConsentRecord.Channel.PORTAL, user=user, name=name)
        if "news_consent" in form.changed_data:
            record_consent_change(
                given=form.cleaned_data["news_consent"],
                purpose=ConsentRecord.Purpose.NEWS,
                how=ConsentRecord.Channel.PORTAL,
                subject=name,
                subject_key=f"members.contact:{self.contact.pk}",
                wording=form.fields["news_consent"].label,
                email=user.email,
                name=name,
                user=user,
            )
        messages.success(self.request, _("Your organisation's profile has been saved."))
        return response


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


class MyDataView(RepresentativeRequiredMixin, View):
    """A representative downloads everything the app holds about them (JSON or HTML): their own only.

    Matched on their account's and their contact's addresses; the download is logged.
    """

    def get(self, request, file_format):
        data = collect_person_data(request.user.email)
        record_export(user=request.user, what=f"données personnelles ({file_format}, portail) : {data['email']}")
        return person_data_response(data, file_format, request=request)


# --- Public directory ---------------------------------------------------------------------


PAGE_SIZE = 12


@public_page
def directory(request):
    """Public: the members of the directory's fiscal year who agreed to be listed."""
    scope = directory_scope()
    members = list(directory_members(scope))
    sectors = french_sorted({m.sector for m in members if m.sector}, key=lambda sector: sector.name)
    territories = sorted({m.territory for m in members if m.territory}, key=lambda t: (t.order, french_sort_key(t.name)))
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


@method_decorator(public_page, name="dispatch")
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
        if request.POST.get("news_consent"):
            record_consent(
                email=user.email,
                name=str(invitation.contact),
                purpose=ConsentRecord.Purpose.NEWS,
                wording=NEWS_CONSENT_WORDING,
                how=ConsentRecord.Channel.INVITATION,
                subject_key=f"members.contact:{invitation.contact_id}",
                subject=str(invitation.contact),
            )
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, _("Welcome! Your account is ready; you can update your organisation's profile."))
        return redirect("members:portal")
    return render(
        request,
        "accounts/invitation_accept.html",
        {"form": form, "invitation": invitation, "news_consent_wording": NEWS_CONSENT_WORDING},
    )


# --- Renewals and invoices in the portal -----------------------------------------------------


