"""Who is a member's representative, and the mixin that keeps the portal to them."""

from django.contrib.auth.mixins import AccessMixin
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from members.models import Contact, Member


def representative_contact(user):
    """The contact an active, non-staff user represents, or None."""
    if not user.is_authenticated or not user.is_active or user.is_staff:
        return None
    try:
        return user.contact
    except Contact.DoesNotExist:
        return None


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
