"""Portal accounts never outlive their contact nor reach into staff accounts."""

import pytest
from django.urls import reverse

from members.models import Contact, User
from members.tests.factories import ContactFactory, InvitationFactory, MemberFactory, RepresentativeFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_deleting_a_contact_in_the_admin_closes_its_account(personnel_client):
    representative = RepresentativeFactory()
    url = reverse("admin:members_contact_delete", args=[representative.pk])
    assert personnel_client.post(url, {"post": "yes"}).status_code == 302
    assert not Contact.objects.filter(pk=representative.pk).exists()
    assert User.objects.get(pk=representative.user_id).is_active is False


def test_deleting_a_member_closes_its_contacts_accounts():
    representative = RepresentativeFactory()
    representative.member.delete()
    assert User.objects.get(pk=representative.user_id).is_active is False


def test_an_invitation_cannot_take_over_a_staff_account(client):
    staff = UserFactory(email="equipe@exemple.org", is_staff=True)
    contact = ContactFactory(member=MemberFactory(), email="equipe@exemple.org")
    InvitationFactory(contact=contact, token="jeton-personnel")
    url = reverse("members:accept-invitation", args=["jeton-personnel"])

    response = client.post(url, {"new_password1": "Phrase-secrete-2026", "new_password2": "Phrase-secrete-2026"})

    assert response.status_code == 409
    assert "a déjà un compte lié à une autre organisation" in response.content.decode()
    staff.refresh_from_db()
    assert staff.check_password("mot-de-passe-de-test")
    contact.refresh_from_db()
    assert contact.user is None
