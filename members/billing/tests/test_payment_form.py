"""The admin's payment form offers the invoice's balance, and says what comes next once recorded."""

import datetime
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from members.billing.invoices import cancel_invoice, issue_invoice, record_payment
from members.models import DuesRate, Payment
from members.tests.factories import MemberFactory
from pole.fiscal_years import FiscalYear

pytestmark = pytest.mark.django_db

Y2017 = FiscalYear(2017)
DAY = datetime.date(2017, 4, 10)
NBSP = "\u00a0"
ADD = reverse("admin:members_payment_add")


@pytest.fixture
def invoices(db):
    DuesRate.objects.create(fiscal_year=Y2017, category="regular", amount=Decimal("160.00"))
    part_paid = issue_invoice(member=MemberFactory(name="Coop du Quai"), fiscal_year=Y2017, today=DAY)
    record_payment(invoice=part_paid, paid_on=DAY, amount=Decimal("60.00"))
    unpaid = issue_invoice(member=MemberFactory(name="Coop des Rives"), fiscal_year=Y2017, today=DAY)
    paid = issue_invoice(member=MemberFactory(name="Coop payée"), fiscal_year=Y2017, today=DAY)
    record_payment(invoice=paid, paid_on=DAY, amount=paid.total)
    cancelled = issue_invoice(member=MemberFactory(name="Coop annulée"), fiscal_year=Y2017, today=DAY)
    cancel_invoice(invoice=cancelled, reason="Départ du réseau")
    return {"part_paid": part_paid, "unpaid": unpaid, "paid": paid, "cancelled": cancelled}


def test_coming_from_an_invoice_the_amount_is_its_balance(personnel_client, invoices):
    invoice = invoices["part_paid"]
    response = personnel_client.get(ADD, {"invoice": invoice.pk})
    form = response.context["adminform"].form
    assert form["invoice"].value() == str(invoice.pk)
    assert form["amount"].value() == Decimal("100.00")
    assert form.fields["amount"].help_text == (
        f"Solde de la facture F2017-0001{NBSP}: 100,00{NBSP}$ (total 160,00{NBSP}$, déjà payé 60,00{NBSP}$)."
    )


def test_the_invoice_list_offers_the_invoices_to_pay_with_their_balance(personnel_client, invoices):
    html = personnel_client.get(ADD).content.decode()
    options = re.findall(r'<option value="(\d+)" data-balance="([\d.]+)"[^>]*>([^<]+)</option>', html)
    assert [(int(pk), balance, label) for pk, balance, label in options] == [
        (invoices["part_paid"].pk, "100.00", f"F2017-0001 · Coop du Quai · 2017-2018 · solde 100,00{NBSP}$"),
        (invoices["unpaid"].pk, "160.00", f"F2017-0002 · Coop des Rives · 2017-2018 · solde 160,00{NBSP}$"),
    ]
    assert "members/payment-form.js" in html  # puts the chosen invoice's balance in the amount


def test_a_paid_or_cancelled_invoice_is_refused_with_its_reason(personnel_client, invoices):
    for invoice, reason in (
        (invoices["paid"], "La facture F2017-0003 est entièrement payée\u00a0: il ne reste rien à payer."),
        (invoices["cancelled"], "Sélectionnez un choix valide."),
    ):
        response = personnel_client.post(
            ADD, {"invoice": invoice.pk, "paid_on": "2017-05-01", "method": "cheque", "amount": "10.00"}
        )
        assert response.status_code == 200
        assert reason in response.content.decode()
    assert Payment.objects.count() == 2  # the two recorded by the fixture


def test_a_part_payment_says_what_remains(personnel_client, invoices):
    invoice = invoices["unpaid"]
    response = personnel_client.post(
        ADD, {"invoice": invoice.pk, "paid_on": "2017-05-01", "method": "cheque", "amount": "60.00"}, follow=True
    )
    message = str(list(response.context["messages"])[0])
    assert message == (
        f"Paiement de 60,00{NBSP}$ inscrit à la facture F2017-0002. Il reste 100,00{NBSP}$ à payer{NBSP}: inscrivez "
        "le prochain paiement depuis cette facture quand il arrivera."
    )


def test_the_payment_that_settles_says_the_member_is_in_good_standing(personnel_client, invoices):
    invoice = invoices["part_paid"]
    response = personnel_client.post(
        ADD, {"invoice": invoice.pk, "paid_on": "2017-05-01", "method": "transfer", "amount": "100.00"}, follow=True
    )
    message = str(list(response.context["messages"])[0])
    assert message == (
        f"Paiement de 100,00{NBSP}$ inscrit à la facture F2017-0001. La facture est soldée{NBSP}: Coop du Quai est "
        "en règle pour 2017-2018, et son reçu est prêt ci-dessous et dans le portail du membre."
    )


def test_the_payment_form_runs_a_fixed_number_of_queries(personnel_client, invoices, assert_constant_queries):
    assert_constant_queries(
        personnel_client,
        f"{ADD}?invoice={invoices['unpaid'].pk}",
        lambda i: issue_invoice(member=MemberFactory(), fiscal_year=Y2017, today=DAY),
    )


@pytest.mark.parametrize(
    ("field", "value", "reason"),
    [
        ("amount", "1e2", "Écrivez le montant en chiffres, comme 160,00 ou 160.00."),
        ("amount", "1.6E2", "Écrivez le montant en chiffres, comme 160,00 ou 160.00."),
        ("paid_on", "2099-01-01", "Un paiement ne peut pas être daté dans le futur (1er janvier 2099)."),
    ],
)
def test_an_amount_in_scientific_notation_or_a_future_date_is_refused_in_french(
    personnel_client, invoices, field, value, reason
):
    data = {"invoice": invoices["unpaid"].pk, "paid_on": "2017-05-01", "method": "cheque", "amount": "100.00"}
    data[field] = value

    response = personnel_client.post(ADD, data)

    assert response.status_code == 200
    assert reason in response.content.decode()
    assert Payment.objects.count() == 2  # the two recorded by the fixture


def test_the_service_refuses_a_future_payment_too(invoices):
    from members.billing.invoices import BillingError

    with pytest.raises(BillingError, match="futur"):
        record_payment(invoice=invoices["unpaid"], paid_on=datetime.date(2099, 1, 1), amount=Decimal("10.00"))
