"""Invitations to the member portal: sent from the contacts admin, accepted once, within seven days."""

import datetime
import re
from unittest import mock

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test import Client, TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.text import capfirst

from members import invitations
from members.models import Contact, Invitation, User
from members.tests.factories import (
    ContactFactory,
    InvitationFactory,
    MemberFactory,
    RepresentativeFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:members_contact_changelist"
LINK = re.compile(r"http://testserver/invitation/([^/\s]+)/")
PASSWORD = "Une-phrase-de-passe-solide-42"


def french(message, **params):
    with translation.override("fr-ca"):
        text = translation.gettext(message)
    return text % params if params else text


def french_plural(singular, plural, count, **params):
    with translation.override("fr-ca"):
        return translation.ngettext(singular, plural, count) % {"count": count, **params}


def message_texts(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def run_action(client, action, contacts):
    # The e-mails leave the outbox once the action's transaction commits.
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(
            reverse(CHANGELIST),
            {"action": action, "_selected_action": [str(c.pk) for c in contacts]},
            follow=True,
        )


def token_in(mail):
    return LINK.search(mail.body)[1]


def accept_url(token):
    return reverse("members:accept-invitation", args=[token])


@pytest.fixture
def member():
    return MemberFactory(name="Coopérative Gamma")


@pytest.fixture
def contact(member):
    return ContactFactory(member=member, first_name="Gisèle", last_name="Gamma", email="gisele@gamma.exemple.org")


def invite(contact, sent_by=None):
    """Invite ``contact`` as staff would; return the token of the link e-mailed."""
    from django.core import mail

    before = len(mail.outbox)
    with TestCase.captureOnCommitCallbacks(execute=True):
        invitations.invite(contact, sent_by=sent_by, base_url="http://testserver/")
    return token_in(mail.outbox[before])


# --- Sending ------------------------------------------------------------------------------


@pytest.mark.parametrize("staff_client", ["personnel_client", "direction_client"])
def test_the_admin_action_sends_one_email_per_contact(request, member, contact, mailoutbox, staff_client):
    client = request.getfixturevalue(staff_client)
    staff = client.session["_auth_user_id"]
    other = ContactFactory(member=MemberFactory(name="Mutuelle Delta"), email="Denis@Delta.exemple.org")

    response = run_action(client, "send_invitation", [contact, other])

    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == reverse(CHANGELIST)
    assert message_texts(response) == [french_plural("%(count)d invitation sent.", "%(count)d invitations sent.", 2)]
    assert len(mailoutbox) == 2
    assert sorted(m.to[0] for m in mailoutbox) == ["denis@delta.exemple.org", "gisele@gamma.exemple.org"]
    sent = {m.to[0]: m for m in mailoutbox}
    mail = sent["gisele@gamma.exemple.org"]
    assert len(mail.to) == 1
    assert "Coopérative Gamma" in mail.subject
    assert "Gisèle" in mail.body
    token = token_in(mail)
    assert token_in(sent["denis@delta.exemple.org"]) != token

    invitation = Invitation.objects.get(contact=contact)
    assert invitation.email == "gisele@gamma.exemple.org"
    assert str(invitation.sent_by_id) == staff
    assert invitation.is_usable
    # Only a hash of the token is kept.
    assert invitation.token_hash != token
    assert token not in invitation.token_hash
    assert invitation.token_hash == Invitation.hash_token(token)
    assert abs(invitation.expires_at - (timezone.now() + datetime.timedelta(days=7))) < datetime.timedelta(minutes=1)
    assert Invitation.objects.get(contact=other).email == "denis@delta.exemple.org"
    # Nothing is created for the contact before the link is used.
    contact.refresh_from_db()
    assert contact.user is None
    assert not User.objects.filter(email__iexact=contact.email).exists()


def test_the_link_shows_the_set_password_page(client, contact):
    token = invite(contact)
    response = client.get(accept_url(token))
    assert response.status_code == 200
    assert "accounts/invitation_accept.html" in [t.name for t in response.templates]
    assert set(response.context["form"].fields) == {"new_password1", "new_password2"}
    assert "gisele@gamma.exemple.org" in response.content.decode()
    assert response["Cache-Control"].startswith("max-age=0")


def test_accepting_creates_the_account_logs_in_and_opens_the_portal(client, contact):
    token = invite(contact)
    response = client.post(accept_url(token), {"new_password1": PASSWORD, "new_password2": PASSWORD})

    assert response.status_code == 302
    assert response.url == reverse("members:portal")
    contact.refresh_from_db()
    user = contact.user
    assert user is not None
    assert (user.email, user.first_name, user.last_name) == ("gisele@gamma.exemple.org", "Gisèle", "Gamma")
    assert user.is_active and not user.is_staff and not user.is_superuser
    assert user.check_password(PASSWORD)
    assert client.session["_auth_user_id"] == str(user.pk)
    assert Invitation.objects.get(contact=contact).accepted_at is not None
    portal = client.get(reverse("members:portal"))
    assert portal.status_code == 200
    assert portal.context["member"] == contact.member
    assert message_texts(portal) == [
        french("Welcome! Your account is ready; you can update your organisation's profile.")
    ]
    # The password works at the login page too.
    fresh = Client()
    assert fresh.post("/connexion/", {"username": "GISELE@gamma.exemple.org", "password": PASSWORD}).status_code == 302


def assert_invalid_link_page(response):
    assert response.status_code == 404
    assert "accounts/invitation_invalid.html" in [t.name for t in response.templates]
    assert french("This invitation no longer works") in response.content.decode().replace("&#x27;", "'")
    assert "Cette invitation ne fonctionne plus" in response.content.decode()


def test_the_link_works_once(client, contact):
    token = invite(contact)
    client.post(accept_url(token), {"new_password1": PASSWORD, "new_password2": PASSWORD})
    other = Client()
    assert_invalid_link_page(other.get(accept_url(token)))
    response = other.post(accept_url(token), {"new_password1": "Autre-phrase-123", "new_password2": "Autre-phrase-123"})
    assert_invalid_link_page(response)
    contact.refresh_from_db()
    assert contact.user.check_password(PASSWORD)
    assert "_auth_user_id" not in other.session


def test_an_unknown_token_gives_the_invalid_page(client, contact):
    invite(contact)
    assert_invalid_link_page(client.get(accept_url("n-importe-quoi")))


@pytest.mark.parametrize(
    ("password1", "password2", "field", "error"),
    [
        (
            "court",
            "court",
            "new_password2",
            "Ce mot de passe est trop court. Il doit contenir au minimum 8 caractères.",
        ),
        ("password123", "password123", "new_password2", "Ce mot de passe est trop courant."),
        ("12345678901", "12345678901", "new_password2", "Ce mot de passe est entièrement numérique."),
        (PASSWORD, PASSWORD + "x", "new_password2", "Les deux mots de passe ne correspondent pas."),
    ],
)
def test_a_weak_or_mismatched_password_is_refused_in_french(client, contact, password1, password2, field, error):
    token = invite(contact)
    response = client.post(accept_url(token), {"new_password1": password1, "new_password2": password2})
    assert response.status_code == 200
    assert error in response.context["form"].errors[field]
    contact.refresh_from_db()
    assert contact.user is None
    assert not User.objects.filter(email__iexact=contact.email).exists()
    assert Invitation.objects.get(contact=contact).is_usable
    assert "_auth_user_id" not in client.session


def test_the_link_expires_after_seven_days(client, contact):
    token = invite(contact)
    in_six_days = timezone.now() + datetime.timedelta(days=6, hours=23)
    with mock.patch("django.utils.timezone.now", return_value=in_six_days):
        assert client.get(accept_url(token)).status_code == 200
    in_seven_days = timezone.now() + datetime.timedelta(days=7, minutes=1)
    with mock.patch("django.utils.timezone.now", return_value=in_seven_days):
        assert_invalid_link_page(client.get(accept_url(token)))
        response = client.post(accept_url(token), {"new_password1": PASSWORD, "new_password2": PASSWORD})
        assert_invalid_link_page(response)
    contact.refresh_from_db()
    assert contact.user is None


def test_an_invitation_past_its_expiry_date_is_refused(client, contact):
    token = invite(contact)
    Invitation.objects.filter(contact=contact).update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    assert_invalid_link_page(client.get(accept_url(token)))


def test_re_inviting_revokes_the_earlier_links(client, personnel_client, contact, mailoutbox):
    run_action(personnel_client, "send_invitation", [contact])
    run_action(personnel_client, "send_invitation", [contact])
    assert len(mailoutbox) == 2
    first, second = token_in(mailoutbox[0]), token_in(mailoutbox[1])
    assert first != second
    older, newer = Invitation.objects.filter(contact=contact).order_by("created_at", "pk")
    assert older.revoked_at is not None
    assert newer.revoked_at is None and newer.is_usable
    personnel_client.logout()
    assert_invalid_link_page(client.get(accept_url(first)))
    assert client.get(accept_url(second)).status_code == 200


def test_a_contact_without_email_is_not_invited(personnel_client, member, contact, mailoutbox):
    silent = ContactFactory(member=member, first_name="Sans", last_name="Courriel", email="")
    response = run_action(personnel_client, "send_invitation", [silent, contact])
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["gisele@gamma.exemple.org"]
    assert not Invitation.objects.filter(contact=silent).exists()
    reason = french("%(contact)s has no e-mail address.", contact="Sans Courriel")
    assert message_texts(response) == [
        french_plural("%(count)d invitation sent.", "%(count)d invitations sent.", 1),
        french("Not sent: %(reason)s", reason=reason),
    ]
    levels = [m.level_tag for m in get_messages(response.wsgi_request)]
    assert levels == ["success", "error"]


@pytest.mark.parametrize("case", ["staff", "staff-other-case", "another-representative"])
def test_an_address_of_another_account_is_refused(personnel_client, personnel_user, member, mailoutbox, case):
    if case == "staff":
        email = personnel_user.email
    elif case == "staff-other-case":
        email = personnel_user.email.upper()
    else:
        email = RepresentativeFactory(member=MemberFactory()).email
    contact = ContactFactory(member=member, email=email)
    response = run_action(personnel_client, "send_invitation", [contact])
    assert mailoutbox == []
    assert not Invitation.objects.filter(contact=contact).exists()
    assert message_texts(response) == [
        french(
            "Not sent: %(reason)s",
            reason=french("The address %(email)s already belongs to another account.", email=email),
        )
    ]
    personnel_user.refresh_from_db()
    assert personnel_user.is_staff


def test_a_staff_address_is_refused_by_invite_itself(personnel_user, member, mailoutbox):
    contact = ContactFactory(member=member, email=personnel_user.email)
    with TestCase.captureOnCommitCallbacks(execute=True), pytest.raises(invitations.InvitationError):
        invitations.invite(contact, sent_by=None, base_url="http://testserver/")
    assert mailoutbox == []
    assert not Invitation.objects.exists()


def test_an_existing_account_without_contact_is_reused(client, contact):
    orphan = UserFactory(email="gisele@gamma.exemple.org", first_name="G.", last_name="")
    token = invite(contact)
    response = client.post(accept_url(token), {"new_password1": PASSWORD, "new_password2": PASSWORD})
    assert response.status_code == 302
    contact.refresh_from_db()
    assert contact.user == orphan
    assert User.objects.filter(email__iexact="gisele@gamma.exemple.org").count() == 1
    orphan.refresh_from_db()
    assert orphan.check_password(PASSWORD)
    assert orphan.first_name == "G."
    assert orphan.last_name == "Gamma"


def test_re_inviting_a_deactivated_contact_reactivates_the_same_account(client, personnel_client, member, mailoutbox):
    representative = RepresentativeFactory(member=member)
    user = representative.user
    run_action(personnel_client, "deactivate_access", [representative])
    user.refresh_from_db()
    assert not user.is_active
    run_action(personnel_client, "send_invitation", [representative])
    personnel_client.logout()
    response = client.post(accept_url(token_in(mailoutbox[-1])), {"new_password1": PASSWORD, "new_password2": PASSWORD})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.is_active
    assert user.check_password(PASSWORD)
    representative.refresh_from_db()
    assert representative.user == user
    assert User.objects.filter(email__iexact=representative.email).count() == 1


def test_opening_a_link_logs_out_someone_else(client, contact):
    token = invite(contact)
    stranger = RepresentativeFactory(member=MemberFactory())
    client.force_login(stranger.user)
    response = client.get(accept_url(token))
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    client.post(accept_url(token), {"new_password1": PASSWORD, "new_password2": PASSWORD})
    stranger.refresh_from_db()
    contact.refresh_from_db()
    assert contact.user != stranger.user
    assert stranger.user.contact == stranger
    assert not stranger.user.check_password(PASSWORD)


def test_a_person_invited_by_two_members_at_once_does_not_crash_the_second_link(client):
    """One person (same e-mail) is a contact of two members; staff invite both in one action."""
    first = ContactFactory(member=MemberFactory(name="Membre Un"), email="conseil@exemple.org")
    second = ContactFactory(member=MemberFactory(name="Membre Deux"), email="conseil@exemple.org")
    first_token, second_token = invite(first), invite(second)
    client.post(accept_url(first_token), {"new_password1": PASSWORD, "new_password2": PASSWORD})
    first.refresh_from_db()
    account = first.user
    assert account is not None

    other = Client(raise_request_exception=False)
    response = other.post(
        accept_url(second_token), {"new_password1": "Autre-phrase-456", "new_password2": "Autre-phrase-456"}
    )

    assert response.status_code < 500
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.user == account
    # The account stays tied to one organisation only.
    assert second.user is None


# --- Deactivating -------------------------------------------------------------------------


def test_deactivating_disables_the_account_and_revokes_pending_invitations(personnel_client, member):
    representative = RepresentativeFactory(member=member)
    pending = InvitationFactory(contact=representative, token="jeton-en-attente")
    invited = ContactFactory(member=member)
    invited_pending = InvitationFactory(contact=invited, token="jeton-invite")
    untouched = RepresentativeFactory(member=member)
    session = Client()
    session.force_login(representative.user)

    response = run_action(personnel_client, "deactivate_access", [representative, invited])

    assert message_texts(response) == [
        french_plural("%(count)d account deactivated.", "%(count)d accounts deactivated.", 1)
    ]
    representative.user.refresh_from_db()
    assert representative.user.is_active is False
    pending.refresh_from_db()
    invited_pending.refresh_from_db()
    assert pending.revoked_at is not None and not pending.is_usable
    assert invited_pending.revoked_at is not None
    untouched.user.refresh_from_db()
    assert untouched.user.is_active
    # The deactivated representative's session and links are dead.
    assert session.get(reverse("members:portal")).status_code == 302
    assert_invalid_link_page(Client().get(accept_url("jeton-invite")))
    login = Client().post("/connexion/", {"username": representative.email, "password": "mot-de-passe-de-test"})
    assert login.status_code == 200
    # The contact itself stays.
    assert Contact.objects.filter(pk=representative.pk).exists()


def test_deactivating_without_an_account_warns(personnel_client, contact):
    response = run_action(personnel_client, "deactivate_access", [contact])
    messages = list(get_messages(response.wsgi_request))
    assert [m.level_tag for m in messages] == ["warning"]
    assert str(messages[0]) == french_plural("%(count)d account deactivated.", "%(count)d accounts deactivated.", 0)


def test_a_representative_cannot_run_the_actions(client, member, contact, mailoutbox):
    representative = RepresentativeFactory(member=member)
    client.force_login(representative.user)
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(
            reverse(CHANGELIST), {"action": "send_invitation", "_selected_action": [str(contact.pk)]}
        )
    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))
    assert mailoutbox == []
    assert not Invitation.objects.exists()


# --- The contacts changelist ----------------------------------------------------------------


def test_the_changelist_shows_portal_access_and_last_login(personnel_client, member):
    active = RepresentativeFactory(member=member, last_name="Actif")
    active.user.last_login = datetime.datetime(2025, 3, 14, 18, 30, tzinfo=datetime.UTC)
    active.user.save()
    deactivated = RepresentativeFactory(member=member, last_name="Desactive", user__is_active=False)
    invited = ContactFactory(member=member, last_name="Invite")
    invitation = InvitationFactory(contact=invited)
    Invitation.objects.filter(pk=invitation.pk).update(
        created_at=datetime.datetime(2025, 1, 6, 15, 0, tzinfo=datetime.UTC)
    )
    nobody = ContactFactory(member=member, last_name="Aucun")

    response = personnel_client.get(reverse(CHANGELIST))

    assert response.status_code == 200
    content = response.content.decode()
    headers = [str(h["text"]) for h in response.context["result_headers"]]
    assert french("portal access") in headers
    assert french("last login") in headers
    assert capfirst(french("portal access")) in content
    assert capfirst(french("last login")) in content
    rows = {c.pk: c for c in response.context["cl"].result_list}
    model_admin = response.context["cl"].model_admin
    assert model_admin.portal_access(rows[active.pk]) == french("active account")
    assert model_admin.portal_access(rows[deactivated.pk]) == french("deactivated")
    assert model_admin.portal_access(rows[invited.pk]) == french("invited on %(date)s", date="6 janvier 2025")
    assert model_admin.portal_access(rows[nobody.pk]) == "—"
    # 18:30 UTC is 14:30 in Québec (daylight time since 9 March 2025).
    assert model_admin.last_login(rows[active.pk]) == "14 mars 2025, 14:30"
    assert model_admin.last_login(rows[nobody.pk]) == "—"
    assert "14 mars 2025, 14:30" in content
    assert french("invited on %(date)s", date="6 janvier 2025") in content


@pytest.mark.parametrize(
    ("value", "expected"),
    [("actif", {"Actif"}), ("desactive", {"Desactive"}), ("invite", {"Invite"}), ("aucun", {"Aucun", "Expire"})],
)
def test_the_changelist_filters_by_portal_access(personnel_client, member, value, expected):
    RepresentativeFactory(member=member, last_name="Actif")
    RepresentativeFactory(member=member, last_name="Desactive", user__is_active=False)
    InvitationFactory(contact=ContactFactory(member=member, last_name="Invite"))
    InvitationFactory(
        contact=ContactFactory(member=member, last_name="Expire"),
        expires_at=timezone.now() - datetime.timedelta(days=1),
    )
    ContactFactory(member=member, last_name="Aucun")
    response = personnel_client.get(reverse(CHANGELIST), {"acces": value})
    assert {c.last_name for c in response.context["cl"].result_list} == expected


def contacts_with_accounts_and_invitations(count):
    member = MemberFactory()
    for index in range(count):
        if index % 3 == 0:
            contact = RepresentativeFactory(member=member)
            contact.user.last_login = timezone.now()
            contact.user.save()
            InvitationFactory(contact=contact, accepted_at=timezone.now())
        elif index % 3 == 1:
            contact = ContactFactory(member=MemberFactory())
            InvitationFactory(contact=contact)
            InvitationFactory(contact=contact, revoked_at=timezone.now())
        else:
            ContactFactory(member=member)


def test_the_changelist_query_count_does_not_grow_with_the_rows(personnel_client):
    contacts_with_accounts_and_invitations(2)
    personnel_client.get(reverse(CHANGELIST))  # warm up caches (content types, sessions)
    with CaptureQueriesContext(connection) as few:
        assert personnel_client.get(reverse(CHANGELIST)).status_code == 200
    contacts_with_accounts_and_invitations(13)
    with CaptureQueriesContext(connection) as many:
        response = personnel_client.get(reverse(CHANGELIST))
    assert len(response.context["cl"].result_list) == 15
    assert len(many) == len(few), "\n".join(q["sql"] for q in many.captured_queries)


def test_the_invitation_admin_is_read_only(personnel_client, contact):
    invitation = InvitationFactory(contact=contact)
    assert personnel_client.get(reverse("admin:members_invitation_changelist")).status_code == 200
    assert personnel_client.get(reverse("admin:members_invitation_add")).status_code == 403
    change = personnel_client.get(reverse("admin:members_invitation_change", args=[invitation.pk]))
    assert change.status_code == 200
    assert invitation.token_hash not in change.content.decode()
    response = personnel_client.post(
        reverse("admin:members_invitation_change", args=[invitation.pk]), {"email": "pirate@exemple.org"}
    )
    assert response.status_code == 403
    invitation.refresh_from_db()
    assert invitation.email == contact.email
