"""One key per account: the e-mail address normalised once (NFKC, upper-case then case-fold).

The login's lookup, django-axes' count of failures, the stored address and the
invitations all use ``normalize_email_identifier``: a spelling that a database's UPPER
would equate with an account's address (« dırection », dotless ı) is the same key.
"""

import importlib
import logging

import pytest
from django.core import checks
from django.core.exceptions import ValidationError
from django.urls import reverse

from members import invitations
from members.models import Invitation, User
from members.tests.factories import ContactFactory, InvitationFactory, MemberFactory, UserFactory
from pole.models import OutboxMessage
from pole.text import normalization_changes_only_case, normalize_email_identifier

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("typed", "key"),
    [
        ("marie@exemple.org", "marie@exemple.org"),
        ("  Marie@Exemple.ORG ", "marie@exemple.org"),
        ("dırection@exemple.org", "direction@exemple.org"),  # dotless ı, as SQL's UPPER reads it
        ("DİRECTION@exemple.org", "di\u0307rection@exemple.org"),  # dotted İ keeps its dot
        ("ｄｉｒｅｃｔｉｏｎ@exemple.org", "direction@exemple.org"),  # full-width letters
        ("ﬁnances@exemple.org", "finances@exemple.org"),  # ligature
        ("Straße@exemple.org", "strasse@exemple.org"),
        ("ÉLODIE@Coopérative.ca", "élodie@coopérative.ca"),
        ("e\u0301lodie@exemple.org", "élodie@exemple.org"),  # decomposed accent, composed
        ("", ""),
        (None, ""),
    ],
)
def test_an_address_normalises_to_one_key(typed, key):
    assert normalize_email_identifier(typed) == key
    assert normalize_email_identifier(key) == key  # stable


@pytest.mark.parametrize(
    ("address", "plain"),
    [
        ("Marie@Exemple.org", True),
        ("ÉLODIE@coopérative.ca", True),
        ("Straße@exemple.org", False),  # would be mailed at strasse@
        ("dırection@exemple.org", False),
        ("ｄirection@exemple.org", False),
    ],
)
def test_only_a_change_of_case_keeps_the_mailbox(address, plain):
    assert normalization_changes_only_case(address) is plain


# --- Stored addresses --------------------------------------------------------------------------


def test_accounts_are_created_with_the_normalised_address():
    user = User.objects.create_user("  ＭＡＲＩＥ@Exemple.org ", "Phrase-secrete-2026")
    assert user.email == "marie@exemple.org"
    staff = User.objects.create_superuser("Direction@Exemple.org", "Phrase-secrete-2026")
    assert staff.email == "direction@exemple.org"


def test_cleaning_an_account_normalises_its_address():
    user = User(email="Marie@Exemple.ORG")
    user.full_clean(exclude=["password"])
    assert user.email == "marie@exemple.org"


@pytest.mark.parametrize("address", ["Straße@exemple.org", "dırection@exemple.org"])
def test_an_address_whose_key_is_another_mailbox_is_refused(address):
    user = User(email=address)
    with pytest.raises(ValidationError) as refused:
        user.full_clean(exclude=["password"])
    assert list(refused.value.message_dict) == ["email"]


def test_the_user_admin_refuses_another_spelling_of_an_existing_address(direction_client):
    UserFactory(email="marie@exemple.org")
    page = direction_client.get(reverse("admin:members_user_add"))
    data = {"email": "MARIE@Exemple.org", "password1": "Phrase-secrete-2026", "password2": "Phrase-secrete-2026"}
    if "usable_password" in page.context["adminform"].form.fields:
        data["usable_password"] = "true"

    response = direction_client.post(reverse("admin:members_user_add"), data)

    assert response.status_code == 200
    assert "email" in response.context["adminform"].form.errors
    assert User.objects.filter(email="marie@exemple.org").count() == 1

    data["email"] = "Paul@Exemple.org"
    assert direction_client.post(reverse("admin:members_user_add"), data).status_code == 302
    assert User.objects.filter(email="paul@exemple.org").exists()


# --- Invitations -------------------------------------------------------------------------------


def test_an_invitation_keeps_the_normalised_address(mailoutbox, committed):
    contact = ContactFactory(email="Gisele@Gamma.Exemple.org")
    with committed():
        invitation = invitations.invite(contact, sent_by=None, base_url="http://testserver/")
    assert invitation.email == "gisele@gamma.exemple.org"
    assert mailoutbox[0].to == ["gisele@gamma.exemple.org"]


def test_a_contact_address_that_would_reach_the_direction_is_not_invited(direction_user, mailoutbox):
    contact = ContactFactory(email="dırection@exemple.org")
    with pytest.raises(invitations.InvitationError):
        invitations.invite(contact, sent_by=None, base_url="http://testserver/")
    assert mailoutbox == [] and not OutboxMessage.objects.exists()


def test_a_contact_address_that_is_another_mailbox_once_normalised_is_not_invited(mailoutbox):
    contact = ContactFactory(email="Straße@exemple.org")
    with pytest.raises(invitations.InvitationError) as refused:
        invitations.invite(contact, sent_by=None, base_url="http://testserver/")
    assert "Straße@exemple.org" in str(refused.value)
    assert mailoutbox == [] and not OutboxMessage.objects.exists()


def test_an_older_invitation_finds_its_account_by_the_normalised_address():
    orphan = UserFactory(email="gisele@gamma.exemple.org")
    invitation = InvitationFactory(contact=ContactFactory(email="gisele@gamma.exemple.org"))
    Invitation.objects.filter(pk=invitation.pk).update(email="GISELE@Gamma.Exemple.org")
    invitation.refresh_from_db()
    assert invitations.account_for(invitation) == (orphan, None)


def test_an_invitation_never_opens_a_staff_account_spelt_otherwise(direction_user):
    invitation = InvitationFactory(contact=ContactFactory(member=MemberFactory()))
    Invitation.objects.filter(pk=invitation.pk).update(email="dırection@exemple.org")
    invitation.refresh_from_db()
    user, problem = invitations.account_for(invitation)
    assert user is None and problem


# --- Existing accounts: the data migration -------------------------------------------------------

MIGRATION = importlib.import_module("members.migrations.0007_normalise_user_emails")


def stored(**addresses):
    """Accounts whose stored address is as given, as an older version could leave them."""
    users = {}
    for name, address in addresses.items():
        user = UserFactory()
        User.objects.filter(pk=user.pk).update(email=address)
        users[name] = user
    return users


def email_of(user):
    return User.objects.get(pk=user.pk).email


def test_the_migration_normalises_existing_addresses(caplog):
    from django.apps import apps

    users = stored(plain="marie@exemple.org", upper="Paul@Exemple.ORG", accent="E\u0301lodie@Coopérative.ca")
    invitation = InvitationFactory()
    Invitation.objects.filter(pk=invitation.pk).update(email="Gisele@Gamma.Exemple.org")

    with caplog.at_level(logging.WARNING, logger="members.migrations"):
        MIGRATION.normalise_emails(apps, None)

    assert email_of(users["plain"]) == "marie@exemple.org"
    assert email_of(users["upper"]) == "paul@exemple.org"
    assert email_of(users["accent"]) == "élodie@coopérative.ca"
    assert Invitation.objects.get(pk=invitation.pk).email == "gisele@gamma.exemple.org"
    assert caplog.records == []


def test_the_migration_leaves_colliding_accounts_and_reports_them(caplog):
    from django.apps import apps

    users = stored(
        direction="direction@exemple.org",
        lookalike="dırection@exemple.org",
        mailbox="Straße@exemple.org",
        other="Paul@Exemple.org",
    )

    with caplog.at_level(logging.WARNING, logger="members.migrations"):
        MIGRATION.normalise_emails(apps, None)

    # Neither of two accounts with one key is renamed: Direction decides which one stays.
    assert email_of(users["direction"]) == "direction@exemple.org"
    assert email_of(users["lookalike"]) == "dırection@exemple.org"
    # Normalised, this address would be another mailbox: left as it is.
    assert email_of(users["mailbox"]) == "Straße@exemple.org"
    assert email_of(users["other"]) == "paul@exemple.org"
    report = caplog.text
    assert "dırection@exemple.org" in report and "direction@exemple.org" in report
    assert "Straße@exemple.org" in report
    assert "paul@exemple.org" not in report
    # The data check keeps reporting them until they are fixed.
    warnings = [e for e in checks.run_checks(databases=["default"]) if e.id == "members.W001"]
    assert len(warnings) == 2
    for address in ("dırection@exemple.org", "Straße@exemple.org"):
        assert sum(address in w.msg for w in warnings) == 1
