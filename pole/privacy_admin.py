"""An admin action for every list of people (contacts, registrations, staff): see everything the
app holds about the selected person, found by e-mail (``admin:pole_person_data``)."""

from django.contrib import admin, messages
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


class PersonDataActionMixin:
    """Adds « See this person's data » to a ModelAdmin whose rows have an ``email``; the Direction's."""

    def get_actions(self, request):
        actions = super().get_actions(request)
        if request.user.has_perm("pole.view_privacyrequest"):
            action = PersonDataActionMixin.person_data
            actions["person_data"] = (action, "person_data", action.short_description)
        return actions

    @admin.action(description=_("See everything the app holds about this person"))
    def person_data(self, request, queryset):
        emails = {email for email in queryset.values_list("email", flat=True) if email}
        if len(emails) != 1:
            self.message_user(
                request, gettext("Select one person with an e-mail address: their data is found by it."), messages.ERROR
            )
            return None
        return HttpResponseRedirect(reverse("admin:pole_person_data", query={"email": emails.pop()}))
