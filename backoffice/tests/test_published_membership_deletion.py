"""Deleting a membership a published annual report counts: the Direction confirms, seeing the figures."""

import pytest
from django.urls import reverse

from members.models import Member, Membership
from members.tests.factories import MemberFactory
from pole.fiscal_years import FiscalYear
from reports.models import AnnualReport

pytestmark = pytest.mark.django_db

Y2016 = FiscalYear(2016)
NBSP = "\u00a0"


@pytest.fixture
def published(db):
    AnnualReport.objects.create(fiscal_year=Y2016, is_published=True)
    MemberFactory(name="Coop A", fiscal_years=[2016], setting=Member.Setting.URBAN, legal_form="cooperative")
    rural = MemberFactory(name="Coop B", fiscal_years=[2016], setting=Member.Setting.RURAL, legal_form="cooperative")
    return rural.memberships.get()


def delete_url(membership):
    return reverse("admin:members_membership_delete", args=[membership.pk])


def test_the_direction_sees_the_published_figures_that_change_and_must_confirm(direction_client, published):
    page = direction_client.get(delete_url(published)).content.decode()

    assert "Un rapport annuel publié compte cette adhésion." in page
    assert f"Rapport 2016-2017 — membres{NBSP}: 2 → 1" in page
    assert f"Rapport 2016-2017 — part en milieu rural (%){NBSP}: 50 → 0" in page

    direction_client.post(delete_url(published), {"post": "yes"})
    assert Membership.objects.filter(pk=published.pk).exists()

    direction_client.post(delete_url(published), {"post": "yes", "confirm_published": "yes"})
    assert not Membership.objects.filter(pk=published.pk).exists()


def test_personnel_cannot_delete_a_membership_a_published_report_counts(personnel_client, published):
    response = personnel_client.post(delete_url(published), {"post": "yes", "confirm_published": "yes"}, follow=True)

    assert "seule la Direction peut la supprimer" in response.content.decode()
    assert Membership.objects.filter(pk=published.pk).exists()


def test_the_bulk_action_refuses_a_membership_a_published_report_counts(direction_client, published):
    response = direction_client.post(
        reverse("admin:members_membership_changelist"),
        {"action": "delete_selected", "_selected_action": [published.pk], "post": "yes"},
    )

    assert "un rapport annuel publié la compte" in response.content.decode()
    assert Membership.objects.filter(pk=published.pk).exists()


def test_a_membership_of_an_unpublished_year_is_deleted_as_before(personnel_client, published):
    membership = MemberFactory(fiscal_years=[2019]).memberships.get()

    personnel_client.post(delete_url(membership), {"post": "yes"})

    assert not Membership.objects.filter(pk=membership.pk).exists()


def test_the_member_page_inline_sends_a_published_years_deletion_to_its_own_page(direction_client, published):
    from django import forms

    url = reverse("admin:members_member_change", args=[published.member_id])
    context = direction_client.get(url).context
    form = context["adminform"].form
    data = {
        name: form[name].value()
        for name, field in form.fields.items()
        if form[name].value() is not None and not isinstance(field, forms.FileField)
    }
    for inline in context["inline_admin_formsets"]:
        formset = inline.formset
        for name in formset.management_form.fields:
            data[f"{formset.prefix}-{name}"] = formset.management_form[name].value()
        for index, subform in enumerate(formset.forms):
            for name in subform.fields:
                value = subform[name].value()
                if value is not None:
                    data[f"{formset.prefix}-{index}-{name}"] = value
            if formset.model is Membership:
                data[f"{formset.prefix}-{index}-DELETE"] = "on"

    response = direction_client.post(url, data)

    assert response.status_code == 200
    assert "un rapport annuel publié la compte" in response.content.decode()
    assert Membership.objects.filter(pk=published.pk).exists()
