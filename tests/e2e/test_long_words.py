"""A 400-character word in user text does not widen any page (issue 21).

A word with no place to break (a pasted URL, a string of letters) in a profile's description
made the directory and the portal about 3 900 px wide. Every page that shows user text breaks
such a word anywhere (``overflow-wrap: anywhere`` in site.css, admin.css, the report's and the
invoices' stylesheets): the site, the portal, the admin's change history, at desktop and phone
widths. The PDFs are checked apart (reports/tests, members/billing/tests).
"""

import pytest

from conftest import DESKTOP, PHONE, admin_log_in
from members.roles import PERSONNEL
from members.tests.factories import ContactFactory, MemberFactory, UserFactory
from pole.fiscal_years import FiscalYear

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "Une-phrase-de-passe-solide-2026"
WORD = "Coopérative" + "x" * 389


@pytest.fixture(autouse=True)
def role_groups(transactional_db):
    from django.apps import apps

    from members.roles import sync_role_groups

    sync_role_groups(apps)


def overflow(page):
    return page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_a_400_character_word_does_not_widen_the_site_the_portal_or_the_admin(new_page, viewport):
    member = MemberFactory(
        name=f"Coop {WORD[:60]}",
        description=f"Nous sommes {WORD} depuis toujours.",
        address=f"12, rue {WORD}",
        website="https://exemple.org/" + "a" * 175,  # a URLField holds 200 characters
        directory_consent=True,
        fiscal_years=[FiscalYear.current()],
    )
    user = UserFactory(email="rep@exemple.org", password=PASSWORD)
    ContactFactory(member=member, first_name="Léa", last_name=WORD[:100], email=user.email, user=user)
    member.description = f"Modifié : {WORD}"
    member.save()  # a change, for the admin's history page
    UserFactory(email="personnel@exemple.org", password=PASSWORD, is_staff=True, groups=[PERSONNEL])

    visitor = new_page(viewport)
    for url in ["/membres/", f"/membres/{member.pk}/"]:
        assert visitor.goto(url).status == 200
        assert WORD[:40] in visitor.content()
        assert overflow(visitor) <= 0, url

    representative = new_page(viewport)
    representative.goto("/connexion/")
    representative.get_by_label("Adresse courriel").fill("rep@exemple.org")
    representative.get_by_label("Mot de passe").fill(PASSWORD)
    representative.get_by_role("button", name="Connexion").click()
    representative.wait_for_url("**/membre/")
    for url in ["/membre/", "/membre/profil/", "/membre/contacts/"]:
        assert representative.goto(url).status == 200
        assert overflow(representative) <= 0, url

    if viewport == DESKTOP:
        staff = new_page(viewport)
        admin_log_in(staff, "personnel@exemple.org", PASSWORD)
        for url in [f"/admin/members/member/{member.pk}/history/", "/admin/members/member/"]:
            assert staff.goto(url).status == 200
            assert overflow(staff) <= 0, url
