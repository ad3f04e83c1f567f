"""System checks on the data: `manage.py check --database default` reports what no form may create."""

import pytest
from django.core import checks
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from members.tests.factories import ContactFactory, RepresentativeFactory, UserFactory

pytestmark = pytest.mark.django_db


def data_errors(databases=("default",)):
    return [
        e for e in checks.run_checks(databases=list(databases) if databases else None) if e.id.startswith("members.")
    ]


@pytest.mark.parametrize("kind", ["staff", "superuser"])
def test_a_contact_tied_to_a_staff_account_is_an_error(kind):
    staff = UserFactory(email="direction@exemple.org", is_staff=kind == "staff", is_superuser=kind == "superuser")
    contact = ContactFactory(first_name="Pierre", last_name="Pirate", user=staff)
    RepresentativeFactory()  # an ordinary representative is fine

    errors = data_errors()

    assert [(e.id, e.level) for e in errors] == [("members.E001", checks.ERROR)]
    assert "Pierre Pirate" in errors[0].msg
    assert "direction@exemple.org" in errors[0].msg
    assert f"(#{contact.pk})" in errors[0].msg
    with pytest.raises(SystemCheckError, match="members.E001"):
        call_command("check", "--database", "default")


def test_representatives_alone_pass_the_check():
    RepresentativeFactory()
    UserFactory(is_staff=True)
    assert data_errors() == []
    call_command("check", "--database", "default")


def test_the_data_is_read_only_when_a_database_is_named():
    ContactFactory(user=UserFactory(is_staff=True))
    assert data_errors(databases=None) == []
