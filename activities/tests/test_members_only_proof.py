"""Registering as a member needs proof: a representative logged in to the portal (issue 21, medium).

An anonymous visitor could pick any member organisation in the public form, register as that
member on a members-only event, at the member price, and appear in that member's portal.
"""

import pytest
from django.urls import reverse

from activities.models import Registration
from activities.tests.factories import EventFactory
from members.tests.factories import MemberFactory, RepresentativeFactory

pytestmark = pytest.mark.django_db


def form_data(**changes):
    return {"name": "Marie Tremblay", "email": "marie@exemple.org", "organisation": "", "phone": "", "needs": "",
            "site_web": "", **changes}


def test_an_anonymous_visitor_cannot_register_as_a_member_on_a_members_only_event(client):
    member = MemberFactory(name="Coop du Rucher")
    event = EventFactory(non_members_allowed=False)
    url = reverse("activities:detail", args=[event.pk])

    page = client.get(url).content.decode()
    response = client.post(url, form_data(member=member.pk))

    assert "Cette activité est réservée aux organisations membres." in page
    assert 'id="registration-form"' not in page
    assert response.status_code == 400
    assert not Registration.objects.exists()


def test_an_anonymous_visitor_registers_as_a_non_member_whatever_member_is_posted(client):
    member = MemberFactory(name="Coop du Rucher")
    event = EventFactory(non_members_allowed=True)

    response = client.post(
        reverse("activities:detail", args=[event.pk]), form_data(member=member.pk, organisation="Coop du Rucher")
    )

    assert response.status_code == 302
    registration = Registration.objects.get()
    assert (registration.member, registration.organisation) == (None, "Coop du Rucher")


def test_without_an_organisation_the_form_says_so_in_french(client):
    event = EventFactory(non_members_allowed=True)

    response = client.post(reverse("activities:detail", args=[event.pk]), form_data())

    assert "Écrivez le nom de votre organisation." in response.content.decode()
    assert not Registration.objects.exists()


def test_a_logged_in_representative_registers_for_their_member(client):
    representative = RepresentativeFactory(email="lea@rucher.org")
    event = EventFactory(non_members_allowed=False)
    client.force_login(representative.user)

    response = client.post(reverse("activities:detail", args=[event.pk]), form_data(email="lea@rucher.org"))

    assert response.status_code == 302
    assert Registration.objects.get().member == representative.member
