"""The Direction deletes a membership a published report counts, in Chromium: the page names the
figures that change and the deletion waits for the box to be ticked."""

import pytest

from conftest import admin_log_in
from members.models import Member, Membership
from members.roles import DIRECTION
from members.tests.factories import MemberFactory, UserFactory
from pole.fiscal_years import FiscalYear
from reports.models import AnnualReport

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "Une-phrase-de-passe-solide-2026"


@pytest.fixture(autouse=True)
def role_groups(transactional_db):
    from django.apps import apps

    from members.roles import sync_role_groups

    sync_role_groups(apps)


def test_the_direction_confirms_deleting_a_membership_of_a_published_year(new_page):
    AnnualReport.objects.create(fiscal_year=FiscalYear(2016), is_published=True)
    MemberFactory(name="Coop A", fiscal_years=[2016], setting=Member.Setting.URBAN)
    membership = MemberFactory(name="Coop B", fiscal_years=[2016], setting=Member.Setting.RURAL).memberships.get()
    UserFactory(email="direction@exemple.org", password=PASSWORD, is_staff=True, groups=[DIRECTION])
    page = new_page()
    admin_log_in(page, "direction@exemple.org", PASSWORD)

    page.goto(f"/admin/members/membership/{membership.pk}/delete/")
    warning = page.locator(".published-warning").inner_text()
    assert "Rapport 2016-2017 — membres\u00a0: 2 → 1" in warning
    page.locator("input[type=submit]").click()  # the box unticked: the browser asks for it
    assert Membership.objects.filter(pk=membership.pk).exists()
    page.get_by_label("Je confirme que les chiffres du rapport publié changent.").check()
    page.locator("input[type=submit]").click()
    page.wait_for_url("**/admin/members/membership/")
    assert not Membership.objects.filter(pk=membership.pk).exists()
