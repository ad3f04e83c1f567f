"""The takeover of the Direction's account through a contact, tried in a real browser as Personnel.

Personnel may add contacts and invite them; a contact's account is set only by accepting an
invitation. The attack: tie a contact with the attacker's e-mail to the Direction's account,
invite it, open the link and choose the password (or deactivate that contact).
"""

import re

import pytest
from django.core import mail

from members.models import Contact, User
from members.roles import DIRECTION, PERSONNEL
from members.tests.factories import MemberFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "Une-phrase-de-passe-solide-2026"
ATTACKER_PASSWORD = "Phrase-du-pirate-2026-xyz"
ATTACKER_EMAIL = "pirate@exemple.org"


@pytest.fixture(autouse=True)
def role_groups(transactional_db):
    from django.apps import apps

    from members.roles import sync_role_groups

    sync_role_groups(apps)


def admin_log_in(page, email, password=PASSWORD):
    page.goto("/admin/login/")
    page.fill("#id_username", email)
    page.fill("#id_password", password)
    page.locator("input[type=submit]").click()


def run_action(page, contact, action):
    page.goto("/admin/members/contact/")
    page.locator(f"input[name=_selected_action][value='{contact.pk}']").check()
    page.select_option("select[name=action]", action)
    page.locator("button[name=index]").click()
    return page.locator("ul.messagelist").inner_text()


def test_personnel_cannot_take_over_the_direction_account_through_a_contact(new_page):
    direction = UserFactory(email="direction@exemple.org", password=PASSWORD, is_staff=True, groups=[DIRECTION])
    UserFactory(email="personnel@exemple.org", password=PASSWORD, is_staff=True, groups=[PERSONNEL])
    member = MemberFactory(name="Coopérative du Quai")

    staff = new_page()
    admin_log_in(staff, "personnel@exemple.org")

    # Add a contact with the attacker's e-mail: the form has no account field.
    # (The member comes from the address, as the admin's own links pass it.)
    staff.goto(f"/admin/members/contact/add/?member={member.pk}")
    assert staff.locator("[name=user]").count() == 0
    staff.fill("#id_first_name", "Pierre")
    staff.fill("#id_last_name", "Pirate")
    staff.fill("#id_email", ATTACKER_EMAIL)
    # A forged field, added to the page as a proxy or a browser's console would.
    staff.evaluate(
        """pk => {
            const input = document.createElement("input");
            input.type = "hidden"; input.name = "user"; input.value = pk;
            document.querySelector("#contact_form").appendChild(input);
        }""",
        str(direction.pk),
    )
    staff.locator("input[name=_save]").click()
    staff.wait_for_url("**/admin/members/contact/")
    contact = Contact.objects.get(email=ATTACKER_EMAIL)
    assert contact.user is None

    # The member's page lists its contacts without an account field either.
    staff.goto(f"/admin/members/member/{member.pk}/change/")
    assert staff.locator("[name$='-first_name'][value='Pierre']").count() == 1
    assert staff.locator("[name$='-user']").count() == 0

    # The invitation goes to the attacker, and opens a new account, not the Direction's.
    assert "1 invitation envoyée" in run_action(staff, contact, "send_invitation")
    assert [m.to for m in mail.outbox] == [[ATTACKER_EMAIL]]
    link = re.search(r"https?://\S+/invitation/\S+/", mail.outbox[0].body)[0]
    attacker = new_page()
    attacker.goto(link)
    attacker.fill("#id_new_password1", ATTACKER_PASSWORD)
    attacker.fill("#id_new_password2", ATTACKER_PASSWORD)
    attacker.get_by_role("button", name="Créer mon compte").click()
    attacker.wait_for_url("**/membre/")
    contact.refresh_from_db()
    assert contact.user.email == ATTACKER_EMAIL
    assert not contact.user.is_staff and not contact.user.is_superuser
    direction.refresh_from_db()
    assert direction.check_password(PASSWORD) and not direction.check_password(ATTACKER_PASSWORD)

    # Deactivating the contact closes the attacker's account only.
    assert "1 compte désactivé" in run_action(staff, contact, "deactivate_access")
    assert User.objects.get(email=ATTACKER_EMAIL).is_active is False
    direction.refresh_from_db()
    assert direction.is_active and direction.is_staff

    # The Direction still logs in with its own password; the attacker's gets nowhere.
    intruder = new_page()
    admin_log_in(intruder, "direction@exemple.org", ATTACKER_PASSWORD)
    assert "/admin/login/" in intruder.url
    owner = new_page()
    admin_log_in(owner, "direction@exemple.org")
    owner.wait_for_url("**/admin/")
