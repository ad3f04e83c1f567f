"""Money is protected in the database: a membership billed by an invoice cannot be deleted.

``Invoice.membership`` is PROTECT; every door that could delete a membership says so in French
and changes nothing: the model and its queryset (shell, services), the admin's delete page and
bulk action, the member page's inline, the import (which never deletes), the member's deletion.
"""

import datetime
from decimal import Decimal

import pytest
from django.db.models import ProtectedError
from django.urls import reverse
from django.utils import translation

from members.billing.invoices import cancel_invoice, issue_invoice, record_payment
from members.models import DuesRate, Invoice, Member, Membership
from members.tests.factories import MemberFactory
from pole.fiscal_years import FiscalYear

pytestmark = pytest.mark.django_db

Y2017 = FiscalYear(2017)
DAY = datetime.date(2017, 4, 10)
NBSP = "\u00a0"


@pytest.fixture
def billed(db):
    """A member with a paid 2017-2018 invoice, and the membership it bills."""
    DuesRate.objects.create(fiscal_year=Y2017, category=Member.Category.REGULAR, amount=Decimal("160.00"))
    member = MemberFactory(name="Coop Protégée")
    invoice = issue_invoice(member=member, fiscal_year=Y2017, today=DAY)
    record_payment(invoice=invoice, paid_on=DAY, amount=invoice.total)
    return invoice.membership


def test_an_invoice_points_at_the_membership_it_bills(billed):
    assert billed.fiscal_year == Y2017
    assert list(billed.invoices.all()) == list(Invoice.objects.filter(kind="invoice"))


@pytest.mark.parametrize("door", ["instance", "queryset", "member"])
def test_the_database_refuses_to_delete_a_billed_membership_in_french(billed, door):
    delete = {
        "instance": lambda: Membership.objects.get(pk=billed.pk).delete(),
        "queryset": lambda: Membership.objects.filter(pk=billed.pk).delete(),
        "member": lambda: Member.objects.get(pk=billed.member_id).delete(),
    }[door]

    with translation.override("fr"), pytest.raises(ProtectedError) as refused:
        delete()

    if door != "member":  # a member's own invoices already protected it (Invoice.member)
        assert str(refused.value.args[0]).startswith(
            "Une adhésion facturée ne peut pas être supprimée (Coop Protégée — 2017-2018)\u00a0"
        )
    assert Membership.objects.filter(pk=billed.pk).exists()


def test_cancelling_an_unpaid_invoice_still_lets_its_membership_go(db):
    DuesRate.objects.create(fiscal_year=Y2017, category=Member.Category.REGULAR, amount=Decimal("160.00"))
    invoice = issue_invoice(member=MemberFactory(), fiscal_year=Y2017, today=DAY)

    cancel_invoice(invoice=invoice, reason="Adhésion demandée par erreur", today=DAY)

    assert not Membership.objects.exists()
    invoice.refresh_from_db()
    assert invoice.membership is None


def test_the_admin_delete_page_names_the_invoice_and_deletes_nothing(billed, personnel_client):
    url = reverse("admin:members_membership_delete", args=[billed.pk])

    page = personnel_client.get(url).content.decode()
    personnel_client.post(url, {"post": "yes"})

    assert "objets liés et protégés suivants" in page
    assert "permission" not in page
    invoice = billed.invoices.get()
    assert f"Facture {invoice.display_number} — Coop Protégée{NBSP}: une adhésion facturée" in page
    assert Membership.objects.filter(pk=billed.pk).exists()


def test_the_admin_bulk_delete_refuses_billed_memberships(billed, personnel_client):
    response = personnel_client.post(
        reverse("admin:members_membership_changelist"),
        {"action": "delete_selected", "_selected_action": [billed.pk], "post": "yes"},
    )

    assert "objets liés et protégés suivants" in response.content.decode()
    assert Membership.objects.filter(pk=billed.pk).exists()


def test_the_member_page_inline_refuses_to_delete_a_billed_membership(billed, personnel_client):
    from django import forms

    url = reverse("admin:members_member_change", args=[billed.member_id])
    context = personnel_client.get(url).context
    form = context["adminform"].form
    data = {
        name: form[name].value()
        for name, field in form.fields.items()
        if form[name].value() is not None and not isinstance(field, forms.FileField)
    }
    formsets = context["inline_admin_formsets"]
    for inline in formsets:
        formset = inline.formset
        management = formset.management_form
        for name in management.fields:
            data[f"{formset.prefix}-{name}"] = management[name].value()
        for index, subform in enumerate(formset.forms):
            for name in subform.fields:
                value = subform[name].value()
                if value is not None:
                    data[f"{formset.prefix}-{index}-{name}"] = value
    prefix = next(inline.formset.prefix for inline in formsets if inline.formset.model is Membership)
    data[f"{prefix}-0-DELETE"] = "on"

    response = personnel_client.post(url, data)

    assert response.status_code == 200  # the form again, with the reason
    text = response.content.decode()
    assert "objets liés et protégés suivants" in text
    assert Membership.objects.filter(pk=billed.pk).exists()
