"""Portal accounts never outlive their contact nor reach into staff accounts."""

import pytest
from django.urls import reverse
from django.utils import translation

from members import invitations
from members.models import Contact, Invitation, User
from members.tests.factories import ContactFactory, InvitationFactory, MemberFactory, RepresentativeFactory, UserFactory
from pole.models import OutboxMessage
from pole.tests.test_roles import form_data

pytestmark = pytest.mark.django_db


def french(message, contact=None):
    with translation.override("fr-ca"):
        text = translation.gettext(message)
    return text % {"contact": contact} if contact is not None else text


def french_plural(singular, plural, count):
    with translation.override("fr-ca"):
        return translation.ngettext(singular, plural, count) % {"count": count}


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


# --- The contact's account is set by accepting an invitation, never by a form -----------------
# The attack: Personnel ties a contact to the Direction's account, gives it their own e-mail,
# invites it and chooses the password; or deactivates that contact to lock the Direction out.

ATTACKER_EMAIL = "pirate@exemple.org"
STAFF_KINDS = ["staff", "superuser"]


@pytest.fixture(params=STAFF_KINDS)
def staff_account(request, direction_user):
    """The Direction's account, or a superuser that is not staff: neither may be a contact's."""
    if request.param == "superuser":
        return UserFactory(email="racine@exemple.org", is_staff=False, is_superuser=True)
    return direction_user


@pytest.fixture
def forced_contact(staff_account):
    """A contact tied to a staff account in the database, whatever the forms allow."""
    return ContactFactory(member=MemberFactory(), email=ATTACKER_EMAIL, user=staff_account)


def assert_untouched(account):
    account.refresh_from_db()
    assert account.check_password("mot-de-passe-de-test")
    assert account.is_active
    assert account.is_staff or account.is_superuser


def test_adding_a_contact_in_the_admin_ignores_a_posted_account(personnel_client, direction_user):
    member = MemberFactory()
    add_url = reverse("admin:members_contact_add")
    page = personnel_client.get(add_url)
    assert "user" not in page.context["adminform"].form.fields
    data = {
        **form_data(page),
        "member": member.pk,
        "first_name": "Pierre",
        "last_name": "Pirate",
        "email": ATTACKER_EMAIL,
        "user": direction_user.pk,
    }

    response = personnel_client.post(add_url, data)

    assert response.status_code == 302
    contact = Contact.objects.get(email=ATTACKER_EMAIL)
    assert contact.user is None


def test_changing_a_contact_in_the_admin_ignores_a_posted_account(personnel_client, direction_user):
    contact = ContactFactory(email=ATTACKER_EMAIL)
    url = reverse("admin:members_contact_change", args=[contact.pk])
    page = personnel_client.get(url)
    assert "user" not in page.context["adminform"].form.fields

    response = personnel_client.post(url, {**form_data(page), "user": direction_user.pk})

    assert response.status_code == 302
    contact.refresh_from_db()
    assert contact.user is None


def test_the_contact_page_shows_the_account_without_a_field_for_it(personnel_client):
    representative = RepresentativeFactory(email="lea@exemple.org", first_name="Léa", last_name="Roy")
    page = personnel_client.get(reverse("admin:members_contact_change", args=[representative.pk]))
    html = page.content.decode()
    assert 'name="user"' not in html
    assert "Léa Roy" in html  # the account, read only


def test_the_member_pages_contact_inline_ignores_a_posted_account(personnel_client, direction_user):
    contact = ContactFactory(email="existant@exemple.org")
    member = contact.member
    url = reverse("admin:members_member_change", args=[member.pk])
    page = personnel_client.get(url)
    inline = next(i for i in page.context["inline_admin_formsets"] if i.opts.model is Contact)
    assert "user" not in inline.formset.form.base_fields
    data = form_data(page)
    prefix = inline.formset.prefix
    assert data[f"{prefix}-TOTAL_FORMS"] == "1"
    data.update(
        {
            f"{prefix}-0-user": direction_user.pk,
            # and a new contact on the same page
            f"{prefix}-TOTAL_FORMS": "2",
            f"{prefix}-1-member": member.pk,
            f"{prefix}-1-first_name": "Pierre",
            f"{prefix}-1-last_name": "Pirate",
            f"{prefix}-1-email": ATTACKER_EMAIL,
            f"{prefix}-1-user": direction_user.pk,
        }
    )

    response = personnel_client.post(url, data)

    assert response.status_code == 302, response.context and response.context["errors"]
    contact.refresh_from_db()
    assert contact.user is None
    assert Contact.objects.get(email=ATTACKER_EMAIL).user is None
    assert not Contact.objects.filter(user=direction_user).exists()


def test_sending_an_invitation_to_a_contact_tied_to_staff_is_refused(
    personnel_client, forced_contact, staff_account, mailoutbox
):
    with pytest.raises(invitations.InvitationError):
        invitations.invite(forced_contact, sent_by=None, base_url="http://testserver/")

    response = personnel_client.post(
        reverse("admin:members_contact_changelist"),
        {"action": "send_invitation", "_selected_action": [str(forced_contact.pk)]},
        follow=True,
    )

    assert mailoutbox == [] and not OutboxMessage.objects.exists()
    assert not Invitation.objects.exists()
    reason = french("%(contact)s is tied to a staff account, which the member portal never uses.", forced_contact)
    assert [str(m) for m in response.context["messages"]] == [french("Not sent: %(reason)s") % {"reason": reason}]
    assert_untouched(staff_account)


def test_accepting_an_invitation_of_a_contact_tied_to_staff_is_refused(client, forced_contact, staff_account):
    invitation = InvitationFactory(contact=forced_contact, token="jeton-force")
    url = reverse("members:accept-invitation", args=["jeton-force"])
    password = "Phrase-du-pirate-2026"

    with pytest.raises(invitations.InvitationError):
        invitations.accept(invitation, password)
    page = client.get(url)
    response = client.post(url, {"new_password1": password, "new_password2": password})

    problem = french(
        "This invitation cannot open the account it is tied to. Ask the network's staff to invite you again."
    )
    for refused in (page, response):
        assert refused.status_code == 409
        assert problem in refused.content.decode().replace("&#x27;", "'")
    assert "_auth_user_id" not in client.session
    assert_untouched(staff_account)
    invitation.refresh_from_db()
    assert invitation.accepted_at is None


def test_accepting_refuses_an_account_tied_to_another_contact():
    """``accept`` reads the contact's account afresh, locked, and refuses it when it is someone else's."""
    representative = RepresentativeFactory(email="lea@exemple.org")
    invited = ContactFactory(email="lea@exemple.org")
    invitation = InvitationFactory(contact=invited)
    invited.user = representative.user  # as if a form had let it through, unsaved
    with pytest.raises(invitations.InvitationError):
        invitations.accept(invitation, "Phrase-du-pirate-2026")
    representative.user.refresh_from_db()
    assert representative.user.check_password("mot-de-passe-de-test")


def test_deactivating_a_contact_tied_to_staff_is_refused(personnel_client, forced_contact, staff_account):
    pending = InvitationFactory(contact=forced_contact)
    with pytest.raises(invitations.InvitationError):
        invitations.deactivate(forced_contact)

    response = personnel_client.post(
        reverse("admin:members_contact_changelist"),
        {"action": "deactivate_access", "_selected_action": [str(forced_contact.pk)]},
        follow=True,
    )

    reason = french(
        "%(contact)s is tied to a staff account, which is never deactivated from the contacts list.", forced_contact
    )
    assert [str(m) for m in response.context["messages"]] == [
        french_plural("%(count)d account deactivated.", "%(count)d accounts deactivated.", 0),
        french("Not deactivated: %(reason)s") % {"reason": reason},
    ]
    assert_untouched(staff_account)
    pending.refresh_from_db()
    assert pending.revoked_at is None


def test_deleting_a_contact_tied_to_staff_leaves_the_account_open(personnel_client, forced_contact, staff_account):
    url = reverse("admin:members_contact_delete", args=[forced_contact.pk])
    assert personnel_client.post(url, {"post": "yes"}).status_code == 302
    assert not Contact.objects.filter(pk=forced_contact.pk).exists()
    assert_untouched(staff_account)


def test_a_representative_cannot_remove_a_colleague_tied_to_staff(client, forced_contact, staff_account):
    representative = RepresentativeFactory(member=forced_contact.member)
    client.force_login(representative.user)
    response = client.post(reverse("members:contact-delete", args=[forced_contact.pk]))
    assert response.status_code == 403
    assert Contact.objects.filter(pk=forced_contact.pk).exists()
    assert_untouched(staff_account)


def test_an_account_taken_between_the_page_and_the_password_is_refused_in_french(client, monkeypatch):
    """Should ``accept`` find the account changed since the page was shown, the page says so (409), no 500."""
    invited = ContactFactory(email="lea@exemple.org")
    InvitationFactory(contact=invited, token="jeton-course")
    url = reverse("members:accept-invitation", args=["jeton-course"])
    assert client.get(url).status_code == 200

    def taken(invitation, password):
        raise invitations.InvitationError(str(invitations.ACCOUNT_NOT_OPENABLE))

    monkeypatch.setattr(invitations, "accept", taken)
    response = client.post(url, {"new_password1": "Une-phrase-solide-2026", "new_password2": "Une-phrase-solide-2026"})
    assert response.status_code == 409
    assert "Cette invitation ne peut pas ouvrir le compte auquel elle est liée." in response.content.decode()
